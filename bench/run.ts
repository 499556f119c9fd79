// `npm run bench`: one run that measures the raw sqlite store (bench/store.ts, bench/raw-extras.ts)
// and then a real `berth server --controllers=-*` process (the API server alone) under HTTP load from
// a worker thread (bench/api-load.ts), and reports each API figure against its target and as a ratio
// to the raw store of the same run; the creates are run again on the full server too.
// `-- --cpu-prof` runs the server under `node --cpu-prof` and prints where its time went per phase;
// `-- --server-node-arg=--max-semi-space-size=32` (repeatable) tries a node flag on the server.
// `-- --workloads-only` runs the raw store and issue 4's workload scenarios (bench/workload-phases.ts)
// only; `--workloads=parallel,ordered,deployments,scheduler` picks scenarios (with --cpu-prof too).
// `-- --process-only` runs the raw store and issue 5's real-pod figures (bench/process-phases.ts).
// Deliberately absent: asserting on targets (the exit code says only whether the bench itself ran).

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../src/store/open.js';
import { benchRawStore } from './store.js';
import { benchPod } from './pod.js';
import { benchRawList, benchRawWatch } from './raw-extras.js';
import { ApiLoad } from './api-load.js';
import type { PhaseRun } from './api-load.js';
import { cpuSecondsOf, machineBusySeconds, memoryOf, REPO, startServer } from './server-process.js';
import type { GcPause, ServerProcess } from './server-process.js';
import { printTable, ratio, writeResults } from './report.js';
import type { Row } from './report.js';
import { printProfile, profileTop, readProfile } from './profile-top.js';
import { calibrationMs } from './calibrate.js';
import { runStoragePhases, storageRows } from './storage-phases.js';
import type { StorageResults } from './storage-phases.js';
import { printWorkloadProfiles, runWorkloadPhases, WORKLOADS, workloadRows } from './workload-phases.js';
import type { WorkloadName, WorkloadResults } from './workload-phases.js';
import type { ProfileSummary, ProfileWindow } from './profile-top.js';
import { runProcessPhases } from './process-phases.js';
import { runControlPlaneCreates } from './control-plane-creates.js';
import type { ProcessResults } from './process-phases.js';
import { printProcessProfiles, processRows } from './process-rows.js';

const PODS = 10_000;
const CONCURRENCY = 16;
const GET_RATE = 5_050; // a little above the 5,000/s target, so keeping up means achieving it
const WATCH_WRITES = 200;
const WATCH_INTERVAL_MS = 20;
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

const LOAD_GENERATOR =
  'load from a worker thread of this process (keep-alive HTTP/1.1 on raw sockets, watches read raw with socket onread); the server is a separate process';

interface Cpu {
  /** The phase's span on the server's clock, to cut its samples out of a --cpu-prof profile. */
  window: ProfileWindow;
  /** CPU used during the phase as % of one core (200% = both cores of this machine). */
  serverPercent: number;
  clientPercent: number;
  /** Everything else on the machine (other processes, the kernel's softirqs): noise when large. */
  otherPercent: number;
  clientEventLoopUtilisation: number;
  clientLoopDelayP99Ms: number;
  /** The server's GC pauses inside the phase (from --trace-gc). */
  serverGc: { count: number; totalMs: number; maxMs: number; maxKind: string };
}

/** The machine's speed before and after, for the table's title (bench/calibrate.ts). */
function speedNote(start: number, end: number): string {
  return `calibration ${start} / ${end} ms before / after (a fixed JS workload: higher is a slower machine)`;
}

/** `--workloads=parallel,deployments`: the workload scenarios to run (default all). */
function chosenWorkloads(): WorkloadName[] | undefined {
  const arg = process.argv.find((a) => a.startsWith('--workloads='));
  if (!arg) return undefined;
  const names = arg.slice('--workloads='.length).split(',').filter(Boolean);
  for (const n of names) if (!(WORKLOADS as readonly string[]).includes(n)) throw new Error(`--workloads: unknown scenario ${n} (choose from ${WORKLOADS.join(', ')})`);
  return names as WorkloadName[];
}

/**
 * One scenario alone (`--storage-only`, `--workloads-only`, `--process-only`): the raw store as the
 * reference, the scenario's phases, its table, and its results file when it names one.
 */
