// The table rows of issue 5's figures (bench/process-phases.ts): pod start against its targets, where
// the time of a sequential start went, the burst, exec round trips against theirs, the anchors the
// issue names, CPU per phase, and cleanup; plus the server's CPU profile per phase when one was taken.
// Deliberately absent: measuring anything.

import { printProfile } from './profile-top.js';
import type { ProcessResults, PodStartRun, PhaseCpu } from './process-phases.js';
import type { Row } from './report.js';

const ms = (n: number) => `${Math.round(n)} ms`;

function cpuRow(label: string, c: PhaseCpu): Row {
  const disturbed = c.otherPercent > 25;
  return {
    metric: `   CPU in ${label}: berth / its children / bench+kubectl / kernel / other`,
    value: `${c.serverPercent}% / ${c.childrenPercent}% / ${c.benchPercent}% / ${c.kernelThreadsPercent}% / ${c.otherPercent}%`,
    ratio: `${c.wallSeconds} s; children = shims, launchers, containers, ip/mount helpers; unattributed (softirqs, short-lived kernel workers) ${c.unattributedPercent}%${c.topOthers.length ? `; busiest others by own time: ${c.topOthers.join(', ')}` : ''}${disturbed ? '; other processes were busy: a disturbed run' : ''}`,
  };
}

/** The slowest pod's largest step between two consecutive stages it reached. */
function largestStep(at: Record<string, number>): string {
  const seen = Object.entries(at).sort((a, b) => a[1] - b[1]);
  let best = { from: 'create request', to: '', ms: -1 };
  let prev: [string, number] = ['create request', 0];
  for (const cur of seen) {
    if (cur[1] - prev[1] > best.ms) best = { from: prev[0], to: cur[0], ms: cur[1] - prev[1] };
    prev = cur;
  }
  return `${best.from} -> ${best.to}: ${best.ms} ms`;
}

/** A single pod start is latency-bound, not store-bound: how much of it the store's writes explain. */
function latencyRatio(run: PodStartRun, raw: number): string {
  const storeMs = (run.writesPerPod * 1000) / raw;
  return `${run.writesPerPod} writes/pod = ${storeMs.toFixed(1)} ms at raw ${raw} creates/s (${Math.round((100 * storeMs) / run.createToReady.p50Ms)}% of p50): not store-bound`;
}

function throughputRatio(run: PodStartRun, raw: number): string {
  if (Number.isNaN(run.totalSeconds)) return `${run.ready}/${run.pods} Ready`;
  const podsPerSecond = run.pods / run.totalSeconds;
  const writes = podsPerSecond * run.writesPerPod;
  return `${podsPerSecond.toFixed(1)} pods/s x ${run.writesPerPod} writes = ${Math.round(writes)} writes/s = ${(writes / raw).toFixed(3)}x of raw ${raw} creates/s`;
}

