// Issue 2's creates once more, against `berth server` as users run it: every controller and the
// scheduler on, so each pod also costs the scheduler's FailedScheduling event and PodScheduled status
// write (no nodes here), three writes per pod. Also where the idle RSS of the full server is read.
// The API figures proper (bench/run.ts) come from `berth server --controllers=-*`: the API server
// alone, the way kube-apiserver is measured apart from kube-scheduler and kube-controller-manager.
// Deliberately absent: the other API phases (they would only repeat run.ts's on a busier server).

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiLoad } from './api-load.js';
import type { CreatesResult } from './api-phases.js';
import { cpuSecondsOf, memoryOf, startServer } from './server-process.js';

export interface ControlPlaneCreates {
  idleRssMB: number;
  creates: CreatesResult;
  serverCpuPercent: number;
  /** Store writes per created pod during the phase (the scheduler's included), from resourceVersions. */
  writesPerPod: number;
}

export async function runControlPlaneCreates(
  root: string,
  say: (l: string) => void,
  opts: { pods: number; concurrency: number; nodeArgs?: string[] },
): Promise<ControlPlaneCreates> {
  say('starting berth server with every controller (the default) for the idle RSS and the creates with the scheduler on');
  const srv = await startServer({ dataDir: join(root, 'control-plane'), nodeArgs: opts.nodeArgs });
  const load = new ApiLoad(srv.url);
  try {
    await sleep(2000);
    const idleRssMB = memoryOf(srv.pid).rssMB;
    const ns = await fetch(`${srv.url}/api/v1/namespaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }),
    });
    if (ns.status !== 201) throw new Error(`namespace bench: ${ns.status} ${await ns.text()}`);
    say(`creates with every controller on: 1,000 warm-up, then ${opts.pods} pods from ${opts.concurrency} clients`);
    await load.run('creates', { namespace: 'bench', count: 1000, concurrency: opts.concurrency, namePrefix: 'warm-' });
    const rv0 = await revision(srv.url);
    const cpu0 = cpuSecondsOf(srv.pid);
    const t0 = performance.now();
    const { result } = await load.run('creates', { namespace: 'bench', count: opts.pods, concurrency: opts.concurrency, namePrefix: 'p-' });
    const serverCpuPercent = Math.round(((cpuSecondsOf(srv.pid) - cpu0) * 100_000) / (performance.now() - t0));
    // The scheduler may still be catching up: wait until the revision stops moving.
    let rv = await revision(srv.url);
    for (let last = -1; rv !== last; rv = await revision(srv.url)) {
      last = rv;
      await sleep(500);
    }
    return { idleRssMB, creates: result, serverCpuPercent, writesPerPod: Math.round(((rv - rv0) / opts.pods) * 100) / 100 };
  } finally {
    await load.stop();
    await srv.stop();
  }
}

async function revision(url: string): Promise<number> {
  const r = await fetch(`${url}/api/v1/namespaces/bench/pods?limit=1`);
  return Number(((await r.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
}
