// What a container instance runs with, decided before anything starts: its environment (Docker's
// defaults PATH, HOSTNAME and HOME, then the image map's env, then the container's env and envFrom
// as Kubernetes computes them), its process (command/args `$(VAR)`-expanded, against the image's
// entrypoint), working directory, and volume mounts (by volumeMounts order; subPath and subPathExpr
// bind a sub-directory of the volume, created if missing; readOnly from the mount or the volume).
// Errors carry the kubelet's waiting reason: CreateContainerConfigError (env references, unknown
// volumes), CreateContainerError (no entrypoint). A command that does not exist on the host (the
// image) is a StartError, reported as an exit with code 128 as the kubelet shows it.
// Deliberately absent: mountPropagation, recursiveReadOnly, subPath symlink checks.

import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { KObject } from '../../api/resource.js';
import type { LaunchMount } from './container-launch.js';
import type { ObjectLookup } from './container-env.js';
import { ContainerConfigError, containerEnv, expandAll } from './container-env.js';
import { expand } from './expansion.js';
import type { ImageMap } from './image-map.js';
import type { PodMeta } from './pod-store.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ContainerPlan {
  env: Record<string, string>;
  argv: string[];
  workingDir: string;
  mounts: LaunchMount[];
  builtIn?: string;
  /** The command cannot be executed (the container exits at once with 128, StartError). */
  startError?: string;
}

function mounts(o: { container: any; meta: PodMeta; env: Map<string, string> }): LaunchMount[] {
  const out: LaunchMount[] = [];
  for (const m of o.container.volumeMounts ?? []) {
    const vol = o.meta.volumes.find((v) => v.name === m.name);
    if (!vol) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${o.container.name}"`);
    const sub = m.subPathExpr ? expand(m.subPathExpr, o.env) : m.subPath;
    let source = vol.hostPath;
    if (sub) {
      source = join(vol.hostPath, sub);
      try {
        statSync(source);
      } catch {
        mkdirSync(source, { recursive: true, mode: 0o755 });
      }
    }
    let file = false;
    try {
      file = !statSync(source).isDirectory();
    } catch {
      throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${m.name}" of container "${o.container.name}"`);
    }
    out.push({ source, target: posix.normalize(m.mountPath), readOnly: m.readOnly === true || vol.readOnly, file });
  }
  return out;
}

const isExecutable = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** Checks the command against the host (the image), unless a volume provides where it lives. */
function startError(o: { argv: string[]; env: Record<string, string>; mounts: LaunchMount[]; workingDir: string }): string | undefined {
  const cmd = o.argv[0];
  const covered = (p: string) => o.mounts.some((m) => p === m.target || p.startsWith(`${m.target}/`));
  if (cmd.includes('/')) {
    const abs = posix.resolve(o.workingDir, cmd);
    if (covered(abs) || isExecutable(abs)) return undefined;
    return `exec: "${cmd}": stat ${cmd}: no such file or directory`;
  }
  const dirs = (o.env.PATH ?? DEFAULT_PATH).split(':').filter(Boolean);
  if (dirs.some((d) => covered(posix.resolve('/', d)) || isExecutable(posix.join(posix.resolve('/', d), cmd)))) return undefined;
  return `exec: "${cmd}": executable file not found in $PATH`;
}

export async function planContainer(o: {
  pod: KObject;
  container: any;
  meta: PodMeta;
  imageMap: ImageMap;
  lookup?: ObjectLookup;
  hostIP?: string;
}): Promise<ContainerPlan> {
  const c = o.container;
  const own = await containerEnv({ pod: o.pod, container: c, podIP: o.meta.ip, hostIP: o.hostIP, lookup: o.lookup });
  const image = o.imageMap.entry(c.image)?.entry;
  const env: Record<string, string> = { PATH: DEFAULT_PATH, HOSTNAME: o.meta.hostname, ...image?.env, ...Object.fromEntries(own) };
  env.HOME ??= '/root';
  const proc = o.imageMap.resolve({ image: c.image, command: expandAll(c.command, own), args: expandAll(c.args, own), workingDir: c.workingDir });
  const list = mounts({ container: c, meta: o.meta, env: own });
  const workingDir = posix.normalize(proc.workingDir);
  return {
    env,
    argv: proc.argv,
    workingDir,
    mounts: list,
    builtIn: proc.builtIn,
    startError: startError({ argv: proc.argv, env, mounts: list, workingDir }),
  };
}
