// The shared steps of a Deployment sync (pkg/controller/deployment/sync.go): finding or creating
// the new ReplicaSet `<deployment>-<pod-template-hash>` and keeping revisions in order (a
// ReplicaSet that matches the template again, after `kubectl rollout undo`, gets the next revision
// and keeps its old ones in revision-history), proportional scaling across active ReplicaSets
// when only spec.replicas changed, scaling one ReplicaSet with its ScalingReplicaSet event,
// revisionHistoryLimit cleanup, and the status every sync writes.
// Deliberately absent: the rollout strategies (rolling.ts, recreate.ts) and the progress
// condition (progress.ts).

import { isApiError } from '../../api/errors.js';
import { REPLICA_SETS } from '../../client/resources.js';
import { computeHash } from '../util/hash.js';
import { controllerOf, newControllerRef } from '../util/owners.js';
import type { DeploymentSync } from './deployment-context.js';
import type { Deployment, ReplicaSet } from './deployment-util.js';
import {
  DESIRED_REPLICAS,
  POD_TEMPLATE_HASH,
  REASON,
  REVISION,
  ROLLBACK_TO,
  actualReplicas,
  activeReplicaSets,
  availableReplicas,
  bySizeNewer,
  bySizeOlder,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  getCondition,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  proportion,
  readyReplicas,
  replicaSetsByRevision,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
} from './deployment-util.js';
import { semanticEqual } from '../../api/core/semantic-equal.js';

const clone = <T>(o: T): T => structuredClone(o);

export interface ReplicaSets {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/** SetDeploymentRevision on the sync's copy; whether it changed. */
function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const a = (d.metadata!.annotations ??= {});
  if (a[REVISION] === revision) return false;
  a[REVISION] = revision;
  return true;
}

/** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked) and all old ones. */
export async function getAllReplicaSetsAndSyncRevision(s: DeploymentSync, opts: { create: boolean }): Promise<ReplicaSets> {
  const current = findNewReplicaSet(s.d, s.rsList);
  const oldRSs = s.rsList.filter((rs) => rs !== current);
  const newRS = await getNewReplicaSet(s, oldRSs, opts);
  return { newRS, oldRSs };
}

async function getNewReplicaSet(s: DeploymentSync, oldRSs: ReplicaSet[], opts: { create: boolean }): Promise<ReplicaSet | undefined> {
  const { d, ctx } = s;
  const existing = findNewReplicaSet(d, s.rsList);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const copy = clone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, { newRevision, exists: true });
    const minReady = d.spec?.minReadySeconds ?? 0;
    if (annotationsUpdated || (copy.spec?.minReadySeconds ?? 0) !== minReady) {
      if (minReady) copy.spec.minReadySeconds = minReady;
      else delete copy.spec.minReadySeconds;
      const updated = await ctx.client.update<ReplicaSet>(REPLICA_SETS, copy);
      replaceInList(s.rsList, updated);
      ctx.log?.(`UPDATE replicaset ${s.d.metadata?.namespace}/${copy.metadata?.name}, revision ${copy.metadata?.annotations?.[REVISION]} => ok`);
      return updated;
    }
    let needsUpdate = setDeploymentRevision(d, copy.metadata?.annotations?.[REVISION] ?? '');
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      const message = `Found new replica set "${copy.metadata?.name}"`;
      setCondition((d.status ??= {}), newCondition('Progressing', 'True', { reason: REASON.foundNewRS, message, now: ctx.now() }));
      needsUpdate = true;
    }
    if (needsUpdate) await s.writeStatus();
    return existing;
  }
  if (!opts.create) return undefined;
  return createNewReplicaSet(s, oldRSs, newRevision);
}

