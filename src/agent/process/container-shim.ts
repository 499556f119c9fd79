// The per-container supervisor (like containerd's shim), run as its own detached process so a
// container outlives the agent: it starts the container's launcher (argv from its config file,
// with the container's environment), writes the container's stdout and stderr to the instance's
// CRI log file, finds the container's init process (the launcher's child, PID 1 of the container's
// PID namespace), records it in the status file and prints it as one line on its stdout (which the
// agent waits for), and when the container ends records the exit (code, or 128 + signal) and the
// finish time, then exits. The agent reads the status file again after its own restart.
// Usage: node container-shim.js <config.json>. Deliberately absent: stdin (kubectl attach).

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants as fsc, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { CriLogWriter } from './cri-log.js';
import { childrenOf, startTimeOf } from './host.js';

export interface ShimConfig {
  argv: string[];
  env: Record<string, string>;
  logPath: string;
  statusPath: string;
  /** The program the launcher execs into the container's root with (its setup is done once the
   * init process runs something else). */
  rootExec: string;
}

export interface ShimStatus {
  shimPid: number;
  shimStart?: number;
  launcherPid?: number;
  initPid?: number;
  initStart?: number;
  startedAt?: string;
  exitCode?: number;
  finishedAt?: string;
  /** Set when the launcher could not be started at all. */
  error?: string;
}

function writeStatus(path: string, s: ShimStatus): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(s));
  renameSync(`${path}.tmp`, path);
}

/**
 * A real pipe for a container stream (Node's own stdio pipes are socket pairs, which programs
 * cannot open again through /dev/stdout: nginx logs there). Made as a FIFO, unlinked once open.
 */
function pipe(path: string): { read: Socket; write: number } {
  execFileSync('mkfifo', ['-m', '600', path], { env: { PATH: '/usr/bin:/bin' } });
  const readFd = openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
  const write = openSync(path, fsc.O_WRONLY);
  unlinkSync(path);
  return { read: new Socket({ fd: readFd, readable: true, writable: false }), write };
}

async function main(configPath: string): Promise<void> {
  const cfg: ShimConfig = JSON.parse(readFileSync(configPath, 'utf8'));
  // The agent's terminal and session are not ours: stay up whatever happens to them.
  for (const sig of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGPIPE'] as const) process.on(sig, () => undefined);
  const status: ShimStatus = { shimPid: process.pid, shimStart: startTimeOf(process.pid) };
  const log = new CriLogWriter(cfg.logPath);
  const announce = () => {
    try {
      process.stdout.write(`${JSON.stringify(status)}\n`);
      closeSync(1);
    } catch {
      // The agent is gone; the status file says the same.
    }
  };
  const out = pipe(`${cfg.statusPath}.stdout`);
  const err = pipe(`${cfg.statusPath}.stderr`);
  const child = spawn(cfg.argv[0], cfg.argv.slice(1), { env: cfg.env, stdio: ['ignore', out.write, err.write] });
  closeSync(out.write);
  closeSync(err.write);
  const streams = { stdout: out.read, stderr: err.read };
  status.launcherPid = child.pid;
  let announced = false;
  child.on('error', (e) => {
    status.error = e.message;
    status.exitCode = 128;
    status.finishedAt = new Date().toISOString();
    writeStatus(cfg.statusPath, status);
    if (!announced) (announced = true), announce();
    process.exit(0);
  });
  const open = { stdout: true, stderr: true };
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const finish = () => {
    if (!exit || open.stdout || open.stderr) return;
    status.exitCode = exit.code ?? 128 + (constants.signals[exit.signal!] ?? 9);
    status.finishedAt = new Date().toISOString();
    status.startedAt ??= status.finishedAt;
    void log.close().then(() => {
      writeStatus(cfg.statusPath, status);
      if (!announced) (announced = true), announce();
      process.exit(0);
    });
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    streams[stream].on('data', (b: Buffer) => log.write(stream, b));
    streams[stream].on('error', () => undefined);
    streams[stream].on('close', () => {
      log.end(stream);
      open[stream] = false;
      finish();
    });
  }
  child.on('exit', (code, signal) => {
    exit = { code, signal };
    finish();
  });
  // The init process appears as the launcher's only child; it is the container's process once it
  // has executed something other than the launcher's setup (a signal before that would be lost).
  const cmdline = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      return undefined;
    }
  };
  for (let i = 0; i < 4000 && !exit && child.pid; i++) {
    const [init] = childrenOf(child.pid);
    const now = init ? cmdline(init) : undefined;
    if (init && now !== undefined && now !== cmdline(child.pid) && !now.startsWith(`${cfg.rootExec}\0--root=`)) {
      status.initPid = init;
      status.initStart = startTimeOf(init);
      break;
    }
    await new Promise((r) => setTimeout(r, i < 200 ? 1 : 5));
  }
  status.startedAt ??= new Date().toISOString();
  if (status.exitCode === undefined) writeStatus(cfg.statusPath, status);
  if (!announced) (announced = true), announce();
}

const configPath = process.argv[2];
if (configPath) void main(configPath);
