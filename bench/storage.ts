// Issue 3's storage figures against a real `berth server`: static binding (N PersistentVolumes and
// N claims created from 16 clients; the time from the last create's acknowledgement until every
// claim is Bound) and dynamic provisioning with berth.dev/nfs-subdir (N claims of an Immediate class
// until all are Bound to their provisioned volumes). Completion is read from a watch on the claims,
// timestamped as the events arrive.
// Deliberately absent: judging the figures (bench/run.ts compares them with the targets).

import { performance } from 'node:perf_hooks';
import { LoadClient, openWatch } from './http-client.js';

export interface BindingRun {
  pairs: number;
  /** From the first create sent to the last create acknowledged. */
  createSeconds: number;
  /** From the last create acknowledged to the last claim seen Bound. */
  boundAfterLastCreateSeconds: number;
  /** From the first create sent to the last claim Bound. */
  totalSeconds: number;
  bound: number;
  errors: number;
  firstError?: string;
}

const CONCURRENCY = 16;

function volume(name: string, cls: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: cls,
      persistentVolumeReclaimPolicy: 'Retain',
      nfs: { server: 'nfs.example.com', path: `/exports/${name}` },
    },
  };
}

function claim(name: string, namespace: string, cls: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: '1Gi' } } },
  };
}

async function post(c: LoadClient, path: string, body: unknown, run: BindingRun): Promise<void> {
  const r = await c.request('POST', path, { body: JSON.stringify(body), contentType: 'application/json', expect: 201 });
  if (r.status !== 201) {
    run.errors++;
    run.firstError ??= `${r.status} ${r.body?.slice(0, 200)}`;
  }
}

/** Creates the objects of `items` from 16 clients, watching claims in `namespace` until `pairs` are Bound. */
async function runUntilBound(url: string, namespace: string, pairs: number, items: (i: number) => [string, unknown][], timeoutMs: number): Promise<BindingRun> {
  const run: BindingRun = { pairs, createSeconds: 0, boundAfterLastCreateSeconds: NaN, totalSeconds: NaN, bound: 0, errors: 0 };
  const watch = openWatch(url, `/api/v1/namespaces/${namespace}/persistentvolumeclaims?watch=true`);
  await watch.opened;
  const client = new LoadClient(url, { sockets: CONCURRENCY });
  const bound = new Set<string>();
  let lastBoundAt = 0;
  let seen = 0;
  const drain = () => {
    for (; seen < watch.lines.length; seen++) {
      const { at, line } = watch.lines[seen];
      const ev = JSON.parse(line);
      const o = ev.object;
      if (ev.type !== 'DELETED' && o?.status?.phase === 'Bound' && !bound.has(o.metadata.name)) {
        bound.add(o.metadata.name);
        lastBoundAt = at;
      }
    }
  };
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < pairs; i = next++) for (const [path, body] of items(i)) await post(client, path, body, run);
    }),
  );
  const lastCreate = performance.now();
  run.createSeconds = (lastCreate - t0) / 1000;
  const deadline = lastCreate + timeoutMs;
  while (performance.now() < deadline) {
    drain();
    if (bound.size >= pairs) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  drain();
  watch.close();
  client.close();
  run.bound = bound.size;
  if (bound.size >= pairs) {
    run.boundAfterLastCreateSeconds = Math.max(0, lastBoundAt - lastCreate) / 1000;
    run.totalSeconds = (lastBoundAt - t0) / 1000;
  }
  return run;
}

/** N static PV/PVC pairs of a fresh class, each pair created together (volume, then claim). */
export function benchStaticBinding(url: string, opts: { pairs: number; namespace: string; timeoutMs: number }): Promise<BindingRun> {
  const cls = `static-${opts.namespace}`;
  return runUntilBound(
    url,
    opts.namespace,
    opts.pairs,
    (i) => [
      ['/api/v1/persistentvolumes', volume(`${opts.namespace}-pv-${i}`, cls)],
      [`/api/v1/namespaces/${opts.namespace}/persistentvolumeclaims`, claim(`c-${i}`, opts.namespace, cls)],
    ],
    opts.timeoutMs,
  );
}

/** N claims of an Immediate berth.dev/nfs-subdir class (the class is created by the caller). */
export function benchDynamicProvisioning(url: string, opts: { claims: number; namespace: string; storageClass: string; timeoutMs: number }): Promise<BindingRun> {
  return runUntilBound(
    url,
    opts.namespace,
    opts.claims,
    (i) => [[`/api/v1/namespaces/${opts.namespace}/persistentvolumeclaims`, claim(`d-${i}`, opts.namespace, opts.storageClass)]],
    opts.timeoutMs,
  );
}
