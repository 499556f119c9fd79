// The workload part of `npm run bench` (issue 4's performance figures): each scenario of
// bench/workloads.ts on a fresh `berth up --nodes N --runtime simulated` process with a temp data
// dir, started once its Nodes are Ready and stopped by PID afterwards. Reports each figure against
// its target, as store writes per second against the raw store's create rate of the same run, with
// the server's CPU, GC and RSS, the anchors the issue names, and (with --cpu-prof) where the
// server's time went during the scenario.
// Deliberately absent: the scenarios themselves (bench/workloads.ts) and the raw store (bench/store.ts).

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuSecondsOf, machineBusySeconds, memoryOf, startServer } from './server-process.js';
import type { Memory } from './server-process.js';
import { printProfile, profileTop, readProfile } from './profile-top.js';
import type { ProfileSummary, ProfileWindow } from './profile-top.js';
import { benchDeployments, benchOrderedReady, benchParallelScale, benchSchedulerPods, call, createNamespace } from './workloads.js';
import type { SchedulerRun, OrderedRun, WorkloadRun } from './workloads.js';
import type { Row } from './report.js';

export const WORKLOADS = ['parallel', 'ordered', 'deployments', 'scheduler'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** What surrounded one scenario: its server, nodes, CPU and memory. */
export interface PhaseEnv {
  nodes: number;
  nodesReady: number;
  /** Nodes the bench gave a podCIDR (node-ipam ran out): see waitForNodes. */
  cidrsAssigned: number;
  /** Spawn to `ready` printed, and then to every Node Ready. */
  startSeconds: number;
  nodesReadySeconds: number;
  rssBeforeMB: number;
  /** Server CPU in the quiet seconds before the scenario (leases, node status), % of one core. */
  idleCpuPercent: number;
  /** Right after the scenario completed (VmHWM: the peak since start-up). */
  memoryAfter: Memory;
  /** The main isolate's heap then, from the server's /metrics (prom-client's default metrics). */
  heapAfter: { usedMB: number; totalMB: number; externalMB: number };
  wallSeconds: number;
  serverCpuPercent: number;
  clientCpuPercent: number;
  otherCpuPercent: number;
  gc: { count: number; totalMs: number; maxMs: number };
  profile?: ProfileSummary;
  /** The main thread's profile and the scenario's span in it, for a closer look. */
  profileFile?: string;
  profileWindow?: ProfileWindow;
}

export interface WorkloadResults {
  parallel?: { run: WorkloadRun; env: PhaseEnv };
  ordered?: { run: OrderedRun; env: PhaseEnv };
  deployments?: { run: WorkloadRun; env: PhaseEnv };
  scheduler?: { run: SchedulerRun; env: PhaseEnv };
  /** Scenarios that could not run to the end, with why. */
  errors: Partial<Record<WorkloadName, string>>;
}

export interface WorkloadOptions {
  /** Run the servers under `node --cpu-prof`, profiles in this directory (one sub-directory per scenario). */
  cpuProfDir?: string;
  only?: WorkloadName[];
  /** Node flags for the servers (`--server-node-arg=...` of bench/run.ts). */
  nodeArgs?: string[];
}

const SIZES = {
  parallel: { nodes: 100, replicas: 1000 },
  ordered: { nodes: 100, replicas: 100 },
  deployments: { nodes: 1000, deployments: 10, replicas: 1000 },
  scheduler: { nodes: 1000, pods: 5000 },
};

/** nodejs_heap_size_used_bytes and friends from /metrics (0 when absent). */
async function heapOf(url: string): Promise<PhaseEnv['heapAfter']> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mb = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0) / 104_857.6) / 10;
  return { usedMB: mb('nodejs_heap_size_used_bytes'), totalMB: mb('nodejs_heap_size_total_bytes'), externalMB: mb('nodejs_external_memory_bytes') };
}

const IDLE_MS = 3000;

export interface NodesState {
  registered: number;
  ready: number;
  seconds: number;
  /** Nodes the bench gave a podCIDR because the node IPAM controller left them without one. */
  cidrsAssigned: number;
}