async function createNewReplicaSet(s: DeploymentSync, oldRSs: ReplicaSet[], newRevision: number): Promise<ReplicaSet> {
  const { d, ctx } = s;
  const { namespace, name } = d.metadata!;
  const template = clone(d.spec.template);
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  template.metadata = { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
  const selector = clone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
  const rsName = `${name}-${hash}`;
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: rsName, namespace, ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')], labels: template.metadata.labels },
    spec: { replicas: 0, selector, template, ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = replicas;
  setNewReplicaSetAnnotations(d, newRS, { newRevision, exists: false });
  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await ctx.client.create<ReplicaSet>(REPLICA_SETS, namespace, newRS);
    ctx.log?.(`CREATE replicaset ${namespace}/${rsName}, replicas=${replicas} => ok`);
  } catch (e) {
    if (isApiError(e) && e.code === 409 && e.reason === 'AlreadyExists') {
      alreadyExists = true;
      // A slow cache or a fast resync: ours if we control it with our template, else a hash collision.
      const rs = await ctx.client.get<ReplicaSet>(REPLICA_SETS, namespace, rsName);
      if (controllerOf(rs)?.uid === d.metadata?.uid && equalIgnoreHash(d.spec.template, rs.spec?.template)) {
        created = rs;
      } else {
        const st = (d.status ??= {});
        st.collisionCount = (st.collisionCount ?? 0) + 1;
        await s.writeStatus();
        ctx.log?.(`SYNC deployment ${s.key}, hash collision on ${rsName} => collisionCount ${st.collisionCount}`);
        throw e;
      }
    } else if (isApiError(e) && (e.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) {
      throw e;
    } else {
      const message = `Failed to create new replica set "${rsName}": ${(e as Error).message}`;
      if (hasProgressDeadline(d)) {
        setCondition((d.status ??= {}), newCondition('Progressing', 'False', { reason: REASON.failedRSCreate, message, now: ctx.now() }));
        await s.writeStatus().catch(() => undefined);
      }
      ctx.events.event(d, 'Warning', REASON.failedRSCreate, message);
      throw e;
    }
  }
  if (!alreadyExists && replicas > 0) ctx.events.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rsName} to ${replicas}`);
  s.rsList.push(created);
  let needsUpdate = setDeploymentRevision(d, String(newRevision));
  if (!alreadyExists && hasProgressDeadline(d)) {
    const message = `Created new replica set "${rsName}"`;
    setCondition((d.status ??= {}), newCondition('Progressing', 'True', { reason: REASON.newReplicaSet, message, now: ctx.now() }));
    needsUpdate = true;
  }
  if (needsUpdate) await s.writeStatus();
  return created;
}

function replaceInList(list: ReplicaSet[], rs: ReplicaSet): void {
  const i = list.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
  if (i >= 0) list[i] = rs;
}

/**
 * scaleReplicaSet: sets the size and the desired/max-replicas annotations; records
 * "Scaled <up|down> replica set <rs> to <n> from <m>" when the size changed.
 */
export async function scaleReplicaSet(s: DeploymentSync, rs: ReplicaSet, opts: { to: number; operation: string }): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  const { d, ctx } = s;
  const desired = replicasOf(d);
  const max = desired + maxSurge(d);
  const from = replicasOf(rs);
  const sizeNeedsUpdate = from !== opts.to;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
  const copy = clone(rs);
  copy.spec.replicas = opts.to;
  setReplicasAnnotations(copy, desired, max);
  const updated = await ctx.client.update<ReplicaSet>(REPLICA_SETS, copy);
  replaceInList(s.rsList, updated);
  if (!sizeNeedsUpdate) return { scaled: false, rs: updated };
  ctx.log?.(`SCALE replicaset ${d.metadata?.namespace}/${rs.metadata?.name} ${from} -> ${opts.to} => ok`);
  ctx.events.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${opts.operation} replica set ${rs.metadata?.name} to ${opts.to} from ${from}`);
  return { scaled: true, rs: updated };
}

export async function scaleReplicaSetAndRecordEvent(s: DeploymentSync, rs: ReplicaSet, to: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
  if (replicasOf(rs) === to) return { scaled: false, rs };
  return scaleReplicaSet(s, rs, { to, operation: replicasOf(rs) < to ? 'up' : 'down' });
}

/**
 * scale: a scaling event. One active ReplicaSet takes the new size; a saturated new ReplicaSet
 * sends the old ones to zero; otherwise (mid rollout) the change is shared out in proportion to
 * each ReplicaSet's size, leftovers to the largest.
 */
export async function scale(s: DeploymentSync, rss: ReplicaSets): Promise<void> {
  const { d } = s;
  const { newRS, oldRSs } = rss;
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (replicasOf(only) !== replicasOf(d)) await scaleReplicaSetAndRecordEvent(s, only, replicasOf(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of activeReplicaSets(oldRSs)) await scaleReplicaSetAndRecordEvent(s, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - specReplicas(all);
  let operation = '';
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return replicasOf(rs);
    const p = proportion(rs, d, { toAdd, added });
    added += p;
    return replicasOf(rs) + p;
  });
  for (let i = 0; i < all.length; i++) {
    let size = sizes[i];
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    await scaleReplicaSet(s, all[i], { to: size, operation });
  }
}

