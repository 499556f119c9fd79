// Issue 4's workload scenarios against a real `berth up --nodes N --runtime simulated` process: a
// Parallel StatefulSet scaled 0 → N, an OrderedReady StatefulSet of N replicas, Deployments with
// thousands of pods, and the scheduler's bind rate on thousands of bare pods. Progress
// is read from watches, each line timestamped as its bytes arrive (bench/http-client.ts): a pod
// counts once it is seen Running with Ready=True, bound once it is seen with spec.nodeName. Store
// writes are counted from resourceVersions (the store's revision) before and at completion.
// Deliberately absent: judging the figures and the servers' lifecycle (bench/workload-phases.ts).

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadClient, openWatch } from './http-client.js';
import type { WatchStream } from './http-client.js';
import { summarise } from './stats.js';
import type { LatencySummary } from './stats.js';

/** What a scenario saw, in seconds from its start (the first request that starts the work). */
export interface WorkloadRun {
  pods: number;
  /** Pods seen Running and Ready (distinct names). */
  ready: number;
  /** Start to the event that made the last pod Running and Ready (NaN if not all became so). */
  allReadySeconds: number;
  /** Start to the workload objects' status saying all replicas are ready (NaN if never seen). */
  statusReadySeconds: number;
  /** Start to the last pod first seen (created). */
  allCreatedSeconds: number;
  binds: BindStats;
  /** Per pod: first seen → Running and Ready. */
  createdToReady: LatencySummary;
  /** Store writes (revision delta) from the start to the last pod Ready, per pod. */
  writesPerPod: number;
  /** Store writes per second over the same span. */
  writesPerSecond: number;
}

export interface BindStats {
  bound: number;
  /** Binds per second from the first bind seen to the last. */
  perSecond: number;
  /** The most binds seen in any one second. */
  peakPerSecond: number;
  /** Per pod: first seen (created, not yet bound) → first seen with a node. */
  createdToBound: LatencySummary;
  firstBindSeconds: number;
  lastBindSeconds: number;
}

export interface OrderedRun extends WorkloadRun {
  /** allReadySeconds / replicas, in ms. */
  msPerOrdinal: number;
  /** Ready of ordinal i-1 → pod i first seen (the controller's reaction). */
  readyToNextCreated: LatencySummary;
  /** Pod i first seen → Ready (scheduler and agent). */
  createdToReadyPerOrdinal: LatencySummary;
}

export interface SchedulerRun {
  pods: number;
  /** From the first create sent to the last acknowledged. */
  createSeconds: number;
  binds: BindStats;
  /** From the first create to the last bind. */
  allBoundSeconds: number;
  errors: number;
  firstError?: string;
}

const CONCURRENCY = 16;
const BENCH_IMAGE = 'registry.example.com/bench/pause:3.10';

/** A tiny pod template: one container, small requests, no probes, no volumes. */
export function tinyTemplate(labels: Record<string, string>): Record<string, unknown> {
  return {
    metadata: { labels },
    spec: {
      containers: [{ name: 'app', image: BENCH_IMAGE, resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

export function statefulSet(name: string, opts: { namespace: string; replicas: number; policy: 'Parallel' | 'OrderedReady' }): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: opts.namespace },
    spec: {
      replicas: opts.replicas,
      serviceName: name,
      podManagementPolicy: opts.policy,
      selector: { matchLabels: { app: name } },
      template: tinyTemplate({ app: name }),
    },
  };
}

export function deployment(name: string, opts: { namespace: string; replicas: number }): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: opts.namespace },
    spec: { replicas: opts.replicas, selector: { matchLabels: { app: name } }, template: tinyTemplate({ app: name }) },
  };
}

