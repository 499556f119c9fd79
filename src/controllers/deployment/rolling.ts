// The RollingUpdate strategy (pkg/controller/deployment/rolling.go): grow the new ReplicaSet up to
// replicas + maxSurge pods in total, then shrink old ReplicaSets while at least
// replicas - maxUnavailable pods stay available; unhealthy old replicas are removed first, since
// removing them costs no availability. Each sync takes one step and writes the rollout status;
// the ReplicaSet status changes that follow bring the next sync.

import type { DeploymentSync } from './deployment-context.js';
import type { ReplicaSet } from './deployment-util.js';
import { activeReplicaSets, availableReplicas, byCreation, deploymentComplete, maxUnavailable, newRSNewReplicas, replicasOf, specReplicas } from './deployment-util.js';
import { syncRolloutStatus } from './progress.js';
import { cleanupDeployment, getAllReplicaSetsAndSyncRevision, refresh, scaleReplicaSetAndRecordEvent } from './sync.js';

export async function rolloutRolling(s: DeploymentSync): Promise<void> {
  let rss = await getAllReplicaSetsAndSyncRevision(s, { create: true });
  const newRS = rss.newRS!;
  if (await reconcileNewReplicaSet(s, [...rss.oldRSs, newRS], newRS)) return syncRolloutStatus(s, refresh(s, rss));
  rss = refresh(s, rss);
  if (await reconcileOldReplicaSets(s, { all: [...rss.oldRSs, rss.newRS!], olds: activeReplicaSets(rss.oldRSs), newRS: rss.newRS! })) {
    return syncRolloutStatus(s, refresh(s, rss));
  }
  if (deploymentComplete(s.d, s.d.status ?? {})) await cleanupDeployment(s, rss.oldRSs);
  return syncRolloutStatus(s, refresh(s, rss));
}

async function reconcileNewReplicaSet(s: DeploymentSync, all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const want = replicasOf(s.d);
  if (replicasOf(newRS) === want) return false;
  if (replicasOf(newRS) > want) return (await scaleReplicaSetAndRecordEvent(s, newRS, want)).scaled;
  return (await scaleReplicaSetAndRecordEvent(s, newRS, newRSNewReplicas(s.d, all, newRS))).scaled;
}

/**
 * reconcileOldReplicaSets: at most allPods - minAvailable - (unavailable pods of the new
 * ReplicaSet) may go, so unavailable new pods never let the old ones shrink further.
 */
async function reconcileOldReplicaSets(s: DeploymentSync, rss: { all: ReplicaSet[]; olds: ReplicaSet[]; newRS: ReplicaSet }): Promise<boolean> {
  const { d } = s;
  if (specReplicas(rss.olds) === 0) return false;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(rss.newRS) - (rss.newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = specReplicas(rss.all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  try {
    const { olds, count: cleaned } = await cleanupUnhealthyReplicas(s, rss.olds, maxScaledDown);
    const scaled = await scaleDownOldReplicaSets(s, { all: [...olds, rss.newRS], olds });
    return cleaned + scaled > 0;
  } catch (e) {
    // As Kubernetes: a failed step is retried by the next sync, after the status is written.
    s.ctx.log?.(`SYNC deployment ${s.key}, scaling down old replica sets => ${(e as Error).message}`);
    return false;
  }
}

/** cleanupUnhealthyReplicas: scale old ReplicaSets down by their unavailable replicas, oldest first. */
async function cleanupUnhealthyReplicas(s: DeploymentSync, olds: ReplicaSet[], maxCleanup: number): Promise<{ olds: ReplicaSet[]; count: number }> {
  const sorted = [...olds].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sorted.length && total < maxCleanup; i++) {
    const rs = sorted[i];
    const replicas = replicasOf(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const down = Math.min(maxCleanup - total, replicas - available);
    sorted[i] = (await scaleReplicaSetAndRecordEvent(s, rs, replicas - down)).rs;
    total += down;
  }
  return { olds: sorted, count: total };
}

/** scaleDownOldReplicaSetsForRollingUpdate: as far as availability above minAvailable allows, oldest first. */
async function scaleDownOldReplicaSets(s: DeploymentSync, rss: { all: ReplicaSet[]; olds: ReplicaSet[] }): Promise<number> {
  const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
  const available = availableReplicas(rss.all);
  if (available <= minAvailable) return 0;
  const budget = available - minAvailable;
  let total = 0;
  for (const rs of [...rss.olds].sort(byCreation)) {
    if (total >= budget) break;
    if (replicasOf(rs) === 0) continue;
    const down = Math.min(replicasOf(rs), budget - total);
    await scaleReplicaSetAndRecordEvent(s, rs, replicasOf(rs) - down);
    total += down;
  }
  return total;
}