/** cleanupDeployment: deletes the oldest ReplicaSets beyond revisionHistoryLimit that are fully scaled down. */
export async function cleanupDeployment(s: DeploymentSync, oldRSs: ReplicaSet[]): Promise<void> {
  const { d, ctx } = s;
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = cleanable.length - d.spec.revisionHistoryLimit;
  if (diff <= 0) return;
  cleanable.sort(replicaSetsByRevision);
  for (const rs of cleanable.slice(0, diff)) {
    const settled = (rs.status?.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0);
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || !settled || rs.metadata?.deletionTimestamp) continue;
    const { namespace, name, uid, resourceVersion } = rs.metadata!;
    try {
      // Only the version we judged: a ReplicaSet scaled up meanwhile is kept.
      await ctx.client.delete(REPLICA_SETS, namespace, name!, { preconditions: { uid, resourceVersion } });
      ctx.log?.(`DELETE replicaset ${namespace}/${name}, beyond revisionHistoryLimit => ok`);
    } catch (e) {
      if (!(isApiError(e) && e.code === 404)) throw e;
    }
  }
}

/** calculateStatus: the counters over all ReplicaSets, and the Available condition. */
export function calculateStatus(s: DeploymentSync, all: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): any {
  const { d } = s;
  const available = availableReplicas(all);
  const counters: Record<string, number | undefined> = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicas(all),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(all) - available),
  };
  const status: any = {};
  for (const [k, v] of Object.entries(counters)) if (v) status[k] = v;
  if (d.status?.conditions?.length) status.conditions = clone(d.status.conditions);
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  const now = s.ctx.now();
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', { reason: REASON.minimumReplicasAvailable, message: 'Deployment has minimum availability.', now }));
  } else {
    setCondition(status, newCondition('Available', 'False', { reason: REASON.minimumReplicasUnavailable, message: 'Deployment does not have minimum availability.', now }));
  }
  return status;
}

export function sameStatus(a: any, b: any): boolean {
  return semanticEqual(a ?? {}, b ?? {}) && (a?.collisionCount ?? null) === (b?.collisionCount ?? null);
}

/** syncDeploymentStatus: writes the calculated status when it differs. */
export async function syncDeploymentStatus(s: DeploymentSync, rss: ReplicaSets): Promise<void> {
  const status = calculateStatus(s, [...rss.oldRSs, rss.newRS], rss.newRS);
  if (sameStatus(s.d.status, status)) return;
  s.d.status = status;
  await s.writeStatus();
}

/** isScalingEvent: an active ReplicaSet was sized for another spec.replicas. */
export async function isScalingEvent(s: DeploymentSync): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, { create: false });
  for (const rs of activeReplicaSets([...oldRSs, newRS])) {
    const v = rs.metadata?.annotations?.[DESIRED_REPLICAS];
    if (typeof v !== 'string' || !/^-?[0-9]+$/.test(v)) continue;
    if (Number(v) !== replicasOf(s.d)) return true;
  }
  return false;
}

/** sync: scaling events and paused Deployments (which also clean up their history). */
export async function syncScaling(s: DeploymentSync): Promise<void> {
  const rss = await getAllReplicaSetsAndSyncRevision(s, { create: false });
  await scale(s, rss);
  const fresh = refresh(s, rss);
  if (s.d.spec?.paused && !s.d.metadata?.annotations?.[ROLLBACK_TO]) await cleanupDeployment(s, fresh.oldRSs);
  await syncDeploymentStatus(s, fresh);
}

/** syncStatusOnly: a Deployment being deleted only gets its status updated. */
export async function syncStatusOnly(s: DeploymentSync): Promise<void> {
  const rss = await getAllReplicaSetsAndSyncRevision(s, { create: false });
  await syncDeploymentStatus(s, rss);
}

/** The ReplicaSets again from the sync's list, which every write keeps current. */
export function refresh(s: DeploymentSync, rss: ReplicaSets): ReplicaSets {
  const byUid = new Map(s.rsList.map((rs) => [rs.metadata?.uid, rs]));
  return {
    newRS: rss.newRS && byUid.get(rss.newRS.metadata?.uid),
    oldRSs: rss.oldRSs.map((rs) => byUid.get(rs.metadata?.uid) ?? rs),
  };
}
