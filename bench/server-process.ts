// The berth server under test as a real separate process: started with `berth server --port 0
// --store sqlite` (or `berth up --port 0` with extra arguments such as `--nodes N`) on a temp data
// dir (optionally under `node --cpu-prof`), ready when /readyz is 200, stopped by its own PID with
// SIGTERM. Also reads /proc for any PID's RSS and CPU time.
// Deliberately absent: load and measurement logic (bench/run.ts and the load worker own those).

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

/** The repository root: this file runs as dist/bench/server-process.js. */
export const REPO = resolve(fileURLToPath(import.meta.url), '../../..');

/** The node flags on bin/berth.js's first line (`#!/usr/bin/env -S node FLAGS`). */
export const BERTH_NODE_FLAGS: string[] = readFileSync(join(REPO, 'bin', 'berth.js'), 'utf8').split('\n')[0]!.split(/\s+/).slice(3);

export interface ServerProcess {
  url: string;
  pid: number;
  /** performance.now() of the spawn: a --cpu-prof profile's clock starts about then. */
  spawnedAt: number;
  output(): string;
  /** The server's garbage-collection pauses so far (from --trace-gc), on the spawn-relative clock. */
  gcPauses(): GcPause[];
  stop(): Promise<number | null>;
}

export interface GcPause {
  /** Milliseconds after the server's isolate started (about spawnedAt). */
  atMs: number;
  pauseMs: number;
  kind: string;
}

const GC_LINE = /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: ([A-Za-z-]+(?: \([a-z]+\))?)[^,]*, ([\d.]+) \/ [\d.]+ ms/gm;

export interface StartOptions {
  dataDir: string;
  cpuProfDir?: string;
  nodeArgs?: string[];
  /** `server` (the default: `--store sqlite`, no agents) or `up` (sqlite, agents with `--nodes`). */
  command?: 'server' | 'up';
  /** More berth arguments, e.g. ['--nodes', '100', '--runtime', 'simulated']. */
  args?: string[];
  /** How long start-up may take until the kubeconfig line and /readyz (default 30 s). */
  startTimeoutMs?: number;
}

export async function startServer(opts: StartOptions): Promise<ServerProcess> {
  // --trace-gc prints one line per collection: cheap, and it explains latency spikes.
  // The server runs with the node flags `berth` and `npm start` give it (bin/berth.js's first line).
  const nodeArgs = ['--trace-gc', ...BERTH_NODE_FLAGS, ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []), ...(opts.nodeArgs ?? [])];
  const command = opts.command ?? 'server';
  const storeArgs = command === 'server' ? ['--store', 'sqlite'] : [];
  const args = [...nodeArgs, join(REPO, 'bin', 'berth.js'), command, '--port', '0', '--dns-port', '0', '--data-dir', opts.dataDir, ...storeArgs, ...(opts.args ?? [])];
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const spawnedAt = performance.now();
  const proc: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  // A server that does not come up is stopped by its PID rather than left running.
  const abandon = (e: unknown): never => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid!, 'SIGKILL');
    throw e;
  };
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`berth ${command} did not start in ${startTimeoutMs / 1000} s:\n${out}`)), startTimeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      rej(new Error(`berth ${command} exited with ${code} during start-up:\n${out}`));
    };
    proc.once('exit', onExit);
    proc.stdout!.on('data', function check() {
      const m = out.match(/apiserver: listening on (http:\/\/\S+)/);
      if (m && out.includes('export KUBECONFIG=')) {
        clearTimeout(timer);
        proc.off('exit', onExit);
        proc.stdout!.off('data', check);
        res(m[1]!);
      }
    });
  }).catch(abandon);
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    const r = await fetch(`${url}/readyz`).catch(() => undefined);
    if (r?.status === 200) break;
    if (Date.now() > deadline) abandon(new Error(`berth ${command} at ${url} never answered /readyz with 200:\n${out}`));
    await new Promise((r2) => setTimeout(r2, 50));
  }
  return {
    url,
    pid: proc.pid!,
    spawnedAt,
    output: () => out,
    gcPauses: () => [...out.matchAll(GC_LINE)].map((m) => ({ atMs: Number(m[1]), kind: m[2]!, pauseMs: Number(m[3]) })),
    async stop() {
      if (proc.exitCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
      process.kill(proc.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(proc.pid!, 'SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface Memory {
  rssMB: number;
  /** Peak RSS since the process started. */
  hwmMB: number;
}

export function memoryOf(pid: number | 'self'): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
  return { rssMB: Math.round(kb('VmRSS') / 102.4) / 10, hwmMB: Math.round(kb('VmHWM') / 102.4) / 10 };
}

/** User + system CPU seconds the process has used so far (all its threads). */
export function cpuSecondsOf(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / CLOCK_TICKS;
}

// sysconf(_SC_CLK_TCK) is 100 on every Linux Node runs on in practice.
const CLOCK_TICKS = 100;

/** Busy CPU seconds of the whole machine so far (all cores; idle and iowait excluded). */
export function machineBusySeconds(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const t = first.trim().split(/\s+/).slice(1).map(Number);
  const total = t.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal; guest is already in user
  return (total - (t[3] ?? 0) - (t[4] ?? 0)) / CLOCK_TICKS;
}
