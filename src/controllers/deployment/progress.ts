// A rollout's status and Progressing condition (pkg/controller/deployment/progress.go):
// NewReplicaSetAvailable "ReplicaSet "<rs>" has successfully progressed." once complete,
// ReplicaSetUpdated "ReplicaSet "<rs>" is progressing." (refreshing lastUpdateTime) whenever
// replicas move, ProgressDeadlineExceeded "ReplicaSet "<rs>" has timed out progressing." after
// progressDeadlineSeconds without progress; a ReplicaFailure condition of the new (else any)
// ReplicaSet is carried over. A rollout that has not finished is synced again when its deadline
// would pass, so the timeout is reported on time even if nothing else happens.
// Also the paused/resumed Progressing condition (sync.go's checkPausedConditions).

import type { DeploymentSync } from './deployment-context.js';
import type { Condition, ReplicaSet } from './deployment-util.js';
import {
  REASON,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getCondition,
  hasProgressDeadline,
  newCondition,
  removeCondition,
  setCondition,
} from './deployment-util.js';
import type { ReplicaSets } from './sync.js';
import { calculateStatus, sameStatus } from './sync.js';

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure conditions, else those of any. */
function replicaFailures(all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Condition[] {
  const convert = (c: any): Condition => ({
    type: c.type,
    status: c.status,
    lastUpdateTime: c.lastTransitionTime,
    lastTransitionTime: c.lastTransitionTime,
    reason: c.reason,
    message: c.message,
  });
  const of = (rs: ReplicaSet | undefined) => (rs?.status?.conditions ?? []).filter((c: any) => c?.type === 'ReplicaFailure').map(convert);
  const fromNew = of(newRS);
  return fromNew.length ? fromNew : all.flatMap(of);
}

/** syncRolloutStatus. */
export async function syncRolloutStatus(s: DeploymentSync, rss: ReplicaSets): Promise<void> {
  const { d, ctx } = s;
  const { newRS } = rss;
  const all = [...rss.oldRSs, newRS];
  const status = calculateStatus(s, all, newRS);
  const now = ctx.now();
  if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
  const current = getCondition(d.status, 'Progressing');
  const isComplete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !isComplete) {
    const subject = newRS ? `ReplicaSet "${newRS.metadata?.name}"` : `Deployment "${d.metadata?.name}"`;
    if (deploymentComplete(d, status)) {
      setCondition(status, newCondition('Progressing', 'True', { reason: REASON.newRSAvailable, message: `${subject} has successfully progressed.`, now }));
    } else if (deploymentProgressing(d, status)) {
      const cond = newCondition('Progressing', 'True', { reason: REASON.replicaSetUpdated, message: `${subject} is progressing.`, now });
      // The same reason again must still refresh lastUpdateTime: replace rather than set.
      if (current) {
        if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, 'Progressing');
      }
      setCondition(status, cond);
    } else if (deploymentTimedOut(d, status, now)) {
      setCondition(status, newCondition('Progressing', 'False', { reason: REASON.timedOut, message: `${subject} has timed out progressing.`, now }));
    }
  }
  const failures = replicaFailures(all, newRS);
  if (failures.length) setCondition(status, failures[0]);
  else removeCondition(status, 'ReplicaFailure');
  if (sameStatus(d.status, status)) {
    requeueStuckDeployment(s, status);
    return;
  }
  d.status = status;
  await s.writeStatus();
}

/** requeueStuckDeployment: look again when the progress deadline of an unfinished rollout passes. */
function requeueStuckDeployment(s: DeploymentSync, status: any): void {
  const { d } = s;
  const current = getCondition(d.status, 'Progressing');
  if (!hasProgressDeadline(d) || !current) return;
  if (deploymentComplete(d, status) || current.reason === REASON.timedOut) return;
  const updated = Date.parse(current.lastUpdateTime ?? '');
  if (Number.isNaN(updated)) return;
  const after = updated + d.spec.progressDeadlineSeconds * 1000 - s.ctx.now().getTime();
  // Less than a second left: look again shortly; otherwise a second after the deadline.
  s.requeueAfter(after < 1000 ? 250 : after + 1000);
}

/** checkPausedConditions: Progressing Unknown DeploymentPaused / DeploymentResumed. */
export async function checkPausedConditions(s: DeploymentSync): Promise<void> {
  const { d, ctx } = s;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === REASON.timedOut) return;
  const pausedCond = cond?.reason === REASON.paused;
  const now = ctx.now();
  const status = (d.status ??= {});
  if (d.spec?.paused && !pausedCond) {
    setCondition(status, newCondition('Progressing', 'Unknown', { reason: REASON.paused, message: 'Deployment is paused', now }));
  } else if (!d.spec?.paused && pausedCond) {
    setCondition(status, newCondition('Progressing', 'Unknown', { reason: REASON.resumed, message: 'Deployment is resumed', now }));
  } else return;
  await s.writeStatus();
}