/**
 * Waits until `count` Nodes are Ready (setup, not measured: polls the list every 500 ms). Nodes the
 * node IPAM controller leaves without a podCIDR for `stuckMs` (its 10.244.0.0/16 holds only 256
 * /24s) get one from 10.245.0.0/16 onwards, as an external IPAM would give them, so that their
 * agents turn Ready; the caller reports how many. A cluster where some nodes never become Ready
 * is still measured once the Ready count has not changed for `settleMs`.
 */
export async function waitForNodes(url: string, opts: { count: number; timeoutMs: number; stuckMs: number; settleMs: number }): Promise<NodesState> {
  const t0 = performance.now();
  let last = -1;
  let lastChange = t0;
  let lastWithout = -1;
  let withoutSince = t0;
  let cidrsAssigned = 0;
  for (;;) {
    const list = await call(url, 'GET', '/api/v1/nodes');
    const ready = list.items.filter((n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
    const without = list.items.filter((n: any) => !n.spec?.podCIDR);
    const now = performance.now();
    if (ready !== last) [last, lastChange] = [ready, now];
    if (without.length !== lastWithout) [lastWithout, withoutSince] = [without.length, now];
    if (list.items.length >= opts.count && without.length > 0 && now - withoutSince >= opts.stuckMs) {
      for (const n of without) {
        const cidr = `10.${245 + Math.floor(cidrsAssigned / 256)}.${cidrsAssigned % 256}.0/24`;
        // With the resourceVersion read: a node that got a range meanwhile answers 409 and keeps it.
        const patch = { metadata: { resourceVersion: n.metadata.resourceVersion }, spec: { podCIDR: cidr, podCIDRs: [cidr] } };
        const r = await fetch(`${url}/api/v1/nodes/${n.metadata.name}`, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(patch) });
        await r.arrayBuffer();
        if (r.status === 200) cidrsAssigned++;
      }
      lastChange = performance.now();
    }
    const settled = list.items.length >= opts.count && without.length === 0 && now - lastChange >= opts.settleMs;
    if (ready >= opts.count || settled || now - t0 > opts.timeoutMs) return { registered: list.items.length, ready, seconds: (now - t0) / 1000, cidrsAssigned };
    await sleep(500);
  }
}


const pct = (cpuSeconds: number, wallMs: number) => Math.round((cpuSeconds * 100_000) / wallMs);

async function onFreshServer<R>(root: string, name: WorkloadName, nodes: number, opts: WorkloadOptions, say: (l: string) => void, scenario: (url: string) => Promise<R>): Promise<{ run: R; env: PhaseEnv }> {
  const profDir = opts.cpuProfDir ? join(opts.cpuProfDir, name) : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const t0 = performance.now();
  const srv = await startServer({ command: 'up', dataDir: join(root, `workload-${name}`), cpuProfDir: profDir, nodeArgs: opts.nodeArgs, args: ['--nodes', String(nodes), '--runtime', 'simulated'], startTimeoutMs: 180_000 });
  try {
    const startSeconds = (performance.now() - t0) / 1000;
    const nodeState = await waitForNodes(srv.url, { count: nodes, timeoutMs: 120_000, stuckMs: 3000, settleMs: 15_000 });
    say(`  ${name}: berth up --nodes ${nodes} (pid ${srv.pid}) ready in ${startSeconds.toFixed(1)} s, ${nodeState.ready}/${nodeState.registered} Nodes Ready ${nodeState.seconds.toFixed(1)} s later`);
    if (nodeState.cidrsAssigned) say(`  ${name}: node-ipam left ${nodeState.cidrsAssigned} Nodes without a podCIDR (its /16 has 256 /24s); the bench assigned them from 10.245.0.0/16 on`);
    if (nodeState.ready < nodes) say(`  ${name}: WARNING: only ${nodeState.ready} of ${nodes} Nodes became Ready; the scenario runs on those`);
    await createNamespace(srv.url, name);
    // A quiet moment first: start-up work settles, and the server's idle cost is on record.
    const i0 = cpuSecondsOf(srv.pid);
    await sleep(IDLE_MS);
    const idleCpuPercent = pct(cpuSecondsOf(srv.pid) - i0, IDLE_MS);
    const rssBeforeMB = memoryOf(srv.pid).rssMB;

    const s0 = cpuSecondsOf(srv.pid);
    const c0 = cpuSecondsOf('self');
    const m0 = machineBusySeconds();
    const w0 = performance.now();
    const run = await scenario(srv.url);
    const wallMs = performance.now() - w0;
    const memoryAfter = memoryOf(srv.pid);
    const heapAfter = await heapOf(srv.url);
    const server = cpuSecondsOf(srv.pid) - s0;
    const client = cpuSecondsOf('self') - c0;
    const other = Math.max(0, machineBusySeconds() - m0 - server - client);
    const window = { fromMs: w0 - srv.spawnedAt, toMs: w0 + wallMs - srv.spawnedAt };
    const pauses = srv.gcPauses().filter((p) => p.atMs >= window.fromMs && p.atMs <= window.toMs);
    const env: PhaseEnv = {
      nodes,
      nodesReady: nodeState.ready,
      cidrsAssigned: nodeState.cidrsAssigned,
      startSeconds: Math.round(startSeconds * 10) / 10,
      nodesReadySeconds: Math.round(nodeState.seconds * 10) / 10,
      rssBeforeMB,
      idleCpuPercent,
      memoryAfter,
      heapAfter,
      wallSeconds: Math.round(wallMs / 100) / 10,
      serverCpuPercent: pct(server, wallMs),
      clientCpuPercent: pct(client, wallMs),
      otherCpuPercent: pct(other, wallMs),
      gc: { count: pauses.length, totalMs: Math.round(pauses.reduce((a, p) => a + p.pauseMs, 0)), maxMs: pauses.reduce((a, p) => Math.max(a, p.pauseMs), 0) },
    };
    const code = await srv.stop();
    if (profDir) {
      // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread (1 is the sqlite writer).
      const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort();
      const file = files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
      if (file) {
        env.profileFile = join(profDir, file);
        env.profileWindow = window;
        env.profile = profileTop(readProfile(env.profileFile), { n: 15, window });
      }
      else say(`  ${name}: no .cpuprofile appeared in ${profDir} (server exit code ${code})`);
    }
    return { run, env };
  } finally {
    await srv.stop();
  }
}

export async function runWorkloadPhases(root: string, say: (l: string) => void, opts: WorkloadOptions = {}): Promise<WorkloadResults> {
  const want = (n: WorkloadName) => !opts.only || opts.only.includes(n);
  const r: WorkloadResults = { errors: {} };
  // A scenario that fails (a server that does not start, a timeout) is reported; the others still run.
  const attempt = async <R>(name: WorkloadName, nodes: number, title: string, scenario: (url: string) => Promise<R>): Promise<{ run: R; env: PhaseEnv } | undefined> => {
    if (!want(name)) return undefined;
    say(`workloads: ${title}`);
    try {
      return await onFreshServer(root, name, nodes, opts, say, scenario);
    } catch (e) {
      r.errors[name] = (e as Error).message.slice(0, 2000);
      say(`  ${name}: FAILED: ${r.errors[name]}`);
      return undefined;
    }
  };
  const p = SIZES.parallel;
  r.parallel = await attempt('parallel', p.nodes, `Parallel StatefulSet scaled 0 -> ${p.replicas} on ${p.nodes} simulated nodes`, (url) =>
    benchParallelScale(url, { namespace: 'parallel', replicas: p.replicas, timeoutMs: 120_000 }),
  );
  const o = SIZES.ordered;
  r.ordered = await attempt('ordered', o.nodes, `OrderedReady StatefulSet of ${o.replicas} on ${o.nodes} simulated nodes`, (url) =>
    benchOrderedReady(url, { namespace: 'ordered', replicas: o.replicas, timeoutMs: 120_000 }),
  );
  const d = SIZES.deployments;
  r.deployments = await attempt('deployments', d.nodes, `${d.deployments} Deployments x ${d.replicas} replicas on ${d.nodes} simulated nodes`, (url) =>
    benchDeployments(url, { namespace: 'deployments', deployments: d.deployments, replicas: d.replicas, timeoutMs: 180_000 }),
  );
  const c = SIZES.scheduler;
  r.scheduler = await attempt('scheduler', c.nodes, `scheduler: ${c.pods} bare pods created from 16 clients on ${c.nodes} simulated nodes`, (url) =>
    benchSchedulerPods(url, { namespace: 'scheduler', pods: c.pods, timeoutMs: 120_000 }),
  );
  return r;
}

const secs = (s: number) => (Number.isNaN(s) ? 'not all' : `${s.toFixed(2)} s`);
const lat = (l: { p50Ms: number; p99Ms: number }) => `p50 ${Math.round(l.p50Ms)} ms, p99 ${Math.round(l.p99Ms)} ms`;

/** Store writes per second of a scenario against the raw store's creates per second. */
function writesRatio(run: WorkloadRun, raw: number): string {
  if (Number.isNaN(run.writesPerSecond)) return `${run.ready}/${run.pods} Running and Ready`;
  const podsPerSecond = Math.round(run.pods / run.allReadySeconds);
  return `${podsPerSecond} pods/s x ${run.writesPerPod} writes = ${run.writesPerSecond} writes/s = ${(run.writesPerSecond / raw).toFixed(2)}x of raw ${raw} creates/s`;
}

/** A bind is two writes (the binding, the Scheduled event): against the raw store's creates per second. */
function bindsRatio(bindsPerSecond: number, raw: number): string {
  return `${bindsPerSecond * 2} writes/s (binding + Scheduled event) = ${((bindsPerSecond * 2) / raw).toFixed(2)}x of raw ${raw} creates/s`;
}

function envRows(e: PhaseEnv): Row[] {
  return [
    {
      metric: '   server RSS at the end / peak',
      value: `${e.memoryAfter.rssMB} / ${e.memoryAfter.hwmMB} MB`,
      ratio: `before ${e.rssBeforeMB} MB; JS heap used ${e.heapAfter.usedMB} of ${e.heapAfter.totalMB} MB at the end; ${e.nodesReady}/${e.nodes} Nodes Ready${e.cidrsAssigned ? ` (${e.cidrsAssigned} podCIDRs by the bench)` : ''}`,
    },
    {
      metric: '   CPU: server / bench / other processes',
      value: `${e.serverCpuPercent}% / ${e.clientCpuPercent}% / ${e.otherCpuPercent}%`,
      ratio: `server idle before: ${e.idleCpuPercent}%; server GC pauses ${e.gc.count}x, ${e.gc.totalMs} ms in ${e.wallSeconds} s${e.otherCpuPercent > 25 ? '; other processes were busy: a disturbed run' : ''}`,
    },
  ];
}

export function workloadRows(r: WorkloadResults, rawCreatesPerSecond: number): Row[] {
  const rows: Row[] = Object.entries(r.errors).map(([name, error]) => ({ metric: `workload ${name}`, value: 'error', pass: false, ratio: error.split('\n')[0] }));
  if (r.parallel) {
    const { run, env } = r.parallel;
    const ok = run.ready === run.pods && !Number.isNaN(run.statusReadySeconds);
    const done = Math.max(run.allReadySeconds, run.statusReadySeconds);
    rows.push(
      { metric: `8. Parallel sts 0 -> ${run.pods}, ${env.nodesReady} nodes: all Running+Ready`, value: secs(done), target: '<= 10 s', pass: ok && done <= 10, ratio: writesRatio(run, rawCreatesPerSecond) },
      { metric: '   last pod Ready / readyReplicas = N / all created', value: `${secs(run.allReadySeconds)} / ${secs(run.statusReadySeconds)} / ${secs(run.allCreatedSeconds)}`, ratio: `created->Ready ${lat(run.createdToReady)}; binds ${run.binds.perSecond}/s, created->bound ${lat(run.binds.createdToBound)}` },
      { metric: '   anchor: 5,000-replica Parallel sts before kubernetes#117865', value: '~6 pods/s', ratio: ok ? `berth: ${Math.round(run.pods / done)} pods/s` : '' },
      ...envRows(env),
    );
  }
  if (r.ordered) {
    const { run, env } = r.ordered;
    const ok = run.ready === run.pods && !Number.isNaN(run.statusReadySeconds);
    const done = Math.max(run.allReadySeconds, run.statusReadySeconds);
    rows.push(
      { metric: `9. OrderedReady sts of ${run.pods}, ${env.nodesReady} nodes: all Ready`, value: secs(done), target: '<= 5 s', pass: ok && done <= 5, ratio: writesRatio(run, rawCreatesPerSecond) },
      { metric: '9. per ordinal', value: `${run.msPerOrdinal} ms`, target: '<= 50 ms', pass: ok && run.msPerOrdinal <= 50, ratio: `Ready(i-1)->created(i) ${lat(run.readyToNextCreated)}; created(i)->Ready(i) ${lat(run.createdToReadyPerOrdinal)}` },
      ...envRows(env),
    );
  }
  if (r.deployments) {
    const { run, env } = r.deployments;
    const ok = run.ready === run.pods;
    rows.push(
      { metric: `10. ${run.pods} Deployment pods, ${env.nodesReady} nodes: all Running+Ready`, value: secs(run.allReadySeconds), target: '<= 30 s', pass: ok && run.allReadySeconds <= 30 && env.nodesReady === env.nodes, ratio: writesRatio(run, rawCreatesPerSecond) },
      { metric: '   all created / readyReplicas = N on every Deployment', value: `${secs(run.allCreatedSeconds)} / ${secs(run.statusReadySeconds)}`, ratio: `created->Ready ${lat(run.createdToReady)}` },
      { metric: '11. scheduler: binds/s in that rollout', value: `${run.binds.perSecond}/s`, target: '>= 500/s', pass: ok && run.binds.perSecond >= 500, ratio: bindsRatio(run.binds.perSecond, rawCreatesPerSecond) },
      {
        metric: '   peak binds in 1 s / created->bound',
        value: `${run.binds.peakPerSecond}`,
        ratio: `${lat(run.binds.createdToBound)}${run.binds.createdToBound.p50Ms > 1000 ? ': pods queued for the scheduler, binds/s is what it managed' : ''}`,
      },
      { metric: '   anchor: KWOK, 10,000 pods Running', value: '60 s', ratio: ok ? `berth: ${run.allReadySeconds.toFixed(1)} s` : '' },
      ...envRows(env),
    );
  }
  if (r.scheduler) {
    const { run, env } = r.scheduler;
    const ok = run.binds.bound === run.pods && run.errors === 0;
    rows.push(
      { metric: `11. scheduler: ${run.pods} bare pods from 16 clients, ${env.nodesReady} nodes: binds/s`, value: `${run.binds.perSecond}/s`, target: '>= 500/s', pass: ok && run.binds.perSecond >= 500, ratio: bindsRatio(run.binds.perSecond, rawCreatesPerSecond) },
      {
        metric: '   peak binds in 1 s / created->bound',
        value: `${run.binds.peakPerSecond}`,
        ratio: `${lat(run.binds.createdToBound)}: ${run.binds.createdToBound.p99Ms < 1000 ? 'the scheduler kept up, binds/s is the create rate' : 'pods queued, binds/s is what the scheduler managed'}`,
      },
      {
        metric: '   creates took / first create to last bind',
        value: `${secs(run.createSeconds)} / ${secs(run.allBoundSeconds)}`,
        ratio: `${run.binds.bound}/${run.pods} bound; created at ${Math.round(run.pods / run.createSeconds)}/s${run.firstError ? `; ${run.errors} errors, first: ${run.firstError}` : ''}`,
      },
      { metric: "   anchor: Kubernetes' scheduler SLO", value: '100 pods/s', ratio: ok ? `berth: ${(run.binds.perSecond / 100).toFixed(1)}x` : '' },
      ...envRows(env),
    );
  }
  return rows;
}

export function printWorkloadProfiles(r: WorkloadResults): void {
  for (const name of WORKLOADS) {
    const phase = r[name];
    if (phase?.env.profile) printProfile(phase.env.profile, `server CPU profile, workload ${name}`);
  }
}
