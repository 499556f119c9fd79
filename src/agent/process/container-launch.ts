// Starting one container instance: the launcher command line and the supervisor (container-shim)
// that runs it. The launcher joins the pod's network, UTS and IPC namespaces (held by the pod's
// pause process), makes new mount and PID namespaces, and in a subshell that becomes PID 1 of the
// new PID namespace: mounts an overlay of the host's root (lowerdir=/, the instance's own upper and
// work directories), /proc for the new PID namespace, a read-only /sys, a minimal /dev (tmpfs with
// null, zero, full, random, urandom, tty bound from the host, a private devpts, shm, mqueue), a
// fresh /tmp, the pod's /etc/hosts, /etc/resolv.conf and /etc/hostname, the termination-message
// file, and the volumes at their mountPaths (read-only ones remounted ro), hides the agent's data
// directory, then chroots into the overlay, changes to the working directory and executes the
// command, so the command itself is PID 1 (it ignores SIGTERM without a handler, as in
// Kubernetes). The launcher's shell waits for it, so its exit status (128 + n after signal n) is
// the container's. A setup failure exits with 128 and says why on stderr (the container's log).
// The command's environment is passed as the process environment, never on a command line.
// Deliberately absent: user namespaces, capabilities, seccomp, cgroups (no resource limits).

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync, closeSync, writeFileSync } from 'node:fs';
import { extname, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShimConfig, ShimStatus } from './container-shim.js';
import { which } from './host.js';

export interface LaunchTools {
  sh: string;
  mount: string;
  mkdir: string;
  touch: string;
  ln: string;
  unshare: string;
  nsenter: string;
}

export function findTools(): LaunchTools | string {
  const tools: Record<string, string | undefined> = {};
  for (const t of ['sh', 'mount', 'mkdir', 'touch', 'ln', 'unshare', 'nsenter']) tools[t] = which(t);
  const missing = Object.keys(tools).filter((k) => !tools[k]);
  return missing.length ? `missing host programs: ${missing.join(', ')}` : (tools as unknown as LaunchTools);
}

export interface LaunchMount {
  source: string;
  /** The path inside the container. */
  target: string;
  readOnly: boolean;
  /** The source is a file (the target is created as a file). */
  file: boolean;
}

