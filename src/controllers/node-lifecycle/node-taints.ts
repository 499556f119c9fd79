// The taints and labels the node lifecycle controller keeps on a Node (nodelifecycle
// doNoScheduleTaintingPass, processTaintBaseEviction, markNodeAsReachable, reconcileNodeLabels):
// a NoSchedule taint per unhealthy condition (Ready False → not-ready, Ready Unknown →
// unreachable, MemoryPressure/DiskPressure/PIDPressure/NetworkUnavailable True → their keys) and
// for spec.unschedulable; the NoExecute not-ready or unreachable taint the controller decided on
// (the two are mutually exclusive, mirroring the Ready condition); the beta os/arch labels mirroring
// the stable ones. Added taints carry timeAdded, as SwapNodeControllerTaint sets it. Taints the
// controller does not own are kept untouched, in place. Pure.
// Deliberately absent: deciding whether a NoExecute taint may be added (rate limits, disruption
// mode): the controller passes that decision in.

import type { KObject } from '../../api/resource.js';
import type { Taint } from './taints.js';
import {
  TAINT_DISK_PRESSURE,
  TAINT_MEMORY_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY,
  TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE,
  TAINT_UNSCHEDULABLE,
  nodeTaints,
} from './taints.js';

/** nodeConditionToTaintKeyStatusMap. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};
const NO_SCHEDULE_KEYS = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_UNSCHEDULABLE]);
const NO_EXECUTE_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE]);

/** What the node's NoExecute not-ready/unreachable taint should be: one of the keys, none, or as it is. */
export type NoExecuteWish = typeof TAINT_NOT_READY | typeof TAINT_UNREACHABLE | 'none' | 'keep';

/** The NoSchedule taint keys the node's conditions and spec.unschedulable call for. */
export function noScheduleKeys(node: KObject): Set<string> {
  const keys = new Set<string>();
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c?.type]?.[c?.status];
    if (key) keys.add(key);
  }
  if (node.spec?.unschedulable) keys.add(TAINT_UNSCHEDULABLE);
  return keys;
}

/** The node's taints as the controller wants them, or undefined when they are right already. */
export function desiredTaints(node: KObject, opts: { noExecute: NoExecuteWish; nowIso: string }): Taint[] | undefined {
  const { noExecute, nowIso } = opts;
  const wantNoSchedule = noScheduleKeys(node);
  const current = nodeTaints(node);
  const next: Taint[] = [];
  for (const t of current) {
    if (t?.effect === 'NoSchedule' && NO_SCHEDULE_KEYS.has(t.key) && !wantNoSchedule.has(t.key)) continue;
    if (t?.effect === 'NoExecute' && NO_EXECUTE_KEYS.has(t.key) && noExecute !== 'keep' && noExecute !== t.key) continue;
    next.push(t);
  }
  for (const key of wantNoSchedule) {
    if (!next.some((t) => t.key === key && t.effect === 'NoSchedule')) next.push({ key, effect: 'NoSchedule', timeAdded: nowIso });
  }
  if (noExecute !== 'keep' && noExecute !== 'none' && !next.some((t) => t.key === noExecute && t.effect === 'NoExecute')) {
    next.push({ key: noExecute, effect: 'NoExecute', timeAdded: nowIso });
  }
  const same = next.length === current.length && next.every((t, i) => t === current[i]);
  return same ? undefined : next;
}

/** labelReconcileInfo: the beta label mirrors the stable one (the stable one wins). */
const LABEL_PAIRS: [string, string][] = [
  ['kubernetes.io/os', 'beta.kubernetes.io/os'],
  ['kubernetes.io/arch', 'beta.kubernetes.io/arch'],
];

/** Labels to set so the beta os/arch labels mirror the stable ones, or undefined when they do. */
export function labelsToReconcile(node: KObject): Record<string, string> | undefined {
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  const out: Record<string, string> = {};
  for (const [primary, secondary] of LABEL_PAIRS) {
    if (!(primary in labels)) continue;
    if (labels[secondary] !== labels[primary]) out[secondary] = labels[primary];
  }
  return Object.keys(out).length ? out : undefined;
}
