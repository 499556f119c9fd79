// Running a command inside a running container (kubectl exec, exec probes, exec preStop hooks):
// `nsenter` into the container's init process's mount, UTS, IPC, network and PID namespaces, its
// root (the overlay) and the container's working directory, with the container's environment
// (TERM=xterm added with a tty, as Docker does). Without a tty the streams are plain pipes; with a
// tty the command gets a pseudo-terminal (node-pty) that can be resized, and its output is one
// stream; inside, util-linux script gives it a terminal of the container's own devpts. The exit code is the command's (128 + n after signal n).
// Deliberately absent: the user/group of the container process (everything runs as root).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import type { ExecSession } from '../runtime.js';

export interface ExecTarget {
  nsenter: string;
  initPid: number;
  env: Record<string, string>;
  workingDir: string;
}

export function nsenterArgv(t: ExecTarget, command: string[]): string[] {
  return [t.nsenter, `--target=${t.initPid}`, '--mount', '--uts', '--ipc', '--net', '--pid', '--root', `--wdns=${t.workingDir}`, '--', ...command];
}

/** A POSIX shell word: the argument between single quotes. */
const shellWord = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;

/**
 * With a tty, the command runs under util-linux `script` inside the container, so its terminal
 * comes from the container's own devpts (`tty` prints /dev/pts/0, as under runc) rather than the
 * host's; script passes size changes on and exits with the command's code. Without script in the
 * image the command gets the outer terminal directly.
 */
function ttyArgv(t: ExecTarget, command: string[]): string[] {
  if (!existsSync(SCRIPT)) return nsenterArgv(t, command);
  return nsenterArgv(t, [SCRIPT, '-qfec', command.map(shellWord).join(' '), '/dev/null']);
}

const SCRIPT = '/usr/bin/script';

const codeOf = (code: number | null, signal: NodeJS.Signals | number | null) =>
  code ?? 128 + (typeof signal === 'number' ? signal : (constants.signals[signal ?? 'SIGKILL'] ?? 9));

/** kubectl exec: the command with its streams. */
export async function startExec(t: ExecTarget, req: { command: string[]; tty: boolean; stdin: boolean; size?: { width: number; height: number } }): Promise<ExecSession> {
  const argv = nsenterArgv(t, req.command);
  if (req.tty) return startTty(t, { argv: ttyArgv(t, req.command), size: req.size });
  const child = spawn(argv[0], argv.slice(1), { env: t.env, stdio: [req.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
  const exit = new Promise<{ exitCode: number }>((resolve) => {
    child.on('error', () => resolve({ exitCode: 126 }));
    child.on('exit', (code, signal) => {
      const exitCode = codeOf(code, signal);
      // Output still buffered in the pipes is delivered before the exit is reported; a background
      // process that keeps them open does not hold the session past a second. The fallback waits
      // a turn (setImmediate: after pending I/O), as a busy event loop may run the timer before
      // it has read the pipes' last bytes.
      let done = false;
      const finish = () => (done ? undefined : ((done = true), resolve({ exitCode })));
      child.on('close', finish);
      setTimeout(() => setImmediate(finish), 1000).unref();
    });
  });
  return {
    stdin: child.stdin ?? undefined,
    stdout: child.stdout!,
    stderr: child.stderr!,
    resize: () => undefined,
    exit,
    kill: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    },
  };
}

async function startTty(t: ExecTarget, o: { argv: string[]; size?: { width: number; height: number } }): Promise<ExecSession> {
  const pty = await import('node-pty');
  const term = pty.spawn(o.argv[0], o.argv.slice(1), {
    name: 'xterm',
    cols: o.size?.width || 80,
    rows: o.size?.height || 24,
    env: { TERM: 'xterm', ...t.env },
  });
  const stdout = new PassThrough();
  term.onData((d) => stdout.write(d));
  const exit = new Promise<{ exitCode: number }>((resolve) => {
    term.onExit(({ exitCode, signal }) => {
      // The terminal's last output arrives just before its exit is reported.
      setTimeout(() => {
        stdout.end();
        resolve({ exitCode: signal ? codeOf(null, signal) : exitCode });
      }, 20);
    });
  });
  const stdin = new Writable({
    write(chunk, _enc, cb) {
      term.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      cb();
    },
  });
  return {
    stdin,
    stdout,
    resize: (size) => {
      if (size.width > 0 && size.height > 0) term.resize(size.width, size.height);
    },
    exit,
    kill: () => term.kill('SIGKILL'),
  };
}

/** A command run to completion within a time limit (exec probes and hooks). */
export function runInContainer(t: ExecTarget, o: { command: string[]; timeoutMs: number }): Promise<{ exitCode: number; output: string; timedOut: boolean }> {
  const argv = nsenterArgv(t, o.command);
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env: t.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let timedOut = false;
    const add = (b: Buffer) => (output.length < 10_240 ? (output += b.toString()) : undefined);
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }, o.timeoutMs);
    child.on('error', (e) => (clearTimeout(timer), resolve({ exitCode: 126, output: e.message, timedOut })));
    child.on('exit', (code, signal) => (clearTimeout(timer), resolve({ exitCode: codeOf(code, signal), output, timedOut })));
  });
}