async function scenarioOnly<R>(sc: {
  title: string;
  run: (root: string, opts: { cpuProfDir?: string; nodeArgs: string[] }) => Promise<R>;
  rows: (r: R, rawCreatesPerSecond: number) => Row[];
  profiles?: (r: R) => void;
  results?: { file: string; key: string };
}): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const profDir = process.argv.includes('--cpu-prof') ? mkdtempSync(join(tmpdir(), 'berth-bench-prof-')) : undefined;
  try {
    const speedAtStart = calibrationMs();
    say(`raw store: ${PODS} creates from ${CONCURRENCY} writers; load average ${loadavg().map((l) => Math.round(l * 100) / 100).join(' ')}`);
    const store = await openStore({ kind: 'sqlite', dataDir: join(root, 'raw') });
    const raw = await benchRawStore(store, { creates: PODS, concurrency: CONCURRENCY, gets: 1000, valueBytes: 1500, prefix: '/bench/raw/' });
    await store.close();
    const nodeArgs = process.argv.filter((a) => a.startsWith('--server-node-arg=')).map((a) => a.slice('--server-node-arg='.length));
    const r = await sc.run(root, { cpuProfDir: profDir, nodeArgs });
    printTable(`berth bench (${sc.title}): ${new Date().toISOString()}, ${cpus().length} cores, node ${process.version}, ${speedNote(speedAtStart, calibrationMs())}`, [
      { metric: 'raw store: creates/s (16 writers)', value: `${raw.createsPerSecond}/s`, ratio: `p50 ${raw.createP50Ms} ms, p99 ${raw.createP99Ms} ms` },
      ...sc.rows(r, raw.createsPerSecond),
    ]);
    sc.profiles?.(r);
    if (sc.results) {
      const file = join(REPO, 'bench', 'results', sc.results.file);
      writeResults(file, { raw, [sc.results.key]: r });
      say(`wrote ${file}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
    if (profDir) say(`server CPU profiles kept in ${profDir}`);
  }
}

async function main(): Promise<void> {
  const cpuProf = process.argv.includes('--cpu-prof');
  const serverNodeArgs = process.argv.filter((a) => a.startsWith('--server-node-arg=')).map((a) => a.slice('--server-node-arg='.length));
  const workloadChoice = chosenWorkloads();
  const root = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const profDir = cpuProf ? mkdtempSync(join(tmpdir(), 'berth-bench-prof-')) : undefined;
  const started = performance.now();
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const speedAtStart = calibrationMs();
  let server: ServerProcess | undefined;
  let load: ApiLoad | undefined;
  try {
    say(`starting berth server --controllers=-* (the API server alone, sqlite) on a temp data dir${cpuProf ? ' under --cpu-prof' : ''}${serverNodeArgs.length ? ` with node ${serverNodeArgs.join(' ')}` : ''}; load average ${loadAtStart.join(' ')}`);
    // The API server alone (see bench/control-plane-creates.ts for the full server's creates).
    server = await startServer({ dataDir: join(root, 'server'), cpuProfDir: profDir, nodeArgs: serverNodeArgs, args: ['--controllers=-*'] });
    const srv = server;
    await sleep(2000);
    const idleMemory = memoryOf(srv.pid);
    say(`server pid ${srv.pid} at ${srv.url}, idle RSS ${idleMemory.rssMB} MB`);

    for (const ns of ['bench', 'bench-watch', 'bench-warm']) await setup(srv.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    // The raw store writes values the size of a pod as berth stores it, so the ratios compare equal bytes.
    await setup(srv.url, 'POST', '/api/v1/namespaces/bench-warm/pods', benchPod('probe', { namespace: 'bench-warm' }));
    const podBytes = (await (await fetch(`${srv.url}/api/v1/namespaces/bench-warm/pods/probe`)).text()).length;

    say(`raw store: ${PODS} creates from ${CONCURRENCY} writers, values of ${podBytes} bytes (the server is idle meanwhile)`);
    const store = await openStore({ kind: 'sqlite', dataDir: join(root, 'raw') });
    const rawCpu0 = cpuSecondsOf('self');
    const rawMachine0 = machineBusySeconds();
    const rawT0 = performance.now();
    const raw = await benchRawStore(store, { creates: PODS, concurrency: CONCURRENCY, gets: 5000, valueBytes: podBytes, prefix: '/bench/raw/' });
    const rawList = await benchRawList(store, { prefix: '/bench/raw/', count: PODS, runs: 5 });
    const rawWatch = await benchRawWatch(store, { prefix: '/bench/raw-watch/', writes: WATCH_WRITES, valueBytes: podBytes, intervalMs: WATCH_INTERVAL_MS });
    const rawCpu = cpuSecondsOf('self') - rawCpu0;
    const rawCpuPercent = pct(rawCpu, performance.now() - rawT0);
    const rawOtherPercent = pct(Math.max(0, machineBusySeconds() - rawMachine0 - rawCpu), performance.now() - rawT0);
    await store.close();

    say(`API: ${LOAD_GENERATOR}`);
    load = new ApiLoad(srv.url);
    const api = load;
    const phase = async <R>(label: string, run: () => Promise<PhaseRun<R>>): Promise<{ result: R; cpu: Cpu }> => {
      say(label);
      const s0 = cpuSecondsOf(srv.pid);
      const c0 = cpuSecondsOf('self');
      const m0 = machineBusySeconds();
      const t0 = performance.now();
      const r = await run();
      const ms = performance.now() - t0;
      const window = { fromMs: t0 - srv.spawnedAt, toMs: t0 + ms - srv.spawnedAt };
      const server = cpuSecondsOf(srv.pid) - s0;
      const client = cpuSecondsOf('self') - c0;
      const other = Math.max(0, machineBusySeconds() - m0 - server - client);
      const cpu: Cpu = {
        window,
        serverPercent: pct(server, ms),
        clientPercent: pct(client, ms),
        otherPercent: pct(other, ms),
        clientEventLoopUtilisation: r.clientEventLoopUtilisation,
        clientLoopDelayP99Ms: r.clientLoopDelayP99Ms,
        serverGc: gcIn(srv.gcPauses(), window),
      };
      return { result: r.result, cpu };
    };

    // Every kind of request a later phase times runs here first, so no phase times V8 compiling it.
    await phase('API warm-up: 1,000 creates, 3 s of GETs, 200 watched creates and patches (not reported)', async () => {
      await api.run('creates', { namespace: 'bench-warm', count: 1000, concurrency: CONCURRENCY, namePrefix: 'warm-' });
      await api.run('watch', { namespace: 'bench-warm', watchers: 10, writes: 200, intervalMs: 2 });
      return api.run('gets', { namespace: 'bench-warm', names: names('warm-', 1000), concurrency: CONCURRENCY, durationMs: 3000 });
    });
    const creates = await phase(`API creates: ${PODS} pods from ${CONCURRENCY} clients`, () =>
      api.run('creates', { namespace: 'bench', count: PODS, concurrency: CONCURRENCY, namePrefix: 'p-' }),
    );
    const podNames = names('p-', PODS);
    const getsMax = await phase(`API GETs: closed loop, ${CONCURRENCY} clients, 5 s`, () =>
      api.run('gets', { namespace: 'bench', names: podNames, concurrency: CONCURRENCY, durationMs: 5000 }),
    );
    const getsPaced = await phase(`API GETs: paced at ${GET_RATE}/s over ${CONCURRENCY} connections, 5 s`, () =>
      api.run('gets', { namespace: 'bench', names: podNames, concurrency: CONCURRENCY, durationMs: 5000, rate: GET_RATE }),
    );
    const listPath = '/api/v1/namespaces/bench/pods';
    const listJson = await phase(`API LIST ${PODS} pods, JSON, 5 runs`, () => api.run('list', { path: listPath, runs: 5 }));
    const listTable = await phase(`API LIST ${PODS} pods, Table (kubectl get), 5 runs`, () => api.run('list', { path: listPath, accept: TABLE_ACCEPT, runs: 5 }));
    const listPaged = await phase(`API LIST ${PODS} pods, Table in pages of 500 (kubectl's default chunking), 3 runs`, () =>
      api.run('list', { path: listPath, accept: TABLE_ACCEPT, runs: 3, pageSize: 500 }),
    );
    const watch = await phase(`API watch: 100 watchers, ${WATCH_WRITES} writes one every ${WATCH_INTERVAL_MS} ms`, () =>
      api.run('watch', { namespace: 'bench-watch', watchers: 100, writes: WATCH_WRITES, intervalMs: WATCH_INTERVAL_MS }),
    );
    await sleep(1000);
    const loadedMemory = memoryOf(srv.pid);
    await load.stop();
    load = undefined;
    const exitCode = await srv.stop();
    server = undefined;
    const full = await runControlPlaneCreates(root, say, { pods: PODS, concurrency: CONCURRENCY, nodeArgs: serverNodeArgs });
    // `--api-only`: issue 2's figures alone (the storage and workload scenarios take minutes).
    const apiOnly = process.argv.includes('--api-only');
    const storage: StorageResults | undefined = apiOnly ? undefined : await runStoragePhases(root, say);
    const workloads: WorkloadResults | undefined = apiOnly ? undefined : await runWorkloadPhases(root, say, { cpuProfDir: profDir, only: workloadChoice, nodeArgs: serverNodeArgs });
    const processPods: ProcessResults | undefined = apiOnly ? undefined : await runProcessPhases(root, say, { cpuProfDir: profDir, nodeArgs: serverNodeArgs });

    const phases = { creates, getsClosedLoop: getsMax, getsPaced, listJson, listTable, watch };
    const profiles: Record<string, ProfileSummary> = {};
    if (profDir) {
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile')); // the API server's; workloads' are in sub-directories
      if (file) {
        const p = readProfile(join(profDir, file));
        for (const [name, ph] of Object.entries(phases)) profiles[name] = profileTop(p, { n: 12, window: ph.cpu.window });
      } else say(`no .cpuprofile appeared in ${profDir} (server exit code ${exitCode})`);
    }

    const c = creates.result;
    const gm = getsMax.result;
    const gp = getsPaced.result;
    const w = watch.result;
    const rows: Row[] = [
      { metric: 'raw store: creates/s (16 writers)', value: `${raw.createsPerSecond}/s`, ratio: `p50 ${raw.createP50Ms} ms, p99 ${raw.createP99Ms} ms` },
      { metric: 'raw store: get p50 / p99 (idle)', value: `${raw.getP50Ms} / ${raw.getP99Ms} ms`, ratio: `p99 under writes ${raw.getUnderWritesP99Ms} ms` },
      { metric: `raw store: list ${rawList.keys} keys p50`, value: `${rawList.latency.p50Ms} ms` },
      { metric: 'raw store: watch delivery p50 / p99', value: `${rawWatch.p50Ms} / ${rawWatch.p99Ms} ms`, ratio: `create call -> event, 1 in-process watcher, a create every ${WATCH_INTERVAL_MS} ms` },
      { metric: '1. creates/s (16 clients, pods)', value: `${c.perSecond}/s`, target: '>= 2000/s', pass: c.perSecond >= 2000 && c.errors === 0, ratio: ratio(c.perSecond, raw.createsPerSecond, `${raw.createsPerSecond}/s`) },
      { metric: '1. create p99', value: `${c.latency.p99Ms} ms`, target: '<= 50 ms', pass: c.latency.p99Ms <= 50, ratio: ratio(c.latency.p99Ms, raw.createP99Ms, `${raw.createP99Ms} ms`) },
      { metric: '   create p50', value: `${c.latency.p50Ms} ms`, ratio: ratio(c.latency.p50Ms, raw.createP50Ms, `${raw.createP50Ms} ms`) },
      { metric: '   creates/s, every controller on', value: `${full.creates.perSecond}/s`, ratio: `p99 ${full.creates.latency.p99Ms} ms; ${full.writesPerPod} writes per pod (scheduler: event + status); server ${full.serverCpuPercent}% CPU` },
      { metric: `2. GET/s achieved (paced at ${GET_RATE}/s)`, value: `${gp.perSecond}/s`, target: '>= 5000/s', pass: gp.perSecond >= 5000 && gp.errors === 0 },
      { metric: '2. GET p99 at that rate', value: `${gp.latency.p99Ms} ms`, target: '<= 5 ms', pass: gp.latency.p99Ms <= 5, ratio: ratio(gp.latency.p99Ms, raw.getP99Ms, `${raw.getP99Ms} ms`) },
      { metric: '   GET p50 at that rate', value: `${gp.latency.p50Ms} ms`, ratio: ratio(gp.latency.p50Ms, raw.getP50Ms, `${raw.getP50Ms} ms`) },
      { metric: '   GET/s closed loop (max)', value: `${gm.perSecond}/s`, ratio: `p50 ${gm.latency.p50Ms} ms, p99 ${gm.latency.p99Ms} ms` },
      { metric: `3. LIST ${listJson.result.items} pods JSON p50`, value: `${listJson.result.latency.p50Ms} ms`, target: '<= 300 ms', pass: listJson.result.latency.p50Ms <= 300 && listJson.result.items === PODS, ratio: ratio(listJson.result.latency.p50Ms, rawList.latency.p50Ms, `list ${rawList.latency.p50Ms} ms`) },
      { metric: '   LIST JSON max / size', value: `${listJson.result.latency.maxMs} ms`, ratio: `${mb(listJson.result.bytes)} MB` },
      { metric: `3. LIST ${listTable.result.items} pods Table p50`, value: `${listTable.result.latency.p50Ms} ms`, target: '<= 300 ms', pass: listTable.result.latency.p50Ms <= 300 && listTable.result.items === PODS, ratio: ratio(listTable.result.latency.p50Ms, rawList.latency.p50Ms, `list ${rawList.latency.p50Ms} ms`) },
      { metric: '   LIST Table max / size', value: `${listTable.result.latency.maxMs} ms`, ratio: `${mb(listTable.result.bytes)} MB` },
      { metric: `   LIST Table, ${listPaged.result.pages} pages of 500, p50`, value: `${listPaged.result.latency.p50Ms} ms`, ratio: `${listPaged.result.items} rows` },
      { metric: '4. watch p99, since write sent', value: `${w.sinceSent.p99Ms} ms`, target: '<= 10 ms', pass: w.sinceSent.p99Ms <= 10 && w.missing === 0 && w.writeErrors === 0, ratio: ratio(w.sinceSent.p99Ms, rawWatch.p99Ms, `${rawWatch.p99Ms} ms`) },
      { metric: '   watch p50, since write sent', value: `${w.sinceSent.p50Ms} ms`, ratio: ratio(w.sinceSent.p50Ms, rawWatch.p50Ms, `${rawWatch.p50Ms} ms`) },
      { metric: '   watch p50 / p99, since write acked', value: `${w.sinceAcked.p50Ms} / ${w.sinceAcked.p99Ms} ms`, ratio: `write p50 ${w.writeLatency.p50Ms} ms; ${w.missing} of ${w.writes * w.watchers} events missing` },
      { metric: '   slowest watcher per write p50 / p99', value: `${w.slowestWatcherPerWrite.p50Ms} / ${w.slowestWatcherPerWrite.p99Ms} ms`, ratio: `slowest writes: ${w.slowWrites.slice(0, 3).map((x) => `${x.kind} ${x.writeMs}/${x.slowestWatcherMs} ms`).join(', ')}` },
      { metric: '5. idle RSS after start-up', value: `${full.idleRssMB} MB`, target: '<= 150 MB', pass: full.idleRssMB <= 150, ratio: `berth server, every controller on; API server alone ${idleMemory.rssMB} MB` },
      { metric: '   RSS after the load / peak', value: `${loadedMemory.rssMB} / ${loadedMemory.hwmMB} MB`, ratio: `${PODS + 1000 + 101} pods held` },
      ...(storage ? storageRows(storage, raw.createsPerSecond) : []),
      ...(workloads ? workloadRows(workloads, raw.createsPerSecond) : []),
      ...(processPods ? processRows(processPods, raw.createsPerSecond) : []),
    ];
    const speedAtEnd = calibrationMs();
    printTable(`berth bench: ${new Date().toISOString()}, ${cpus().length} cores, node ${process.version}, ${speedNote(speedAtStart, speedAtEnd)}`, rows);
    const cpuRows: Row[] = [
      { metric: 'raw store (in this process)', value: `bench ${rawCpuPercent}%`, ratio: `other ${rawOtherPercent}%` },
      ...(
        [
          ['creates', creates.cpu],
          ['GETs closed loop', getsMax.cpu],
          ['GETs paced', getsPaced.cpu],
          ['LIST JSON', listJson.cpu],
          ['LIST Table', listTable.cpu],
          ['watch', watch.cpu],
        ] as const
      ).map(([name, cpu]) => ({
        metric: name,
        value: `server ${cpu.serverPercent}%`,
        target: `GC ${cpu.serverGc.count}x ${cpu.serverGc.totalMs} ms, max ${cpu.serverGc.maxMs} ms`,
        ratio: `client ${cpu.clientPercent}% (loop ${Math.round(cpu.clientEventLoopUtilisation * 100)}% busy, p99 late ${cpu.clientLoopDelayP99Ms} ms), other ${cpu.otherPercent}%`,
      })),
    ];
    printTable('CPU per phase (100% = one core; client = this process, its load generator a worker thread; other = rest of the machine) and server GC pauses', cpuRows, {
      metric: 'phase',
      value: 'server CPU',
      target: 'server GC pauses',
      ratio: 'client and the rest',
    });
    const noisy = [rawOtherPercent, ...Object.values(phases).map((ph) => ph.cpu.otherPercent)].some((p) => p > 25);
    if (noisy) say('WARNING: other processes used more than a quarter of a core during some phase; these figures are disturbed, run again on a quiet machine');
    for (const [name, prof] of Object.entries(profiles)) printProfile(prof, `server CPU profile, phase ${name}`);
    if (workloads) printWorkloadProfiles(workloads);
    if (processPods) printProcessProfiles(processPods);
    for (const [name, r] of [['creates', c], ['GETs closed loop', gm], ['GETs paced', gp], ['watch writes', w]] as const) {
      if (r.firstError) say(`${name}: first error of the phase: ${r.firstError}`);
    }

    const results = join(REPO, 'bench', 'results', apiOnly ? 'api.json' : 'latest.json');
    writeResults(results, {
      loadGenerator: LOAD_GENERATOR,
      durationSeconds: Math.round((performance.now() - started) / 1000),
      targets: Object.fromEntries(rows.filter((r) => r.pass !== undefined).map((r) => [r.metric, { value: r.value, target: r.target, pass: r.pass }])),
      raw: { ...raw, valueBytes: podBytes, list: rawList, watch: rawWatch, cpuPercent: rawCpuPercent, otherCpuPercent: rawOtherPercent },
      loadAverageAtStart: loadAtStart,
      calibrationMs: { start: speedAtStart, end: speedAtEnd },
      serverNodeArgs,
      api: {
        creates,
        getsClosedLoop: getsMax,
        getsPaced,
        listJson,
        listTable,
        listTablePaged: listPaged,
        watch,
        memory: { idle: idleMemory, afterLoad: loadedMemory },
        controlPlane: full,
        podBytes,
      },
      storage,
      workloads,
      process: processPods,
      profiles: profDir ? profiles : undefined,
    });
    say(`wrote ${results} (${Math.round((performance.now() - started) / 1000)} s)`);
  } finally {
    await load?.stop();
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
    if (profDir) say(`server CPU profile kept in ${profDir}`);
  }
}

function gcIn(pauses: GcPause[], w: ProfileWindow): Cpu['serverGc'] {
  const inside = pauses.filter((p) => p.atMs >= w.fromMs && p.atMs <= w.toMs);
  const max = inside.reduce<GcPause | undefined>((m, p) => (!m || p.pauseMs > m.pauseMs ? p : m), undefined);
  const totalMs = Math.round(inside.reduce((a, p) => a + p.pauseMs, 0));
  return { count: inside.length, totalMs, maxMs: max?.pauseMs ?? 0, maxKind: max?.kind ?? '' };
}

function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

function pct(cpuSeconds: number, wallMs: number): number {
  return Math.round((cpuSeconds * 100_000) / wallMs);
}

function mb(bytes: number): number {
  return Math.round(bytes / 104_857.6) / 10;
}

async function setup(url: string, method: string, path: string, body: unknown): Promise<void> {
  const r = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${await r.text()}`);
}

function say(line: string): void {
  process.stdout.write(`bench: ${line}\n`);
}

const only = (flag: string) => process.argv.includes(flag);
await (only('--storage-only')
  ? scenarioOnly({ title: 'storage only', run: (root) => runStoragePhases(root, say), rows: storageRows })
  : only('--workloads-only')
    ? scenarioOnly({
        title: 'workloads only',
        run: (root, o) => runWorkloadPhases(root, say, { ...o, only: chosenWorkloads() }),
        rows: workloadRows,
        profiles: printWorkloadProfiles,
        results: { file: 'workloads.json', key: 'workloads' },
      })
    : only('--process-only')
      ? scenarioOnly({
          title: 'process pods only',
          run: (root, o) => runProcessPhases(root, say, o),
          rows: processRows,
          profiles: printProcessProfiles,
          results: { file: 'process.json', key: 'process' },
        })
      : main());
