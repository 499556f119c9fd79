// The text of a failed scheduling attempt, exactly as kube-scheduler 1.32 words it
// (framework.FitError.Error): "0/N nodes are available: " then either the PreFilter rejection or
// the sorted histogram of every node's reasons ("2 Insufficient cpu, 1 node(s) had untolerated
// taint {k: v}"), then the PostFilter (preemption) verdict, which DefaultPreemption phrases as a
// second FitError over the nodes: "Preemption is not helpful for scheduling" where the rejection
// is UnschedulableAndUnresolvable, "No preemption victims found for incoming pod" elsewhere.
// Deliberately absent: preemption itself. berth never evicts a pod to make room, so the second
// verdict is what Kubernetes reports whenever no pod of lower priority runs on the node (always,
// unless pods carry priorities); it is worded the same.

import type { KObject } from '../api/resource.js';
import type { Status } from './framework.js';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export interface Diagnosis {
  numAllNodes: number;
  /** Statuses of the nodes the filters rejected. */
  nodeStatuses: Map<string, Status>;
  /** The status of every node not in nodeStatuses (a PreFilter rejection, or nodes it excluded). */
  absent?: Status;
  /** Set when a PreFilter plugin rejected the pod for every node. */
  preFilterMsg?: string;
}

/** framework.FitError.Error(). */
export function fitErrorMessage(d: Diagnosis, postFilterMsg = ''): string {
  let msg = `0/${d.numAllNodes} nodes are available:`;
  if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
  else {
    const reasons = new Map<string, number>();
    const add = (r: string, n: number) => reasons.set(r, (reasons.get(r) ?? 0) + n);
    for (const s of d.nodeStatuses.values()) for (const r of s.reasons) add(r, 1);
    const absent = d.numAllNodes - d.nodeStatuses.size;
    if (absent > 0 && d.absent) for (const r of d.absent.reasons) add(r, absent);
    const histogram = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
    if (histogram.length) msg += ` ${histogram.join(', ')}.`;
  }
  if (postFilterMsg) msg += ` ${postFilterMsg}`;
  return msg;
}

/** DefaultPreemption's PostFilter message when no node can be made to fit by preemption. */
export function preemptionMessage(pod: KObject, d: Diagnosis): string {
  if (pod.spec?.preemptionPolicy === 'Never') return 'preemption: not eligible due to preemptionPolicy=Never.';
  const verdict = (s: Status | undefined): Status =>
    !s || s.code === 'UnschedulableAndUnresolvable'
      ? { code: 'UnschedulableAndUnresolvable', reasons: ['Preemption is not helpful for scheduling'], plugin: 'DefaultPreemption' }
      : { code: 'UnschedulableAndUnresolvable', reasons: ['No preemption victims found for incoming pod'], plugin: 'DefaultPreemption' };
  const nodeStatuses = new Map<string, Status>();
  for (const [name, s] of d.nodeStatuses) nodeStatuses.set(name, verdict(s));
  return `preemption: ${fitErrorMessage({ numAllNodes: d.numAllNodes, nodeStatuses, absent: verdict(d.absent) })}`;
}

/** The message recorded for an unschedulable pod: the FitError followed by the preemption verdict. */
export function unschedulableMessage(pod: KObject, d: Diagnosis): string {
  if (d.numAllNodes === 0) return NO_NODES_AVAILABLE;
  return fitErrorMessage(d, preemptionMessage(pod, d));
}
