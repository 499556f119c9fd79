// Issue 5's figures in `npm run bench`: real pods on a real `berth up --runtime process --nodes 1`
// (bench/server-process.ts). Pod start (create request -> Ready, seen by a pod watch on the bench's
// clock) for a busybox `sleep 3600` pod mounting its own claim of the default `standard` class
// (local-path, WaitForFirstConsumer): 50 pods one at a time (the reported figure, with where the time
// went), then 50 at once; `kubectl exec -- true` round trips (bench/exec-timing.ts); deleting the
// pods (grace period 1) until they are gone; then berth is stopped and no `berth-*` netns may remain.
// Skipped, with the reason, where the process runtime cannot run (not root, no namespaces).
// Deliberately absent: the table rows (bench/process-rows.ts) and the watches (bench/pod-timeline.ts).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { processRuntimeAvailable } from '../src/agent/process/availability.js';
import { podNetworkNames } from '../src/agent/process/pod-network.js';
import { memoryOf, startServer } from './server-process.js';
import type { ServerProcess } from './server-process.js';
import { PodTimeline } from './pod-timeline.js';
import { readRuntimeStages, RUNTIME_STAGES } from './runtime-stages.js';
import type { RuntimeStages } from './runtime-stages.js';
import type { PodStages } from './pod-timeline.js';
import { timeExec } from './exec-timing.js';
import type { ExecTimings } from './exec-timing.js';
import { CpuMeter } from './process-tree-cpu.js';
import type { PhaseCpuShares } from './process-tree-cpu.js';
import { waitForNodes } from './workload-phases.js';
import { profileTop, readProfile } from './profile-top.js';
import type { ProfileSummary, ProfileWindow } from './profile-top.js';
import { summarise } from './stats.js';
import type { LatencySummary } from './stats.js';

const NS = 'default';
const PODS = 50;
const EXEC_RUNS = 30;
/** A pause after each sequential pod is Ready, so the next starts on a node at rest. */
const SETTLE_MS = 200;
const SETTLE_BEFORE_BURST_MS = 5000;

export interface PhaseCpu extends PhaseCpuShares {
  window: ProfileWindow;
  profile?: ProfileSummary;
}

export interface PodStartRun {
  pods: number;
  ready: number;
  /** Pod create request sent -> Ready seen by the watch. */
  createToReady: LatencySummary;
  /** Pod create request -> its 201 answer. */
  createReply: LatencySummary;
  /** First create request -> last pod Ready. */
  totalSeconds: number;
  /** Store revisions written per pod (the claim, PV, pod, bindings, statuses, events). */
  writesPerPod: number;
  /** Each stage's time after the pod's create request, over the pods that reached it. */
  stages: { stage: string; at: LatencySummary }[];
  /** CPU per pod of its shim and of its container's mount setup (from /proc, 10 ms ticks). */
  cpuPerPod: { shimMs: LatencySummary; setupMs: LatencySummary };
  /** Most pods between "sandbox begun" and "container init running" at one moment (the agent's concurrency). */
  maxConcurrentStarts: number;
  /** The three slowest pods: each stage's milliseconds after the create request. */
  slowest: { pod: string; at: Record<string, number> }[];
  cpu: PhaseCpu;
  firstError?: string;
}

export interface ProcessResults {
  skipped?: string;
  error?: string;
  /** The first pod after start-up (not counted: JIT, first netns and bridge). */
  firstPodMs?: number;
  sequential?: PodStartRun;
  burst?: PodStartRun;
  exec?: ExecTimings;
  /** Whether status timestamps (lastTransitionTime, startedAt) carry anything finer than seconds. */
  statusTimestampExample?: string;
  /** Delete requests (grace period 1) -> every pod's DELETED event. */
  deleteSeconds: { sequential?: number; burst?: number };
  idleCpuPercent?: number;
  rssAfterMB?: number;
  serverExitCode?: number | null;
  /** berth-<uid> netns of this run's pods still present after berth stopped. */
  leftoverNetns: string[];
  /** The server's whole output (its transcript of SANDBOX/START/EXIT lines), kept for a closer look. */
  serverLog: string;
  /** Kernel threads' CPU in the pause between deleting the first pods and the burst (netns clean-up). */
  settleKernelPercent?: number;
  loadAverage?: number[];
}

export interface ProcessOptions {
  cpuProfDir?: string;
  nodeArgs?: string[];
}

/** Why the phases cannot run here, or undefined. */
async function unavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root: the process runtime needs namespaces, mounts and network devices';
  const r = await processRuntimeAvailable();
  return r.ok ? undefined : `the process runtime is unavailable: ${r.reason}`;
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const revision = async (url: string): Promise<number> => Number((await call(url, 'GET', '/api/v1/namespaces?limit=1')).metadata.resourceVersion);