export interface LaunchSpec {
  tools: LaunchTools;
  /** The instance directory: upper/, work/, merged/ and the supervisor's files. */
  dir: string;
  /** The pod's pause process, holding its network (unless hostNetwork), UTS and IPC namespaces. */
  pausePid: number;
  hostNetwork: boolean;
  /** Files bound over /etc/hosts, /etc/resolv.conf, /etc/hostname and the termination-message path. */
  files: LaunchMount[];
  mounts: LaunchMount[];
  /** A host directory masked inside the container (the runtime's own state). */
  hide?: string;
  workingDir: string;
  argv: string[];
  env: Record<string, string>;
  logPath: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function mountLines(t: LaunchTools, list: LaunchMount[]): string[] {
  const out: string[] = [];
  for (const m of list) {
    const target = `"$M"${q(m.target)}`;
    if (m.file) out.push(`[ -e ${target} ] || { ${t.mkdir} -p "$M"${q(posix.dirname(m.target))} && ${t.touch} ${target}; } || f ${q(m.target)}`);
    else out.push(`${t.mkdir} -p ${target} || f ${q(m.target)}`);
    out.push(`${t.mount} --rbind ${q(m.source)} ${target} || f ${q(m.target)}`);
    if (m.readOnly) out.push(`${t.mount} -o remount,bind,ro ${target} || f ${q(m.target)}`);
  }
  return out;
}

/** The launcher's argv (the command and its arguments come last, as "$@" of the script). */
export function launcherArgv(s: LaunchSpec): string[] {
  const t = s.tools;
  const dev = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
  const setup = [
    'f() { echo "berth: cannot set up the container: $1" >&2; exit 128; }',
    `M=${q(`${s.dir}/merged`)}`,
    `${t.mount} -t overlay overlay -o ${q(`lowerdir=/,upperdir=${s.dir}/upper,workdir=${s.dir}/work`)} "$M" || f 'the overlay root'`,
    `${t.mount} -t proc proc "$M/proc" || f /proc`,
    `${t.mount} -t sysfs -o ro,nosuid,nodev,noexec sysfs "$M/sys" || f /sys`,
    `${t.mount} -t tmpfs -o nosuid,mode=755,size=65536k tmpfs "$M/dev" || f /dev`,
    `cd "$M/dev" || f /dev`,
    `${t.mkdir} pts shm mqueue && ${t.touch} ${dev.join(' ')} || f /dev`,
    `${t.ln} -s /proc/self/fd fd && ${t.ln} -s /proc/self/fd/0 stdin && ${t.ln} -s /proc/self/fd/1 stdout && ${t.ln} -s /proc/self/fd/2 stderr && ${t.ln} -s pts/ptmx ptmx || f /dev`,
    `for d in ${dev.join(' ')}; do ${t.mount} --bind "/dev/$d" "$d" || f "/dev/$d"; done`,
    `${t.mount} -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts pts || f /dev/pts`,
    `${t.mount} -t tmpfs -o nosuid,nodev,noexec,mode=1777 shm shm || f /dev/shm`,
    `${t.mount} -t mqueue mqueue mqueue || f /dev/mqueue`,
    'cd /',
    `${t.mount} -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$M/tmp" || f /tmp`,
    ...(s.hide ? [`[ ! -d "$M"${q(s.hide)} ] || ${t.mount} -t tmpfs -o ro,size=4k tmpfs "$M"${q(s.hide)} || f ${q(s.hide)}`] : []),
    ...mountLines(t, s.files),
    ...mountLines(t, s.mounts),
    `${t.mkdir} -p "$M"${q(s.workingDir)} || f ${q(s.workingDir)}`,
    `exec ${t.unshare} --root="$M" --wd=${q(s.workingDir)} -- "$@"`,
  ];
  // The subshell is the first process of the new PID namespace (its PID 1); the parent only waits.
  const script = `(\n${setup.join('\n')}\n) &\nexec 2>/dev/null\nwait $!\n`;
  const enter = [t.nsenter, `--target=${s.pausePid}`, ...(s.hostNetwork ? ['--ipc'] : ['--net', '--uts', '--ipc']), '--'];
  return [...enter, t.unshare, '--mount', '--pid', '--', t.sh, '-c', script, 'sh', ...s.argv];
}

/** How to run the supervisor: this module's sibling, compiled (.js) or through tsx (.ts, tests). */
function shimCommand(): string[] {
  const ext = extname(fileURLToPath(import.meta.url));
  const shim = fileURLToPath(new URL(`./container-shim${ext}`, import.meta.url));
  return ext === '.ts' ? [process.execPath, '--import', import.meta.resolve('tsx'), shim] : [process.execPath, shim];
}

/** Starts the instance's supervisor and waits until the container runs (or could not start). */
export function launch(s: LaunchSpec, o: { statusPath: string; timeoutMs?: number }): Promise<{ status: ShimStatus; shim: ChildProcess }> {
  const cfg: ShimConfig = { argv: launcherArgv(s), env: s.env, logPath: s.logPath, statusPath: o.statusPath, rootExec: s.tools.unshare };
  const cfgPath = `${s.dir}/shim.json`;
  writeFileSync(cfgPath, JSON.stringify(cfg), { mode: 0o600 });
  const cmd = shimCommand();
  const errFd = openSync(`${s.dir}/shim.log`, 'a');
  const child = spawn(cmd[0], [...cmd.slice(1), cfgPath], { detached: true, stdio: ['ignore', 'pipe', errFd], env: {} });
  closeSync(errFd);
  child.unref();
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`the container supervisor did not report within ${o.timeoutMs ?? 30_000} ms`)), o.timeoutMs ?? 30_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(e);
    };
    child.on('error', fail);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve({ status: JSON.parse(out.slice(0, nl)), shim: child });
      } catch (e) {
        reject(e as Error);
      }
      (child.stdout as any).unref?.();
    });
    child.stdout!.on('end', () => out.includes('\n') || fail(new Error(`the container supervisor ended without reporting (see ${s.dir}/shim.log)`)));
  });
}
