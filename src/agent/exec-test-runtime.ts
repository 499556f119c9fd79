// Test support for exec and logs until the process runtime lands: the simulated runtime plus
// exec (the command runs on the host via child_process; a tty through util-linux `script`) and
// logPath (CRI files under `logDir/<pod uid>/<container>/<attempt>.log`, which tests write with
// writeLog). Not used outside tests.

import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { createSimulatedRuntime } from './simulated-runtime.js';
import type { SimulatedRuntimeOptions } from './simulated-runtime.js';
import type { ExecRequest, ExecSession, LogRequest, Runtime } from './runtime.js';

export interface ExecTestRuntime extends Runtime {
  /** Appends CRI lines to the log of a container instance (default: the latest). */
  writeLog(podUid: string, container: string, lines: { time?: string; stream?: 'stdout' | 'stderr'; text: string; partial?: boolean }[], attempt?: number): void;
  /** Every exec session started and not yet ended, for clean-up checks. */
  readonly running: Set<number>;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function createExecTestRuntime(opts: { logDir: string; simulated?: SimulatedRuntimeOptions }): ExecTestRuntime {
  const inner = createSimulatedRuntime(opts.simulated);
  const running = new Set<number>();
  const instances = (uid: string, name: string) => inner.pod(uid)?.containers.filter((c) => c.name === name) ?? [];
  const fileOf = (uid: string, name: string, attempt: number) => join(opts.logDir, uid, name, `${attempt}.log`);

  const exec = async (req: ExecRequest): Promise<ExecSession> => {
    const c = instances(req.podUid, req.container).at(-1);
    if (!c || c.phase !== 'running') throw new Error(`container ${req.container} is not running`);
    const [file, args] = req.tty ? ['script', ['-qfec', req.command.map(shellQuote).join(' '), '/dev/null']] : [req.command[0], req.command.slice(1)];
    const child = spawn(file, args as string[], { stdio: [req.stdin ? 'pipe' : 'ignore', 'pipe', req.tty ? 'ignore' : 'pipe'] });
    if (child.pid) running.add(child.pid);
    const exit = new Promise<{ exitCode: number }>((resolve) => {
      child.once('error', () => resolve({ exitCode: 127 }));
      child.once('exit', (code, signal) => {
        if (child.pid) running.delete(child.pid);
        resolve({ exitCode: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15) });
      });
    });
    return {
      stdin: child.stdin ?? undefined,
      stdout: child.stdout!,
      stderr: req.tty ? undefined : child.stderr!,
      resize: () => undefined,
      exit,
      kill: () => void child.kill('SIGKILL'),
    };
  };

  const logPath = (req: LogRequest): string | undefined => {
    const all = instances(req.podUid, req.container);
    const c = req.previous ? all.at(-2) : all.at(-1);
    return c ? fileOf(req.podUid, req.container, c.attempt) : undefined;
  };

  return {
    type: inner.type,
    version: inner.version,
    running,
    nodeInfo: (n) => inner.nodeInfo(n),
    watch: (l) => inner.watch(l),
    pod: (uid) => inner.pod(uid),
    pods: () => inner.pods(),
    adopt: (pod: KObject) => inner.adopt(pod),
    runSandbox: (s) => inner.runSandbox(s),
    startContainer: (uid, s) => inner.startContainer(uid, s),
    stopContainer: (uid, n, o) => inner.stopContainer(uid, n, o),
    removePod: (uid) => inner.removePod(uid),
    probe: (r) => inner.probe(r),
    exec,
    logPath,
    close: () => inner.close(),
    writeLog(uid, container, lines, attempt) {
      const a = attempt ?? instances(uid, container).at(-1)?.attempt ?? 0;
      const f = fileOf(uid, container, a);
      mkdirSync(join(opts.logDir, uid, container), { recursive: true });
      const text = lines.map((l) => `${l.time ?? new Date().toISOString()} ${l.stream ?? 'stdout'} ${l.partial ? 'P' : 'F'} ${l.text}\n`).join('');
      appendFileSync(f, text);
    },
  };
}
