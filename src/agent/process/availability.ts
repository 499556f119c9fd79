// Whether this machine can run the process runtime, asked once at agent start (the agent falls back
// to `simulated` and prints the reason when it cannot): root, the host programs the runtime uses
// (ip, nsenter, unshare, mount, sh), new mount/UTS/IPC/PID/network namespaces, and an overlay
// with the host's root as its lower layer. Each check really tries (a throwaway namespace set and
// overlay under the system's temporary directory, removed at once).
// Deliberately absent: checks of optional features (nginx for the nginx image, node-pty for tty).

import { mkdtemp, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTools } from './container-launch.js';
import { run, which } from './host.js';

export async function processRuntimeAvailable(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: `the process runtime needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'the process runtime needs root (namespaces, mounts and network devices)' };
  const tools = findTools();
  if (typeof tools === 'string') return { ok: false, reason: tools };
  if (!which('ip')) return { ok: false, reason: 'missing host program: ip (iproute2)' };
  const dir = await mkdtemp(join(tmpdir(), 'berth-probe-'));
  try {
    await Promise.all(['upper', 'work', 'merged'].map((d) => mkdir(join(dir, d))));
    const script = `${tools.mount} -t overlay overlay -o lowerdir=/,upperdir=${dir}/upper,workdir=${dir}/work ${dir}/merged && ${tools.mount} -t proc proc ${dir}/merged/proc`;
    const res = await run([tools.unshare, '--mount', '--uts', '--ipc', '--pid', '--net', '--fork', '--', tools.sh, '-c', script], { allowFail: true });
    if (res.code !== 0) return { ok: false, reason: `cannot create namespaces with an overlay root: ${res.stderr.trim() || `exit ${res.code}`}` };
    return { ok: true };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
