// The files of a new container instance, before its launch: its directory with the overlay's
// upper, work and merged directories, an empty termination-log, its CRI log file (appended to by
// every instance of the container), nginx's configuration in the writable layer for the nginx
// images, and the instance's metadata (id, image, env, working directory, log path) as the
// runtime records it.

import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ContainerKind } from '../runtime.js';
import type { planContainer } from './container-plan.js';
import { nginxFiles, processImageID } from './image-map.js';
import type { InstanceMeta, PodStore } from './pod-store.js';

export async function prepareInstance(
  store: PodStore,
  o: { podUid: string; kind: ContainerKind; attempt: number; container: any; plan: Awaited<ReturnType<typeof planContainer>>; now: Date },
): Promise<{ id: string; dir: string; meta: InstanceMeta }> {
  const c = o.container;
  const id = randomBytes(32).toString('hex');
  const dir = store.instanceDir(o.podUid, id);
  const meta: InstanceMeta = {
    name: c.name,
    kind: o.kind,
    id,
    image: c.image,
    imageID: processImageID(c.image),
    attempt: o.attempt,
    createdAt: o.now.toISOString(),
    env: o.plan.env,
    workingDir: o.plan.workingDir,
    logPath: store.logPath(o.podUid, { name: c.name, attempt: o.attempt }),
    terminationMessagePolicy: c.terminationMessagePolicy,
  };
  await Promise.all(['upper', 'work', 'merged'].map((d) => mkdir(join(dir, d), { recursive: true })));
  await mkdir(dirname(meta.logPath), { recursive: true });
  await writeFile(join(dir, 'termination-log'), '', { mode: 0o666 });
  await writeFile(meta.logPath, '', { flag: 'a', mode: 0o640 });
  if (o.plan.builtIn === 'nginx' || o.plan.builtIn?.endsWith('/nginx-slim')) {
    for (const [path, text] of Object.entries(nginxFiles())) {
      await mkdir(dirname(join(dir, 'upper', path)), { recursive: true });
      await writeFile(join(dir, 'upper', path), text);
    }
  }
  return { id, dir, meta };
}
