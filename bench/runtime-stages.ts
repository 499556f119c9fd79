// Where the agent's part of a process pod's start went, read from the runtime's own files under the
// berth data dir (…/pods/<uid>/, see src/agent/process/pod-store.ts) by their birth and modification
// times (ext4: nanoseconds), converted onto the bench's performance.now() clock: the pod directory
// born (sandbox begun), etc/ born (netns and veth made), pod.json last written (pause process up:
// sandbox done), the container's directory born (container start begun), shim.json written (the
// supervisor being spawned), status.json written (the supervisor reports the container's init
// process running); and, from the kernel, when the shim and the launcher it spawned started (to
// +-10 ms). Status fields carry whole seconds only; these files are the finer record.
// Deliberately absent: anything the runtime does not leave on disk (probe runs, status writes).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface RuntimeStages {
  sandboxBegun?: number;
  networkDone?: number;
  sandboxDone?: number;
  containerBegun?: number;
  shimSpawned?: number;
  /** Process start times (/proc/<pid>/stat, 10 ms ticks since boot), so +-10 ms. */
  shimProcessStarted?: number;
  launcherStarted?: number;
  containerRunning?: number;
  /** CPU milliseconds of the shim (Node booting, its two mkfifo) and of the container's setup (the
   * mount/mkdir/ln processes its init reaped before it became the command). */
  shimCpuMs?: number;
  setupCpuMs?: number;
}

export const RUNTIME_STAGES: [keyof RuntimeStages, string][] = [
  ['sandboxBegun', 'agent: sandbox begun (pod dir)'],
  ['networkDone', 'agent: netns + veth made (etc/ dir)'],
  ['sandboxDone', 'agent: pause process up (pod.json)'],
  ['containerBegun', 'agent: container start begun (its dir)'],
  ['shimSpawned', 'agent: shim spawned (shim.json)'],
  ['shimProcessStarted', 'shim: process started (+-10 ms)'],
  ['launcherStarted', 'shim: launcher spawned, Node booted (+-10 ms)'],
  ['containerRunning', 'shim: container init running (status.json)'],
];

/** Wall-clock milliseconds on the performance.now() clock. */
const onBenchClock = (wallMs: number) => wallMs - performance.timeOrigin;

function born(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const s = statSync(path);
  // birthtime is 0 (the epoch) where the file system does not record it: fall back to mtime.
  return onBenchClock(s.birthtimeMs > 0 ? s.birthtimeMs : s.mtimeMs);
}

function modified(path: string): number | undefined {
  return existsSync(path) ? onBenchClock(statSync(path).mtimeMs) : undefined;
}

const TICK_MS = 10;

/** Boot time on the bench's clock, to place /proc start times (ticks since boot) on it. */
function bootOnBenchClock(): number {
  const uptimeS = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  return onBenchClock(Date.now() - uptimeS * 1000);
}

function statFields(pid: number | undefined): string[] | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function processStart(pid: number | undefined, boot: number): number | undefined {
  const f = statFields(pid);
  return f && boot + Number(f[19]) * TICK_MS;
}

/** utime + stime + cutime + cstime, in milliseconds. */
function cpuMsOf(pid: number | undefined): number | undefined {
  const f = statFields(pid);
  return f && (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
}

/** The directory holding pods/<uid>/pod.json under the data dir (the agent's runtime root), if any. */
function findPodsDir(dir: string, depth: number): string | undefined {
  if (depth < 0 || !existsSync(dir)) return undefined;
  const pods = join(dir, 'pods');
  if (existsSync(pods) && readdirSync(pods).some((u) => existsSync(join(pods, u, 'pod.json')))) return pods;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (!d.isDirectory() || d.name === 'volumes') continue;
    const found = findPodsDir(join(dir, d.name), depth - 1);
    if (found) return found;
  }
  return undefined;
}

/** The stages of every pod the runtime holds now, by `namespace/name`. */
export function readRuntimeStages(dataDir: string): Map<string, RuntimeStages> {
  const out = new Map<string, RuntimeStages>();
  const boot = bootOnBenchClock();
  const pods = findPodsDir(dataDir, 4);
  if (!pods) return out;
  for (const uid of readdirSync(pods)) {
    const dir = join(pods, uid);
    let meta: { namespace: string; name: string };
    try {
      meta = JSON.parse(readFileSync(join(dir, 'pod.json'), 'utf8'));
    } catch {
      continue;
    }
    const s: RuntimeStages = { sandboxBegun: born(dir), networkDone: born(join(dir, 'etc')), sandboxDone: modified(join(dir, 'pod.json')) };
    const containers = join(dir, 'containers');
    // The first container instance (these pods have one container that never restarted).
    const first = existsSync(containers)
      ? readdirSync(containers)
          .map((id) => join(containers, id))
          .sort((a, b) => (born(a) ?? 0) - (born(b) ?? 0))[0]
      : undefined;
    if (first) {
      Object.assign(s, { containerBegun: born(first), shimSpawned: modified(join(first, 'shim.json')), containerRunning: modified(join(first, 'status.json')) });
      try {
        const st: { shimPid?: number; shimStart?: number; launcherPid?: number; initPid?: number } = JSON.parse(readFileSync(join(first, 'status.json'), 'utf8'));
        if (st.shimStart !== undefined) s.shimProcessStarted = boot + st.shimStart * TICK_MS;
        // The launcher's shell waits for the container, so it is there while the pod runs.
        s.launcherStarted = processStart(st.launcherPid, boot);
        s.shimCpuMs = cpuMsOf(st.shimPid);
        s.setupCpuMs = cpuMsOf(st.initPid);
      } catch {
        // No status yet: the shim did not report.
      }
    }
    out.set(`${meta.namespace}/${meta.name}`, s);
  }
  return out;
}
