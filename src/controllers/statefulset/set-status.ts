// A StatefulSet's status (Kubernetes' computeReplicaStatus, completeRollingUpdate,
// inconsistentStatus and stateful_set_status_updater.go): the replica counters over the pods,
// the current and update revisions, observedGeneration and collisionCount, written through the
// status subresource only when something differs, as a compare-and-swap on the resourceVersion
// (re-read live and retried on a conflict). What kubectl reads: `rollout status` waits for
// observedGeneration ≥ generation, readyReplicas = replicas and updatedReplicas ≥ replicas −
// partition (or currentRevision = updateRevision); `get sts` prints readyReplicas.
// Also here: when the next ready pod becomes available (minReadySeconds), so the controller can
// wake exactly then instead of polling.

import type { KObject } from '../../api/resource.js';
import { isApiError } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { objectKey } from '../../client/informer.js';
import { STATEFUL_SETS } from '../../client/resources.js';
import { podCondition } from '../util/pods.js';
import type { Pod, StatefulSet } from './pod-identity.js';
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating, podRevision, replicasOf } from './pod-identity.js';
import type { RecentWrites } from './recent-writes.js';

export interface SetStatus {
  observedGeneration: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

/** updateStatus / computeReplicaStatus: the counters over pods (created, ready, available, at each revision). */
export function countReplicas(status: SetStatus, input: { pods: Pod[]; minReadySeconds: number; now: Date }): void {
  status.replicas = status.readyReplicas = status.availableReplicas = status.currentReplicas = status.updatedReplicas = 0;
  for (const pod of input.pods) {
    if (!isCreated(pod)) continue;
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(pod, input.minReadySeconds, input.now)) status.availableReplicas++;
    }
    if (isTerminating(pod)) continue;
    const rev = podRevision(pod);
    if (rev === status.currentRevision) status.currentReplicas++;
    if (rev === status.updateRevision) status.updatedReplicas++;
  }
}

/** completeRollingUpdate: every replica updated and ready → the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: SetStatus): void {
  const replicas = replicasOf(set);
  if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** inconsistentStatus, plus collisionCount (which Kubernetes carries along with the revisions). */
export function statusDiffers(set: StatefulSet, status: SetStatus): boolean {
  const s = set.status ?? {};
  return (
    status.observedGeneration > (s.observedGeneration ?? 0) ||
    status.replicas !== (s.replicas ?? 0) ||
    status.currentReplicas !== (s.currentReplicas ?? 0) ||
    status.readyReplicas !== (s.readyReplicas ?? 0) ||
    status.updatedReplicas !== (s.updatedReplicas ?? 0) ||
    status.currentRevision !== (s.currentRevision ?? '') ||
    status.availableReplicas !== (s.availableReplicas ?? 0) ||
    status.updateRevision !== (s.updateRevision ?? '') ||
    status.collisionCount !== (s.collisionCount ?? 0)
  );
}

/** The status object as Kubernetes serializes it (omitempty counters and revisions left out). */
function statusBody(prev: any, s: SetStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { observedGeneration: s.observedGeneration, replicas: s.replicas };
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.currentReplicas) out.currentReplicas = s.currentReplicas;
  if (s.updatedReplicas) out.updatedReplicas = s.updatedReplicas;
  if (s.currentRevision) out.currentRevision = s.currentRevision;
  if (s.updateRevision) out.updateRevision = s.updateRevision;
  out.collisionCount = s.collisionCount;
  if (Array.isArray(prev?.conditions) && prev.conditions.length) out.conditions = prev.conditions;
  out.availableReplicas = s.availableReplicas;
  return out;
}

/**
 * updateStatefulSetStatus: complete a finished rolling update, then write the status if it
 * differs. A conflict re-reads the set live; a live status from a newer generation wins.
 */
export async function writeStatus(ctx: { client: Client; writes: RecentWrites; log?: (l: string) => void }, input: { set: StatefulSet; status: SetStatus }): Promise<void> {
  const { status } = input;
  completeRollingUpdate(input.set, status);
  let cur = input.set;
  for (let attempt = 0; ; attempt++) {
    if (!statusDiffers(cur, status)) return;
    if ((cur.status?.observedGeneration ?? 0) > status.observedGeneration) return;
    try {
      const body: KObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: cur.metadata, spec: cur.spec, status: statusBody(cur.status, status) };
      const updated = await ctx.client.update<KObject>(STATEFUL_SETS, body, 'status');
      ctx.writes.wrote(objectKey(updated), updated);
      ctx.log?.(
        `UPDATE statefulset ${objectKey(updated)} status, replicas ${status.replicas} ready ${status.readyReplicas} current ${status.currentReplicas} updated ${status.updatedReplicas} available ${status.availableReplicas} => written`,
      );
      return;
    } catch (e) {
      if (isApiError(e) && e.code === 404) return;
      if (!(isApiError(e) && e.code === 409) || attempt >= 3) throw e;
      const live = await ctx.client.get<KObject>(STATEFUL_SETS, cur.metadata?.namespace, cur.metadata!.name!);
      if (live.metadata?.uid !== input.set.metadata?.uid) return;
      cur = live;
    }
  }
}

/** Milliseconds until the next ready pod has been ready for minReadySeconds, if any is waiting. */
export function nextAvailableInMs(pods: Pod[], input: { minReadySeconds: number; now: Date }): number | undefined {
  if (!input.minReadySeconds) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    if (!isRunningAndReady(pod) || isRunningAndAvailable(pod, input.minReadySeconds, input.now)) continue;
    const since = Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '');
    if (Number.isNaN(since)) continue;
    const wait = since + input.minReadySeconds * 1000 - input.now.getTime();
    if (wait >= 0 && (next === undefined || wait < next)) next = wait;
  }
  return next;
}
