// The storage part of `npm run bench`: a fresh `berth server` (so the controllers start from an
// empty store), then 1,000 and 10,000 static PV/PVC pairs and 1,000 dynamically provisioned
// nfs-subdir claims, each reported against issue 3's targets and as a ratio to the raw store's
// create rate measured in the same run.

import { join } from 'node:path';
import { startServer } from './server-process.js';
import { benchDynamicProvisioning, benchStaticBinding } from './storage.js';
import type { BindingRun } from './storage.js';
import type { Row } from './report.js';

export interface StorageResults {
  static1k: BindingRun;
  static10k: BindingRun;
  dynamic1k: BindingRun;
}

async function setup(url: string, path: string, body: unknown): Promise<void> {
  const r = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${await r.text()}`);
}

export async function runStoragePhases(root: string, say: (l: string) => void): Promise<StorageResults> {
  const srv = await startServer({ dataDir: join(root, 'storage-server') });
  try {
    for (const ns of ['pairs-1k', 'pairs-10k', 'dynamic-1k']) await setup(srv.url, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await setup(srv.url, '/apis/storage.k8s.io/v1/storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'bench-nfs' },
      provisioner: 'berth.dev/nfs-subdir',
      parameters: { exportPath: join(root, 'nfs-export') },
    });
    say('storage: 1,000 static PV/PVC pairs from 16 clients, until every claim is Bound');
    const static1k = await benchStaticBinding(srv.url, { pairs: 1000, namespace: 'pairs-1k', timeoutMs: 60_000 });
    say('storage: 10,000 static PV/PVC pairs from 16 clients, until every claim is Bound');
    const static10k = await benchStaticBinding(srv.url, { pairs: 10_000, namespace: 'pairs-10k', timeoutMs: 300_000 });
    say('storage: 1,000 claims of a berth.dev/nfs-subdir class from 16 clients, until every claim is Bound');
    const dynamic1k = await benchDynamicProvisioning(srv.url, { claims: 1000, namespace: 'dynamic-1k', storageClass: 'bench-nfs', timeoutMs: 120_000 });
    return { static1k, static10k, dynamic1k };
  } finally {
    await srv.stop();
  }
}

const secs = (s: number) => (Number.isNaN(s) ? 'not all Bound' : `${s.toFixed(2)} s`);

export function storageRows(r: StorageResults, rawCreatesPerSecond: number): Row[] {
  // Objects bound per second over the whole run, against the raw store's creates per second: a
  // static pair costs 2 creates + 5 writes (Available, the 4 writes of the bind).
  const perSecond = (run: BindingRun) => (Number.isNaN(run.totalSeconds) ? 0 : Math.round(run.pairs / run.totalSeconds));
  const row = (label: string, run: BindingRun, targetS: number, writesPerItem: number): Row[] => [
    {
      metric: `${label}: Bound after last create`,
      value: secs(run.boundAfterLastCreateSeconds),
      target: `<= ${targetS} s`,
      pass: run.bound === run.pairs && run.errors === 0 && run.boundAfterLastCreateSeconds <= targetS,
      ratio: `${run.bound}/${run.pairs} Bound, ${run.errors} errors`,
    },
    {
      metric: `   ${label}: creates took / first create to all Bound`,
      value: `${run.createSeconds.toFixed(2)} / ${secs(run.totalSeconds)}`,
      ratio: `${perSecond(run)}/s = ${((perSecond(run) * writesPerItem) / rawCreatesPerSecond).toFixed(2)}x of raw ${rawCreatesPerSecond} writes/s (${writesPerItem} writes each)`,
    },
  ];
  return [
    ...row('6. bind 1,000 static pairs', r.static1k, 2, 7),
    ...row('6. bind 10,000 static pairs', r.static10k, 20, 7),
    // A provisioned claim: create, hand-off annotation, PV create, PV Bound, claim bind, claim status, 3 events.
    ...row('7. provision 1,000 nfs-subdir claims', r.dynamic1k, 5, 9),
  ];
}
