// A ReplicaSet's status as pkg/controller/replicaset computes it (calculateStatus and the
// ReplicaFailure condition helpers): replicas, fullyLabeledReplicas, readyReplicas and
// availableReplicas over the pods it controls (counted by replicaset-pods.ts), and a
// ReplicaFailure condition (FailedCreate or FailedDelete with the error's message) while scaling
// fails. Zero counters are omitted, as the Go types' omitempty tags omit them. Pure: the clock
// comes in as an argument.

import type { KObject } from '../api/resource.js';
import type { PodCounts } from './replicaset-pods.js';

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: any[];
}

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** calculateStatus: the counters, and the ReplicaFailure condition while scaling fails. */
export function calculateReplicaSetStatus(rs: KObject, counts: PodCounts, opts: { manageError?: Error; now: Date }): ReplicaSetStatus {
  let conditions: any[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c?.type === 'ReplicaFailure');
  if (opts.manageError && !failure) {
    const diff = counts.replicas - (rs.spec?.replicas ?? 0);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(opts.now), reason, message: opts.manageError.message });
  } else if (!opts.manageError && failure) {
    conditions = conditions.filter((c) => c?.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = { replicas: counts.replicas };
  if (counts.fullyLabeled) status.fullyLabeledReplicas = counts.fullyLabeled;
  if (counts.ready) status.readyReplicas = counts.ready;
  if (counts.available) status.availableReplicas = counts.available;
  if (rs.status?.observedGeneration) status.observedGeneration = rs.status.observedGeneration;
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** The counters and conditions are what updateReplicaSetStatus compares (observedGeneration apart). */
export function sameReplicaSetStatus(a: any, b: ReplicaSetStatus): boolean {
  return (
    (a?.replicas ?? 0) === b.replicas &&
    (a?.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a?.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a?.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    JSON.stringify(a?.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}
