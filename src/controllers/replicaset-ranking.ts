// Which pods a ReplicaSet deletes first when it has too many: pkg/controller's
// ActivePodsWithRanks ordering as Kubernetes 1.32 applies it (getPodsToDelete with
// getPodsRankedByRelatedPodsOnSameNode, PodDeletionCost and LogarithmicScaleDown on, as they are
// by default): unscheduled < scheduled; Pending < Unknown < Running; not ready < ready; lower
// controller.kubernetes.io/pod-deletion-cost first; pods doubled up on a node with more related
// pods first; then among ready pods the most recently ready (compared on a log2 scale of age, ties
// by uid), more container restarts first, and the newest created (same log2 scale).
// Pure: the clock comes in as an argument.

import type { KObject } from '../api/resource.js';
import { isPodReady, podCondition } from './util/pods.js';

type Pod = KObject;

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** IsPodActive: not terminal and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** GetDeletionCostFromPodAnnotations: an int32 in decimal, else 0. */
function deletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST];
  if (typeof v !== 'string' || !/^[+-]?[0-9]+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function readyTime(pod: Pod): number {
  if (!isPodReady(pod)) return 0;
  const t = Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '');
  return Number.isNaN(t) ? 0 : t;
}

function createdAt(pod: Pod): number {
  const t = Date.parse(pod.metadata?.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
}

/** afterOrZero: a zero time sorts first, then the later time. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/** logarithmicRankDiff: compares floor(log2(age in ns)). */
function logRank(t: number, now: number): number {
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

/** The newer-first comparison with LogarithmicScaleDown: <0 when a goes first. */
function compareTimes(a: Pod, ta: number, b: Pod, tb: number, now: number): number {
  if (ta === tb) return 0;
  if (!now || ta === 0 || tb === 0) return afterOrZero(ta, tb) ? -1 : 1;
  const diff = logRank(ta, now) - logRank(tb, now);
  if (diff !== 0) return diff;
  const ua = a.metadata?.uid ?? '';
  const ub = b.metadata?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** maxContainerRestarts: regular containers, then restartable init (sidecar) containers. */
function restarts(pod: Pod): [number, number] {
  let regular = 0;
  for (const c of pod.status?.containerStatuses ?? []) regular = Math.max(regular, c?.restartCount ?? 0);
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c: any) => c?.restartPolicy === 'Always').map((c: any) => c.name));
  let sidecar = 0;
  for (const c of pod.status?.initContainerStatuses ?? []) if (sidecars.has(c?.name)) sidecar = Math.max(sidecar, c?.restartCount ?? 0);
  return [regular, sidecar];
}

interface Ranked {
  pod: Pod;
  rank: number;
}

function compare(a: Ranked, b: Ranked, now: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  // 1. Unassigned < assigned.
  if (na !== nb && (!na || !nb)) return !na ? -1 : 1;
  // 2. Pending < Unknown < Running.
  const oa = PHASE_ORDINAL[pa.status?.phase] ?? 0;
  const ob = PHASE_ORDINAL[pb.status?.phase] ?? 0;
  if (oa !== ob) return oa - ob;
  // 3. Not ready < ready.
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  // 4. Lower deletion cost first.
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca - cb;
  // 5. Doubled up (more related pods on the same node) first.
  if (a.rank !== b.rank) return b.rank - a.rank;
  // 6. Ready for less time first.
  if (ra && rb) {
    const c = compareTimes(pa, readyTime(pa), pb, readyTime(pb), now);
    if (c !== 0) return c;
  }
  // 7. More restarts first (regular containers, then sidecars).
  const [ga, sa] = restarts(pa);
  const [gb, sb] = restarts(pb);
  if (ga !== gb) return gb - ga;
  if (sa !== sb) return sb - sa;
  // 8. Newer first.
  return compareTimes(pa, createdAt(pa), pb, createdAt(pb), now);
}

/**
 * getPodsToDelete: the `count` pods of `pods` to delete first. `related` are the active and
 * inactive pods of every ReplicaSet sharing this one's controller (the pods a node "doubles up").
 */
export function podsToDelete(pods: readonly Pod[], count: number, opts: { related: readonly Pod[]; now: Date }): Pod[] {
  if (count >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of opts.related) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const now = opts.now.getTime();
  const ranked: Ranked[] = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => compare(a, b, now));
  return ranked.slice(0, count).map((r) => r.pod);
}