function claim(name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } };
}

function pod(name: string, claimName: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench-process' } },
    spec: {
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

/** Creates the claim, then the pod (as `kubectl apply -f` of both does); resolves with the pod request's send time. */
async function createPair(url: string, t: PodTimeline, { name, replies }: { name: string; replies: number[] }): Promise<number> {
  const claimName = `${name}-data`;
  t.expect(name, claimName);
  await call(url, 'POST', `/api/v1/namespaces/${NS}/persistentvolumeclaims`, claim(claimName));
  const t0 = performance.now();
  await call(url, 'POST', `/api/v1/namespaces/${NS}/pods`, pod(name, claimName));
  replies.push(performance.now() - t0);
  return t0;
}

type StageOf = (s: PodStages, rt: RuntimeStages) => number | undefined;

/** In the order a start goes through them; the agent's own steps come from its files (runtime-stages.ts). */
const STAGES: [string, StageOf][] = [
  ['claim: selected-node set (scheduler)', (s) => s.claimNodeSelected],
  ['claim: PV created (provisioner)', (s) => s.volumeCreated],
  ['claim: Bound (PV controller)', (s) => s.claimBound],
  ['pod: bound to the node (scheduler)', (s) => s.podBound],
  ['event Pulled (agent began the container)', (s) => s.events.Pulled],
  ...RUNTIME_STAGES.map(([key, label]): [string, StageOf] => [label, (_s, rt) => rt[key] as number | undefined]),
  ['pod: podIP in status (sandbox up)', (s) => s.podIP],
  ['event Created', (s) => s.events.Created],
  ['event Started', (s) => s.events.Started],
  ['pod: container running in status', (s) => s.running],
  ['pod: Ready', (s) => s.ready],
];

/** CPU shares of a phase and its span on the server's clock (to cut its samples out of a profile). */
function meter(srv: ServerProcess): { done(): PhaseCpu } {
  const m = new CpuMeter(srv.pid);
  const t0 = performance.now();
  return { done: () => ({ ...m.done(), window: { fromMs: t0 - srv.spawnedAt, toMs: performance.now() - srv.spawnedAt } }) };
}

interface RunInput {
  names: string[];
  sent: Map<string, number>;
  replies: number[];
  rv: [number, number];
  cpu: PhaseCpu;
  /** The agent's files, by namespace/name, read while the pods still existed. */
  runtime: Map<string, RuntimeStages>;
  firstError?: string;
}

function podRun(t: PodTimeline, o: RunInput): PodStartRun {
  const offsets = new Map<string, Record<string, number>>();
  let first = Infinity;
  let last = 0;
  for (const n of o.names) {
    const s = t.pods.get(n);
    const t0 = o.sent.get(n);
    if (t0 === undefined || !s) continue;
    first = Math.min(first, t0);
    if (s.ready !== undefined) last = Math.max(last, s.ready);
    const rt = o.runtime.get(`${NS}/${n}`) ?? {};
    const at: Record<string, number> = {};
    for (const [stage, of] of STAGES) {
      const v = of(s, rt);
      if (v !== undefined) at[stage] = Math.round(v - t0);
    }
    offsets.set(n, at);
  }
  const ready = [...offsets.values()].flatMap((at) => (at['pod: Ready'] === undefined ? [] : [at['pod: Ready']]));
  const stages = STAGES.map(([stage]) => ({ stage, at: summarise([...offsets.values()].flatMap((at) => (at[stage] === undefined ? [] : [at[stage]]))) }));
  const slowest = [...offsets]
    .sort((a, b) => (b[1]['pod: Ready'] ?? Infinity) - (a[1]['pod: Ready'] ?? Infinity))
    .slice(0, 3)
    .map(([pod, at]) => ({ pod, at }));
  const rts = o.names.map((n) => o.runtime.get(`${NS}/${n}`));
  const cpuPerPod = {
    shimMs: summarise(rts.flatMap((rt) => (rt?.shimCpuMs === undefined ? [] : [rt.shimCpuMs]))),
    setupMs: summarise(rts.flatMap((rt) => (rt?.setupCpuMs === undefined ? [] : [rt.setupCpuMs]))),
  };
  const edges = rts.flatMap((rt): [number, number][] =>
    rt?.sandboxBegun !== undefined && rt.containerRunning !== undefined ? [[rt.sandboxBegun, 1], [rt.containerRunning, -1]] : [],
  );
  let inFlight = 0;
  let maxConcurrentStarts = 0;
  for (const [, d] of edges.sort((a, b) => a[0] - b[0] || a[1] - b[1])) maxConcurrentStarts = Math.max(maxConcurrentStarts, (inFlight += d));
  return {
    pods: o.names.length,
    ready: ready.length,
    cpuPerPod,
    maxConcurrentStarts,
    createToReady: summarise(ready),
    createReply: summarise([...o.replies]),
    totalSeconds: ready.length === o.names.length ? Math.round(last - first) / 1000 : NaN,
    writesPerPod: Math.round((10 * (o.rv[1] - o.rv[0])) / o.names.length) / 10,
    stages,
    slowest,
    cpu: o.cpu,
    firstError: o.firstError,
  };
}

async function sequential(srv: ServerProcess, t: PodTimeline, { names, dataDir }: { names: string[]; dataDir: string }): Promise<PodStartRun> {
  const url = srv.url;
  const sent = new Map<string, number>();
  const replies: number[] = [];
  const rv0 = await revision(url);
  const cpuMeter = meter(srv);
  let firstError: string | undefined;
  for (const n of names) {
    try {
      sent.set(n, await createPair(url, t, { name: n, replies }));
      await t.ready(n, 30_000);
    } catch (e) {
      firstError ??= (e as Error).message;
    }
    await sleep(SETTLE_MS);
  }
  const cpu = cpuMeter.done();
  return podRun(t, { names, sent, replies, rv: [rv0, await revision(url)], cpu, runtime: readRuntimeStages(dataDir), firstError });
}

async function burst(srv: ServerProcess, t: PodTimeline, { names, dataDir }: { names: string[]; dataDir: string }): Promise<PodStartRun> {
  const url = srv.url;
  const sent = new Map<string, number>();
  const replies: number[] = [];
  const rv0 = await revision(url);
  const cpuMeter = meter(srv);
  let firstError: string | undefined;
  await Promise.all(
    names.map(async (n) => {
      try {
        sent.set(n, await createPair(url, t, { name: n, replies }));
        await t.ready(n, 120_000);
      } catch (e) {
        firstError ??= (e as Error).message;
      }
    }),
  );
  const cpu = cpuMeter.done();
  return podRun(t, { names, sent, replies, rv: [rv0, await revision(url)], cpu, runtime: readRuntimeStages(dataDir), firstError });
}

/** Deletes the pods (grace period 1) and waits for each DELETED event; then their claims, until gone. */
async function deleteAll(url: string, t: PodTimeline, names: string[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    names.map(async (n) => {
      const gone = t.gone(n, 60_000);
      const r = await fetch(`${url}/api/v1/namespaces/${NS}/pods/${n}?gracePeriodSeconds=1`, { method: 'DELETE' });
      await r.arrayBuffer();
      if (r.status !== 404) await gone;
      else gone.catch(() => undefined);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const n of names) await fetch(`${url}/api/v1/namespaces/${NS}/persistentvolumeclaims/${n}-data`, { method: 'DELETE' }).then((r) => r.arrayBuffer());
  const deadline = performance.now() + 30_000;
  while ((await call(url, 'GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims`)).items.length > 0 && performance.now() < deadline) await sleep(200);
  return Math.round(seconds * 100) / 100;
}

/** The network namespaces of the pods this bench created that still exist (other sessions' are not ours to count). */
function leftoverNetns(uids: Iterable<string>): string[] {
  const present = new Set(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!));
  return [...uids].map((uid) => podNetworkNames(uid).netns).filter((n) => present.has(n));
}

export async function runProcessPhases(root: string, say: (l: string) => void, opts: ProcessOptions = {}): Promise<ProcessResults> {
  const r: ProcessResults = { deleteSeconds: {}, leftoverNetns: [], serverLog: join(tmpdir(), `berth-bench-process-${Date.now()}.log`) };
  const why = await unavailable();
  if (why) {
    say(`process: skipped: ${why}`);
    return { ...r, skipped: why };
  }
  const profDir = opts.cpuProfDir ? join(opts.cpuProfDir, 'process') : undefined;
  if (profDir) mkdirSync(profDir, { recursive: true });
  say('process: starting berth up --runtime process --nodes 1');
  const dataDir = join(root, 'process');
  let srv: ServerProcess;
  try {
    srv = await startServer({ command: 'up', dataDir, cpuProfDir: profDir, nodeArgs: opts.nodeArgs, args: ['--runtime', 'process', '--nodes', '1'], startTimeoutMs: 60_000 });
  } catch (e) {
    r.error = (e as Error).message.slice(0, 2000);
    say(`process: FAILED: ${r.error}`);
    return r;
  }
  const cacheDir = mkdtempSync(join(tmpdir(), 'berth-bench-kubectl-'));
  let t: PodTimeline | undefined;
  const seqNames = Array.from({ length: PODS }, (_, i) => `seq-${i}`);
  const burstNames = Array.from({ length: PODS }, (_, i) => `burst-${i}`);
  try {
    if (!/agents: node-1 \(runtime process\)/.test(srv.output())) throw new Error(`berth up did not run the process runtime:\n${srv.output().slice(0, 2000)}`);
    const kubeconfig = /export KUBECONFIG=(\S+)/.exec(srv.output())![1]!;
    const nodes = await waitForNodes(srv.url, { count: 1, timeoutMs: 30_000, stuckMs: 10_000, settleMs: 30_000 });
    if (nodes.ready < 1) throw new Error('node-1 did not become Ready');
    t = await PodTimeline.open(srv.url, NS);
    const tl = t;
    const warm = performance.now();
    const warmSent = await createPair(srv.url, tl, { name: 'warm-0', replies: [] });
    r.firstPodMs = Math.round((await tl.ready('warm-0', 30_000)) - warmSent);
    say(`process: first pod (warm-up, not counted) Ready ${r.firstPodMs} ms after its create (${Math.round(performance.now() - warm)} ms with its claim)`);
    const idle = new CpuMeter(srv.pid);
    await sleep(3000);
    const idleShares = idle.done();
    r.idleCpuPercent = idleShares.serverPercent + idleShares.childrenPercent;

    r.loadAverage = loadavg().map((l) => Math.round(l * 100) / 100);
    say(`process: ${PODS} pods with a claim each, one at a time (${SETTLE_MS} ms apart); load average ${r.loadAverage.join(' ')}`);
    r.sequential = await sequential(srv, tl, { names: seqNames, dataDir });
    const example = await call(srv.url, 'GET', `/api/v1/namespaces/${NS}/pods/seq-0`);
    r.statusTimestampExample = example.status?.conditions?.find((c: any) => c.type === 'Ready')?.lastTransitionTime;

    say(`process: kubectl exec seq-0 -- true, ${EXEC_RUNS} runs; the same over a raw WebSocket; kubectl version --client`);
    r.exec = await timeExec({ url: srv.url, kubeconfig, cacheDir, namespace: NS, pod: 'seq-0', runs: EXEC_RUNS });

    say(`process: deleting the ${PODS + 1} pods (grace period 1) until gone, then their claims`);
    r.deleteSeconds.sequential = await deleteAll(srv.url, tl, ['warm-0', ...seqNames]);

    // The kernel frees deleted network namespaces in the background (cleanup_net), holding locks a
    // new namespace needs: a pause, so the burst does not measure the previous pods' clean-up.
    const settle = new CpuMeter(srv.pid);
    await sleep(SETTLE_BEFORE_BURST_MS);
    r.settleKernelPercent = settle.done().kernelThreadsPercent;
    say(`process: ${PODS} pods with a claim each, all at once`);
    r.burst = await burst(srv, tl, { names: burstNames, dataDir });
    r.rssAfterMB = memoryOf(srv.pid).rssMB;
    say(`process: deleting the ${PODS} pods until gone, then their claims`);
    r.deleteSeconds.burst = await deleteAll(srv.url, tl, burstNames);
  } catch (e) {
    r.error = (e as Error).message.slice(0, 2000);
    say(`process: FAILED: ${r.error}`);
    // Whatever was created still goes before berth stops.
    if (t) await deleteAll(srv.url, t, ['warm-0', ...seqNames, ...burstNames]).catch(() => undefined);
  } finally {
    t?.close();
    r.serverExitCode = await srv.stop();
    rmSync(cacheDir, { recursive: true, force: true });
  }
  r.leftoverNetns = t ? leftoverNetns(t.uids) : [];
  if (r.leftoverNetns.length) say(`process: WARNING: ${r.leftoverNetns.length} netns of this run's pods left after berth stopped: ${r.leftoverNetns.join(', ')}`);
  writeFileSync(r.serverLog, srv.output());
  if (profDir) attachProfiles(r, profDir, say);
  return r;
}

function attachProfiles(r: ProcessResults, profDir: string, say: (l: string) => void): void {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main thread.
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const file = files.find((f) => /\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
  if (!file) {
    say(`process: no .cpuprofile appeared in ${profDir}`);
    return;
  }
  const p = readProfile(join(profDir, file));
  for (const run of [r.sequential, r.burst]) if (run) run.cpu.profile = profileTop(p, { n: 15, window: run.cpu.window });
  say(`process: server profile ${join(profDir, file)}`);
}
