// Scoring of the feasible nodes, with kube-scheduler 1.32's default score plugins, weights and
// normalizations: TaintToleration (3; fewer untolerated PreferNoSchedule taints), NodeAffinity
// (2; preferred terms), NodeResourcesFit LeastAllocated (1; cpu and memory, non-zero requests),
// NodeResourcesBalancedAllocation (1; skipped for best-effort pods) and PodTopologySpread's
// system default constraints (2; hostname maxSkew 3, zone maxSkew 5). The highest total wins, ties
// are broken at random (selectHost).
// berth counts a pod's "siblings" for spreading by its controlling owner (same ReplicaSet,
// StatefulSet, ...) where Kubernetes derives a selector from the Services and controllers
// selecting the pod; pods without a controller are not spread.
// Deliberately absent: InterPodAffinity and ImageLocality scores, explicit
// topologySpreadConstraints.

import type { KObject } from '../api/resource.js';
import type { NodeInfo, PodFootprint } from './node-info.js';
import { preferredAffinityWeight } from './plugins/node-affinity.js';
import { intolerablePreferNoScheduleTaints, preferNoScheduleTolerations } from './plugins/taint-toleration.js';
import type { SchedulerCache } from './scheduler-cache.js';

const MAX = 100;
const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface ScoreInput {
  pod: KObject;
  footprint: PodFootprint;
  cache: SchedulerCache;
}

/** helper.DefaultNormalizeScore (integer arithmetic, as in Go). */
function normalize(scores: number[], reverse: boolean): number[] {
  const max = Math.max(0, ...scores);
  if (max === 0) return scores.map(() => (reverse ? MAX : 0));
  return scores.map((s) => {
    const v = Math.trunc((MAX * s) / max);
    return reverse ? MAX - v : v;
  });
}

/** leastRequestedScore of one resource; -1 when the node has none of it (left out of the average). */
function leastRequested(requested: number, capacity: number): number {
  if (capacity === 0) return -1;
  if (requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX) / capacity);
}

function leastAllocated(f: PodFootprint, n: NodeInfo): number {
  const cpu = leastRequested(n.nonZeroCPU + f.nonZeroCPU, n.allocatable.milliCPU);
  const mem = leastRequested(n.nonZeroMemory + f.nonZeroMemory, n.allocatable.memory);
  if (cpu < 0 && mem < 0) return 0;
  if (cpu < 0) return mem;
  if (mem < 0) return cpu;
  return Math.trunc((cpu + mem) / 2);
}

function balancedAllocation(f: PodFootprint, n: NodeInfo): number {
  const ac = n.allocatable.milliCPU;
  const am = n.allocatable.memory;
  // With fewer than two resources the deviation is 0 (resourceAllocationScorer).
  if (ac === 0 || am === 0) return MAX;
  const fc = Math.min(1, (n.requested.milliCPU + f.requests.milliCPU) / ac);
  const fm = Math.min(1, (n.requested.memory + f.requests.memory) / am);
  return Math.trunc((1 - Math.abs((fc - fm) / 2)) * MAX);
}

/** PodTopologySpread's scores under the system default constraints, counting pods of the same owner. */
function spread(input: ScoreInput, nodes: NodeInfo[]): number[] | undefined {
  const owner = input.footprint.owner;
  if (!owner) return undefined;
  let zones: Set<string> | undefined;
  for (const n of nodes) {
    const z = n.labels[ZONE_LABEL];
    if (z !== undefined) (zones ??= new Set()).add(z);
  }
  let zoneCounts: Map<string, number> | undefined;
  if (zones) {
    zoneCounts = new Map();
    for (const n of input.cache.nodes()) {
      const z = n.labels[ZONE_LABEL];
      if (z !== undefined) zoneCounts.set(z, (zoneCounts.get(z) ?? 0) + (n.owners.get(owner) ?? 0));
    }
  }
  const hostWeight = Math.log(nodes.length + 2);
  const zoneWeight = Math.log((zones?.size ?? 0) + 2);
  const raw = new Array<number>(nodes.length);
  let max = 0;
  let min = Infinity;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    let v = (n.owners.get(owner) ?? 0) * hostWeight + (3 - 1);
    const z = zoneCounts ? n.labels[ZONE_LABEL] : undefined;
    if (z !== undefined) v += (zoneCounts!.get(z) ?? 0) * zoneWeight + (5 - 1);
    raw[i] = Math.trunc(v);
    if (raw[i] > max) max = raw[i];
    if (raw[i] < min) min = raw[i];
  }
  for (let i = 0; i < nodes.length; i++) raw[i] = max === 0 ? MAX : Math.trunc((MAX * (max + min - raw[i])) / max);
  return raw;
}

/** The weighted total score of each feasible node. */
export function scoreNodes(input: ScoreInput, nodes: NodeInfo[]): number[] {
  const spec = input.pod.spec ?? {};
  const f = input.footprint;
  const totals = new Array<number>(nodes.length);
  const balanced = !(f.requests.milliCPU === 0 && f.requests.memory === 0);
  let tainted = false;
  for (let i = 0; i < nodes.length; i++) {
    totals[i] = leastAllocated(f, nodes[i]) + (balanced ? balancedAllocation(f, nodes[i]) : 0);
    if (nodes[i].node?.spec?.taints?.length) tainted = true;
  }
  if (tainted) {
    const prefer = preferNoScheduleTolerations(spec.tolerations);
    const raw = nodes.map((n) => intolerablePreferNoScheduleTaints(prefer, n));
    normalize(raw, true).forEach((v, i) => (totals[i] += 3 * v));
  } else {
    for (let i = 0; i < nodes.length; i++) totals[i] += 3 * MAX;
  }
  const preferred: any[] = spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  if (preferred.length) {
    const raw = nodes.map((n) => preferredAffinityWeight(preferred, n));
    normalize(raw, false).forEach((v, i) => (totals[i] += 2 * v));
  }
  const spreadScores = spread(input, nodes);
  if (spreadScores) for (let i = 0; i < nodes.length; i++) totals[i] += 2 * spreadScores[i];
  return totals;
}

/** selectHost: the highest score; among equals, each is equally likely. */
export function selectHost(nodes: NodeInfo[], scores: number[], opts: { random?: () => number } = {}): NodeInfo {
  const random = opts.random ?? Math.random;
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (scores[i] > scores[best]) {
      best = i;
      ties = 1;
    } else if (scores[i] === scores[best] && random() * ++ties < 1) best = i;
  }
  return nodes[best];
}
