// The Recreate strategy (pkg/controller/deployment/recreate.go): scale every old ReplicaSet to
// zero, wait until none of their pods is left running (terminal pods do not count), and only then
// create or scale up the new ReplicaSet, so old and new pods never run side by side.

import type { DeploymentSync } from './deployment-context.js';
import type { ReplicaSet } from './deployment-util.js';
import { activeReplicaSets, actualReplicas, deploymentComplete, replicasOf } from './deployment-util.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, refresh, scaleReplicaSetAndRecordEvent } from './sync.js';

export async function rolloutRecreate(s: DeploymentSync): Promise<void> {
  // The new ReplicaSet is not created yet, so nothing scales up before the old pods are gone.
  let rss = await getAllReplicaSetsAndSyncRevision(s, { create: false });
  let scaledDown = false;
  for (const rs of activeReplicaSets(rss.oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(s, rs, 0)).scaled) scaledDown = true;
  }
  rss = refresh(s, rss);
  if (scaledDown || oldPodsRunning(s, rss.newRS, rss.oldRSs)) return syncRolloutStatus(s, rss);
  if (!rss.newRS) rss = await getAllReplicaSetsAndSyncRevision(s, { create: true });
  await scaleReplicaSetAndRecordEvent(s, rss.newRS!, replicasOf(s.d));
  rss = refresh(s, rss);
  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanupDeployment(s, rss.oldRSs);
  return syncRolloutStatus(s, rss);
}

/** oldPodsRunning: an old ReplicaSet still reports pods, or a pod of one is not terminal. */
function oldPodsRunning(s: DeploymentSync, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  for (const [uid, pods] of s.podsByRS) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase !== 'Failed' && phase !== 'Succeeded') return true;
    }
  }
  return false;
}
