// Round trips of `kubectl exec <pod> -- true` against a running berth, measured three ways so that
// kubectl's own cost can be told apart from berth's: the real kubectl from spawn to exit; the same
// exec as a raw WebSocket (v5.channel.k8s.io, the `ws` package) from the connect to the error
// channel's Success status and to the close; and `kubectl version --client` from spawn to exit (a Go
// process starting and exiting, with no request at all).
// Deliberately absent: creating the pod (the caller passes a Running one), tty and stdin sessions.

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { summarise } from './stats.js';
import type { LatencySummary } from './stats.js';

export interface ExecTimings {
  kubectl: LatencySummary;
  /** The raw WebSocket: open -> Success status on channel 3. */
  wsStatus: LatencySummary;
  /** The raw WebSocket: open -> close (what a client waits for before it can exit). */
  wsClose: LatencySummary;
  kubectlVersion: LatencySummary;
  failures: number;
  firstFailure?: string;
}

export interface ExecOptions {
  url: string;
  kubeconfig: string;
  /** kubectl's --cache-dir (its discovery cache, warmed by the untimed first run). */
  cacheDir: string;
  namespace: string;
  pod: string;
  runs: number;
}

function timeSpawn(cmd: string, args: string[]): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ ms: performance.now() - t0, code, stderr }));
  });
}

/** One exec over the raw WebSocket; throws unless the status says Success. */
function wsExec(o: ExecOptions, timeoutMs = 10_000): Promise<{ statusMs: number; closeMs: number }> {
  const u = new URL(o.url);
  const path = `/api/v1/namespaces/${o.namespace}/pods/${o.pod}/exec?command=true&stdout=true&stderr=true`;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let statusMs = NaN;
    let status = '';
    const ws = new WebSocket(`ws://${u.host}${path}`, ['v5.channel.k8s.io'], { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`raw exec did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('message', (data: Buffer) => {
      if (data[0] === 3) {
        statusMs = performance.now() - t0;
        status = data.subarray(1).toString('utf8');
      }
    });
    ws.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.once('close', () => {
      const closeMs = performance.now() - t0;
      clearTimeout(timer);
      if (!status.includes('"Success"')) reject(new Error(`raw exec ended without Success: ${status || '(no status)'}`));
      else resolve({ statusMs, closeMs });
    });
  });
}

export async function timeExec(o: ExecOptions): Promise<ExecTimings> {
  const kubectlArgs = ['--kubeconfig', o.kubeconfig, '--cache-dir', o.cacheDir, '-n', o.namespace, 'exec', o.pod, '--', 'true'];
  let failures = 0;
  let firstFailure: string | undefined;
  const fail = (what: string): void => {
    failures++;
    firstFailure ??= what;
  };
  // Untimed warm-ups: kubectl's discovery cache, the API server's agent connection, the exec path's JIT.
  await timeSpawn('kubectl', kubectlArgs);
  await wsExec(o).catch((e: Error) => fail(e.message));

  // Interleaved, so that a change in the machine's load touches the three figures alike.
  const kubectl: number[] = [];
  const wsStatus: number[] = [];
  const wsClose: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    const k = await timeSpawn('kubectl', kubectlArgs);
    if (k.code === 0) kubectl.push(k.ms);
    else fail(`kubectl exec exited ${k.code}: ${k.stderr.trim()}`);
    try {
      const w = await wsExec(o);
      wsStatus.push(w.statusMs);
      wsClose.push(w.closeMs);
    } catch (e) {
      fail((e as Error).message);
    }
    const v = await timeSpawn('kubectl', ['version', '--client']);
    if (v.code === 0) version.push(v.ms);
  }
  return { kubectl: summarise(kubectl), wsStatus: summarise(wsStatus), wsClose: summarise(wsClose), kubectlVersion: summarise(version), failures, firstFailure };
}