export function processRows(r: ProcessResults, rawCreatesPerSecond: number): Row[] {
  if (r.skipped) return [{ metric: '12./13. process pods', value: 'skipped', ratio: r.skipped }];
  const rows: Row[] = [];
  if (r.error) rows.push({ metric: '12./13. process pods', value: 'error', pass: false, ratio: r.error.split('\n')[0] });
  const seq = r.sequential;
  if (seq) {
    const ok = seq.ready === seq.pods;
    rows.push(
      { metric: `12. pod start, 1 PVC, process runtime: ${seq.pods} one at a time: p50`, value: ms(seq.createToReady.p50Ms), target: '<= 300 ms', pass: ok && seq.createToReady.p50Ms <= 300, ratio: latencyRatio(seq, rawCreatesPerSecond) },
      { metric: '12. the same: p99', value: ms(seq.createToReady.p99Ms), target: '<= 1 s', pass: ok && seq.createToReady.p99Ms <= 1000, ratio: `${seq.ready}/${seq.pods} Ready; max ${ms(seq.createToReady.maxMs)}; create request -> Ready seen by a pod watch${seq.firstError ? `; first error: ${seq.firstError}` : ''}` },
    );
    const coarse = r.statusTimestampExample && !r.statusTimestampExample.includes('.');
    rows.push({
      metric: '   where the time went (after the pod create request)',
      value: 'p50 / p99',
      ratio: coarse ? `watch arrivals on the bench clock: status timestamps are whole seconds (${r.statusTimestampExample}), too coarse` : 'watch arrivals on the bench clock',
    });
    rows.push({ metric: '     pod create answered (201)', value: `${ms(seq.createReply.p50Ms)} / ${ms(seq.createReply.p99Ms)}` });
    for (const s of seq.stages) rows.push({ metric: `     ${s.stage}`, value: s.at.count ? `${ms(s.at.p50Ms)} / ${ms(s.at.p99Ms)}` : 'not seen', ratio: s.at.count && s.at.count < seq.pods ? `${s.at.count} pods` : undefined });
    rows.push({
      metric: '     CPU per pod: its shim / its container setup',
      value: `${ms(seq.cpuPerPod.shimMs.p50Ms)} / ${ms(seq.cpuPerPod.setupMs.p50Ms)}`,
      ratio: `p50 from /proc (10 ms ticks): the Node shim's boot, and the mount/mkdir/ln processes of the launcher script`,
    });
    for (const p of seq.slowest.slice(0, 3)) rows.push({ metric: `     slow: ${p.pod}, Ready at`, value: `${p.at['pod: Ready'] ?? '-'} ms`, ratio: `largest step ${largestStep(p.at)}` });
    if (r.firstPodMs !== undefined) rows.push({ metric: '     first pod after start-up (warm-up, not counted)', value: ms(r.firstPodMs) });
    rows.push(cpuRow('the sequential starts', seq.cpu));
  }
  const b = r.burst;
  if (b) {
    rows.push(
      { metric: `   ${b.pods} pods at once: create -> Ready`, value: `${ms(b.createToReady.p50Ms)} / ${ms(b.createToReady.p99Ms)}`, ratio: `p50 / p99; ${b.ready}/${b.pods} Ready${b.firstError ? `; first error: ${b.firstError}` : ''}` },
      { metric: '     burst: pods in the agent at once (max) / CPU per pod: shim, setup', value: `${b.maxConcurrentStarts} / ${ms(b.cpuPerPod.shimMs.p50Ms)}, ${ms(b.cpuPerPod.setupMs.p50Ms)}`, ratio: 'between "sandbox begun" and "container init running"; CPU p50 from /proc' },
      { metric: `   ${b.pods} pods at once: first create -> last Ready`, value: Number.isNaN(b.totalSeconds) ? 'not all' : `${b.totalSeconds.toFixed(2)} s`, ratio: throughputRatio(b, rawCreatesPerSecond) },
      ...b.stages.filter((s) => s.stage.startsWith('agent') || s.stage.startsWith('shim') || s.stage === 'pod: bound to the node (scheduler)').map((s) => ({ metric: `     burst: ${s.stage}`, value: s.at.count ? `${ms(s.at.p50Ms)} / ${ms(s.at.p99Ms)}` : 'not seen' })),
      cpuRow('the burst', b.cpu),
    );
  }
  const del = r.deleteSeconds;
  if (del.sequential !== undefined || del.burst !== undefined) {
    rows.push({ metric: '   delete (grace 1) -> all gone: 51 / 50 pods', value: `${del.sequential ?? '-'} / ${del.burst ?? '-'} s`, ratio: 'delete requests at once -> every DELETED event' });
  }
  const e = r.exec;
  if (e) {
    const ok = e.failures === 0;
    rows.push(
      { metric: `13. kubectl exec pod -- true: ${e.kubectl.count} runs: p50`, value: ms(e.kubectl.p50Ms), target: '<= 100 ms', pass: ok && e.kubectl.p50Ms <= 100, ratio: `spawn -> exit of kubectl 1.32: Go start, kubeconfig, GET pod, WebSocket upgrade, agent exec, status, close; p99 ${ms(e.kubectl.p99Ms)}` },
      { metric: '   raw WebSocket exec: open -> exit status / -> close', value: `${ms(e.wsStatus.p50Ms)} / ${ms(e.wsClose.p50Ms)}`, ratio: `p50; p99 ${ms(e.wsStatus.p99Ms)} / ${ms(e.wsClose.p99Ms)}: berth's share (v5.channel.k8s.io, ws package, no kubectl)` },
      { metric: '   kubectl version --client: spawn -> exit', value: ms(e.kubectlVersion.p50Ms), ratio: `p50; p99 ${ms(e.kubectlVersion.p99Ms)}: kubectl's own start-up, no request${ok ? '' : `; ${e.failures} exec failures, first: ${e.firstFailure}`}` },
    );
  }
  rows.push(
    { metric: "   anchor: Kubernetes' pod startup SLO (images pre-pulled)", value: 'p99 <= 5 s', ratio: seq ? `berth: p99 ${ms(seq.createToReady.p99Ms)} sequential (${seq.ready}/${seq.pods} Ready)${b ? `, ${ms(b.createToReady.p99Ms)} in a burst of ${b.pods} (${b.ready} Ready)` : ''}` : '' },
    { metric: '   anchor: 2019 Kubernetes storage test, 100 pods with a PV each, 1 node', value: 'p99 500 s', ratio: b ? `berth: p99 ${ms(b.createToReady.p99Ms)} for ${b.pods} at once (${b.ready} Ready)` : '' },
  );
  const env = [
    r.idleCpuPercent !== undefined ? `idle CPU (berth + children) ${r.idleCpuPercent}% with 1 pod` : '',
    r.rssAfterMB !== undefined ? `RSS after the burst ${r.rssAfterMB} MB` : '',
    r.loadAverage ? `load average before ${r.loadAverage.join(' ')}` : '',
    r.settleKernelPercent !== undefined ? `kernel threads ${r.settleKernelPercent}% in the 5 s after the first deletion` : '',
    `server log ${r.serverLog}`,
    `berth exit code ${r.serverExitCode}`,
  ].filter(Boolean);
  const left = r.leftoverNetns;
  rows.push({ metric: "   this run's pod netns left after berth stopped", value: left.length ? `${left.length}` : 'none', pass: left.length === 0, target: 'none', ratio: [...(left.length ? [`e.g. ${left.slice(0, 3).join(', ')}`] : []), ...env].join('; ') });
  return rows;
}

export function printProcessProfiles(r: ProcessResults): void {
  if (r.sequential?.cpu.profile) printProfile(r.sequential.cpu.profile, 'server CPU profile, process pods one at a time');
  if (r.burst?.cpu.profile) printProfile(r.burst.cpu.profile, 'server CPU profile, process pods all at once');
}