export async function call(url: string, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
  const r = await fetch(`${url}${path}`, { method, headers: { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** The store's current revision (a list's resourceVersion). */
async function revision(url: string): Promise<number> {
  return Number((await call(url, 'GET', '/api/v1/namespaces?limit=1')).metadata.resourceVersion);
}

export async function createNamespace(url: string, name: string): Promise<void> {
  await call(url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

const isReady = (o: any): boolean => o?.status?.phase === 'Running' && !!o.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

/** Pods of one namespace as a watch shows them: when each was first seen, bound and Ready. */
class PodTracker {
  readonly created = new Map<string, number>();
  readonly bound = new Map<string, number>();
  readonly ready = new Map<string, number>();
  /** resourceVersion of the event that made the last counted pod Ready. */
  lastReadyRv = 0;
  private seen = 0;

  constructor(private readonly watch: WatchStream) {}

  drain(): void {
    const lines = this.watch.lines;
    for (; this.seen < lines.length; this.seen++) {
      const { at, line } = lines[this.seen]!;
      const ev = JSON.parse(line);
      const o = ev.object;
      const name = o?.metadata?.name;
      if (ev.type === 'DELETED' || ev.type === 'ERROR' || ev.type === 'BOOKMARK' || !name) continue;
      if (!this.created.has(name)) this.created.set(name, at);
      if (o.spec?.nodeName && !this.bound.has(name)) this.bound.set(name, at);
      if (!this.ready.has(name) && isReady(o)) {
        this.ready.set(name, at);
        this.lastReadyRv = Number(o.metadata.resourceVersion);
      }
    }
  }

  lastReadyAt(): number {
    let max = 0;
    for (const at of this.ready.values()) max = Math.max(max, at);
    return max;
  }

  binds(t0: number): BindStats {
    const times = [...this.bound.values()].sort((a, b) => a - b);
    const first = times[0] ?? NaN;
    const last = times[times.length - 1] ?? NaN;
    let peak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! > 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
    const latencies = [...this.bound].map(([name, at]) => at - (this.created.get(name) ?? at));
    return {
      bound: times.length,
      perSecond: times.length > 1 ? Math.round((times.length - 1) / ((last - first) / 1000)) : 0,
      peakPerSecond: peak,
      createdToBound: summarise(latencies),
      firstBindSeconds: (first - t0) / 1000,
      lastBindSeconds: (last - t0) / 1000,
    };
  }
}

/** The latest status.readyReplicas per object of a workload watch, and when all reached `want`. */
class StatusTracker {
  private readonly readyReplicas = new Map<string, number>();
  private seen = 0;
  allReadyAt = NaN;

  constructor(
    private readonly watch: WatchStream,
    private readonly want: { objects: number; replicasEach: number },
  ) {}

  drain(): void {
    const lines = this.watch.lines;
    for (; this.seen < lines.length; this.seen++) {
      const { at, line } = lines[this.seen]!;
      const ev = JSON.parse(line);
      const name = ev.object?.metadata?.name;
      if (!name || ev.type === 'DELETED' || ev.type === 'BOOKMARK') continue;
      this.readyReplicas.set(name, ev.object.status?.readyReplicas ?? 0);
      if (Number.isNaN(this.allReadyAt) && this.done()) this.allReadyAt = at;
    }
  }

  private done(): boolean {
    if (this.readyReplicas.size < this.want.objects) return false;
    for (const n of this.readyReplicas.values()) if (n < this.want.replicasEach) return false;
    return true;
  }
}

interface Observed {
  pods: PodTracker;
  status: StatusTracker;
  close(): void;
}

async function observe(url: string, namespace: string, workloads: string, want: { objects: number; replicasEach: number }): Promise<Observed> {
  const podWatch = openWatch(url, `/api/v1/namespaces/${namespace}/pods?watch=true`);
  const statusWatch = openWatch(url, `/apis/apps/v1/namespaces/${namespace}/${workloads}?watch=true`);
  await Promise.all([podWatch.opened, statusWatch.opened]);
  return {
    pods: new PodTracker(podWatch),
    status: new StatusTracker(statusWatch, want),
    close: () => {
      podWatch.close();
      statusWatch.close();
    },
  };
}

/** Drains the watches every 20 ms until every pod is Ready and the status says so, or the deadline. */
async function until(o: Observed, pods: number, deadline: number): Promise<void> {
  for (;;) {
    o.pods.drain();
    o.status.drain();
    if (o.pods.ready.size >= pods && !Number.isNaN(o.status.allReadyAt)) return;
    if (performance.now() > deadline) return;
    await sleep(20);
  }
}

function runOf(o: Observed, opts: { pods: number; t0: number; rv0: number }): WorkloadRun {
  const { pods, t0 } = opts;
  const p = o.pods;
  const allReady = p.ready.size >= pods;
  const lastReady = p.lastReadyAt();
  const createdTimes = [...p.created.values()];
  const seconds = (lastReady - t0) / 1000;
  const writes = p.lastReadyRv - opts.rv0;
  return {
    pods,
    ready: p.ready.size,
    allReadySeconds: allReady ? seconds : NaN,
    statusReadySeconds: (o.status.allReadyAt - t0) / 1000,
    allCreatedSeconds: createdTimes.length >= pods ? (Math.max(...createdTimes) - t0) / 1000 : NaN,
    binds: p.binds(t0),
    createdToReady: summarise([...p.ready].map(([name, at]) => at - (p.created.get(name) ?? at))),
    writesPerPod: allReady ? Math.round((10 * writes) / pods) / 10 : NaN,
    writesPerSecond: allReady ? Math.round(writes / seconds) : NaN,
  };
}

/** A Parallel StatefulSet created with 0 replicas, then scaled to `replicas` (the clock starts at the scale request). */
export async function benchParallelScale(url: string, opts: { namespace: string; replicas: number; timeoutMs: number }): Promise<WorkloadRun> {
  const name = 'par';
  await call(url, 'POST', `/apis/apps/v1/namespaces/${opts.namespace}/statefulsets`, statefulSet(name, { namespace: opts.namespace, replicas: 0, policy: 'Parallel' }));
  const stsPath = `/apis/apps/v1/namespaces/${opts.namespace}/statefulsets/${name}`;
  for (let i = 0; i < 100 && (await call(url, 'GET', stsPath)).status?.observedGeneration !== 1; i++) await sleep(50);
  const o = await observe(url, opts.namespace, 'statefulsets', { objects: 1, replicasEach: opts.replicas });
  try {
    const rv0 = await revision(url);
    const t0 = performance.now();
    // As `kubectl scale sts par --replicas=N` does it: a merge patch of the scale subresource.
    await call(url, 'PATCH', `${stsPath}/scale`, { spec: { replicas: opts.replicas } }, 'application/merge-patch+json');
    await until(o, opts.replicas, t0 + opts.timeoutMs);
    return runOf(o, { pods: opts.replicas, t0, rv0 });
  } finally {
    o.close();
  }
}

/** An OrderedReady StatefulSet of `replicas` (the clock starts at the create request). */
export async function benchOrderedReady(url: string, opts: { namespace: string; replicas: number; timeoutMs: number }): Promise<OrderedRun> {
  const name = 'ord';
  const o = await observe(url, opts.namespace, 'statefulsets', { objects: 1, replicasEach: opts.replicas });
  try {
    const rv0 = await revision(url);
    const t0 = performance.now();
    await call(url, 'POST', `/apis/apps/v1/namespaces/${opts.namespace}/statefulsets`, statefulSet(name, { namespace: opts.namespace, replicas: opts.replicas, policy: 'OrderedReady' }));
    await until(o, opts.replicas, t0 + opts.timeoutMs);
    const run = runOf(o, { pods: opts.replicas, t0, rv0 });
    const p = o.pods;
    const gaps: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < opts.replicas; i++) {
      const created = p.created.get(`${name}-${i}`);
      const ready = p.ready.get(`${name}-${i}`);
      if (created !== undefined && ready !== undefined) own.push(ready - created);
      const prevReady = i === 0 ? t0 : p.ready.get(`${name}-${i - 1}`);
      if (created !== undefined && prevReady !== undefined) gaps.push(created - prevReady);
    }
    return {
      ...run,
      msPerOrdinal: Math.round((run.allReadySeconds * 1000 * 10) / opts.replicas) / 10,
      readyToNextCreated: summarise(gaps),
      createdToReadyPerOrdinal: summarise(own),
    };
  } finally {
    o.close();
  }
}

/** `deployments` Deployments of `replicas` each, created together (the clock starts at the first create). */
export async function benchDeployments(url: string, opts: { namespace: string; deployments: number; replicas: number; timeoutMs: number }): Promise<WorkloadRun> {
  const pods = opts.deployments * opts.replicas;
  const o = await observe(url, opts.namespace, 'deployments', { objects: opts.deployments, replicasEach: opts.replicas });
  try {
    const rv0 = await revision(url);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: opts.deployments }, (_, i) =>
        call(url, 'POST', `/apis/apps/v1/namespaces/${opts.namespace}/deployments`, deployment(`dep-${i}`, { namespace: opts.namespace, replicas: opts.replicas })),
      ),
    );
    await until(o, pods, t0 + opts.timeoutMs);
    return runOf(o, { pods, t0, rv0 });
  } finally {
    o.close();
  }
}

/**
 * The scheduler's bind rate: `pods` bare pods (spec.schedulerName default-scheduler) created from
 * 16 clients as fast as the API takes them; binds are timed from the pod watch. When the scheduler
 * keeps up, binds/s is the create rate and created → bound stays short; when it falls behind, the
 * queue grows and binds/s is its throughput. The clock starts at the first create.
 */
export async function benchSchedulerPods(url: string, opts: { namespace: string; pods: number; timeoutMs: number }): Promise<SchedulerRun> {
  const run: SchedulerRun = { pods: opts.pods, createSeconds: NaN, binds: undefined as unknown as BindStats, allBoundSeconds: NaN, errors: 0 };
  const watch = openWatch(url, `/api/v1/namespaces/${opts.namespace}/pods?watch=true`);
  await watch.opened;
  const tracker = new PodTracker(watch);
  const client = new LoadClient(url, { sockets: CONCURRENCY });
  try {
    const path = `/api/v1/namespaces/${opts.namespace}/pods`;
    const t = tinyTemplate({ app: 'bare' }) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < opts.pods; i = next++) {
          const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...t.metadata, name: `b-${i}`, namespace: opts.namespace }, spec: { ...t.spec, schedulerName: 'default-scheduler' } };
          const r = await client.request('POST', path, { body: JSON.stringify(pod), expect: 201 });
          if (r.status !== 201) {
            run.errors++;
            run.firstError ??= `${r.status} ${r.body?.slice(0, 200)}`;
          }
        }
      }),
    );
    run.createSeconds = (performance.now() - t0) / 1000;
    const deadline = t0 + opts.timeoutMs;
    while (tracker.bound.size < opts.pods && performance.now() < deadline) {
      tracker.drain();
      await sleep(20);
    }
    tracker.drain();
    run.binds = tracker.binds(t0);
    if (tracker.bound.size >= opts.pods) run.allBoundSeconds = run.binds.lastBindSeconds;
    return run;
  } finally {
    watch.close();
    client.close();
  }
}
