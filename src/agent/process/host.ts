// Small host helpers of the process runtime: running a host command (argv, optional stdin) with
// its output collected, the absolute paths of the tools the container launcher uses, and process
// identity from /proc (a PID plus its start time, so a reused PID is never mistaken for ours).
// Deliberately absent: anything container-specific.

import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv to completion; rejects with its stderr when it fails (unless `allowFail`). */
export function run(argv: string[], opts: { input?: string; allowFail?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(argv[0], argv.slice(1), { env: opts.env ?? process.env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0;
      if (err && !opts.allowFail) reject(new Error(`${argv.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of a program found in the usual system directories, or undefined. */
export function which(name: string, dirs: string[] = SYSTEM_PATH): string | undefined {
  for (const d of dirs) {
    try {
      accessSync(`${d}/${name}`, constants.X_OK);
      return `${d}/${name}`;
    } catch {
      // next
    }
  }
  return undefined;
}

/** The start time of a process (clock ticks since boot, /proc/<pid>/stat field 22), if it exists. */
export function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** Whether the process `pid` started at `start` is still there (and not a zombie). */
export function isAlive(pid: number | undefined, start: number | undefined): boolean {
  if (!pid || start === undefined) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && Number(fields[19]) === start;
  } catch {
    return false;
  }
}

/** The children of a process (its main thread's). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Sends a signal to the process `pid` started at `start`; false when it is gone. */
export function signalProcess(pid: number | undefined, o: { start: number | undefined; signal: NodeJS.Signals }): boolean {
  if (!isAlive(pid, o.start)) return false;
  try {
    process.kill(pid!, o.signal);
    return true;
  } catch {
    return false;
  }
}

/** Starts a long-lived process outside the agent's session (it outlives the agent). */
export function spawnDetached(argv: string[], opts: { env?: NodeJS.ProcessEnv } = {}): number {
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: 'ignore', env: opts.env ?? {} });
  child.on('error', () => undefined);
  child.unref();
  return child.pid ?? 0;
}
