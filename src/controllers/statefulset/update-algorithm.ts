// The StatefulSet update algorithm (Kubernetes' stateful_set_control.go updateStatefulSet,
// processReplica, processCondemned, runForAll): partition the pods into replicas (ordinals in
// [start, start+replicas)) and condemned ones, then
//   1. every replica: replace a Failed/Succeeded pod, create a missing pod (claims first), create
//      the claims of a Pending pod, repair identity, storage and claim ownership;
//   2. every condemned pod: claim ownerReferences for whenScaled, then delete it;
//   3. RollingUpdate: delete the highest-ordinal pod not at the update revision, down to the
//      partition, one at a time waiting for the replacement to be available (or up to
//      maxUnavailable at once when the set asks for it); OnDelete stops before this.
// OrderedReady is monotonic: one creation or deletion per sync, each only when every predecessor
// is Running, Ready and available; scale-down goes from the highest ordinal and waits for
// unhealthy pods (only the first unhealthy one may be deleted). Parallel does all of it at once.
//
// Better than Kubernetes, on purpose: Parallel issues its writes at once (up to `concurrency` in
// flight, no slow start); rollingUpdate.maxUnavailable is honoured (Kubernetes 1.32 ignores it
// behind the alpha MaxUnavailableStatefulSet gate); a Failed pod is deleted once, with the
// RecreatingFailedPod/RecreatingTerminatedPod event Kubernetes emitted until 1.30.
// Deliberately absent: the writes themselves (stateful-pod-control.ts) and status writing.

import type { Revision, SetRevisions } from './revision-history.js';
import { applyRevision } from './revision-history.js';
import type { Pod, StatefulSet } from './pod-identity.js';
import {
  allowsBurst,
  byOrdinalDescending,
  identityMatches,
  isCreated,
  isFailed,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  isUnavailable,
  maxUnavailableOf,
  minReadySecondsOf,
  newVersionedStatefulSetPod,
  ordinalOf,
  podInOrdinalRange,
  podRevision,
  replicasOf,
  startOrdinal,
  storageMatches,
} from './pod-identity.js';
import type { SetStatus } from './set-status.js';
import { countReplicas } from './set-status.js';
import type { StatefulPodControl } from './stateful-pod-control.js';

export interface UpdateInput {
  set: StatefulSet;
  revisions: SetRevisions;
  pods: Pod[];
  now: Date;
  control: StatefulPodControl;
  /** Most writes in flight at once in Parallel mode. */
  concurrency?: number;
}

export interface UpdateResult {
  status: SetStatus;
  error?: Error;
}

interface Sync {
  set: StatefulSet;
  updateSet: StatefulSet;
  update: Revision;
  replicas: Pod[];
  condemned: Pod[];
  firstUnavailable: Pod | undefined;
  monotonic: boolean;
  minReady: number;
  now: Date;
  control: StatefulPodControl;
}

const nameOf = (r: Revision): string => r.metadata?.name ?? '';

/** runForAll: in order stopping at the first blocked pod, or all at once. Returns "stop here". */
async function runForAll(count: number, fn: (i: number) => Promise<boolean>, opts: { monotonic: boolean; concurrency: number }): Promise<boolean> {
  if (opts.monotonic) {
    for (let i = 0; i < count; i++) if (await fn(i)) return true;
    return false;
  }
  const errors: Error[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count && errors.length === 0) {
      const i = next++;
      try {
        await fn(i);
      } catch (e) {
        errors.push(e as Error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, count) }, worker));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new Error(`[${errors.map((e) => e.message).join(', ')}]`);
  return false;
}

async function processReplica(s: Sync, i: number): Promise<boolean> {
  const { set, control, monotonic } = s;
  const pod = s.replicas[i];
  // Succeeded counts too: an evicted or node-rebooted pod's final phase follows its exit code.
  if (isFailed(pod) || isSucceeded(pod)) {
    if (!isTerminating(pod)) {
      const failed = isFailed(pod);
      const what = `StatefulSet ${set.metadata?.namespace}/${set.metadata?.name} is recreating ${failed ? 'failed' : 'terminated'} Pod ${pod.metadata?.name}`;
      control.event(set, { type: failed ? 'Warning' : 'Normal', reason: failed ? 'RecreatingFailedPod' : 'RecreatingTerminatedPod', message: what });
      await control.deletePod(set, pod);
    }
    // The replacement is created by a later sync, once this pod object is gone.
    return true;
  }
  if (!isCreated(pod)) {
    if (control.podClaimIsStale(set, pod)) return true;
    const outcome = await control.createPod(set, pod);
    // Parallel: the new pod was made right in full; OrderedReady: wait for it to become Ready.
    return outcome !== 'created' || monotonic;
  }
  if (isPending(pod)) await control.createMissingClaims(set, pod);
  if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, s.minReady, s.now))) return true;
  let retentionMatch = true;
  try {
    retentionMatch = control.claimsMatchRetentionPolicy(s.updateSet, pod);
  } catch {
    retentionMatch = true;
  }
  if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatch) return false;
  await control.updatePod(s.updateSet, pod);
  return false;
}

async function processCondemned(s: Sync, i: number): Promise<boolean> {
  const pod = s.condemned[i];
  if (isTerminating(pod)) return s.monotonic;
  if (s.monotonic && pod !== s.firstUnavailable && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, s.minReady, s.now))) return true;
  await s.control.deletePod(s.set, pod);
  return true;
}

async function fixCondemnedClaims(s: Sync, i: number): Promise<boolean> {
  const pod = s.condemned[i];
  if (!s.control.claimsMatchRetentionPolicy(s.updateSet, pod)) await s.control.updateClaimsForRetentionPolicy(s.updateSet, pod);
  return false;
}

/** One pod fewer at the current revision once a delete for the update has been issued. */
function deletedForUpdate(status: SetStatus, pod: Pod): void {
  if (podRevision(pod) === status.currentRevision && status.currentReplicas > 0) status.currentReplicas--;
}

/** The classic rolling update: the highest ordinal not at the update revision, one at a time. */
async function rollOne(s: Sync, status: SetStatus): Promise<void> {
  const ru = s.set.spec?.updateStrategy?.rollingUpdate;
  const updateMin = ru ? (ru.partition ?? 0) : 0;
  for (let target = s.replicas.length - 1; target >= updateMin; target--) {
    const pod = s.replicas[target];
    if (isCreated(pod) && podRevision(pod) !== nameOf(s.update) && !isTerminating(pod)) {
      await s.control.deletePod(s.set, pod);
      deletedForUpdate(status, pod);
      return;
    }
    if (isUnavailable(pod, s.minReady, s.now)) return;
  }
}

/** updateStatefulSetAfterInvariantEstablished: up to maxUnavailable pods down at once. */
async function rollMany(s: Sync, status: SetStatus, maxUnavailable: number): Promise<void> {
  const ru = s.set.spec?.updateStrategy?.rollingUpdate;
  const updateMin = ru?.partition ?? 0;
  const unavailable = s.replicas.filter((p) => isUnavailable(p, s.minReady, s.now)).length;
  let budget = maxUnavailable - unavailable;
  const targets: Pod[] = [];
  for (let target = s.replicas.length - 1; target >= updateMin && budget > 0; target--) {
    const pod = s.replicas[target];
    if (isCreated(pod) && podRevision(pod) !== nameOf(s.update) && !isTerminating(pod)) {
      targets.push(pod);
      budget--;
    }
  }
  await Promise.all(targets.map((p) => s.control.deletePod(s.set, p)));
  for (const p of targets) deletedForUpdate(status, p);
}

/** updateStatefulSet: act on the pods, and the status that results. */
export async function updateStatefulSet(input: UpdateInput): Promise<UpdateResult> {
  const { set, revisions, now, control } = input;
  const minReady = minReadySecondsOf(set);
  const status: SetStatus = {
    observedGeneration: set.metadata?.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: nameOf(revisions.current),
    updateRevision: nameOf(revisions.update),
    collisionCount: revisions.collisionCount,
  };
  countReplicas(status, { pods: input.pods, minReadySeconds: minReady, now });

  const start = startOrdinal(set);
  const replicas: (Pod | undefined)[] = new Array(replicasOf(set)).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of input.pods) {
    if (podInOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  const currentSet = applyRevision(set, revisions.current);
  const updateSet = applyRevision(set, revisions.update);
  for (let i = 0; i < replicas.length; i++) {
    replicas[i] ??= newVersionedStatefulSetPod(
      { current: currentSet, update: updateSet },
      { current: nameOf(revisions.current), update: nameOf(revisions.update), ordinal: start + i },
    );
  }
  condemned.sort(byOrdinalDescending);
  const s: Sync = {
    set,
    updateSet,
    update: revisions.update,
    replicas: replicas as Pod[],
    condemned,
    firstUnavailable: undefined,
    monotonic: !allowsBurst(set),
    minReady,
    now,
    control,
  };
  s.firstUnavailable =
    s.replicas.find((p) => isUnavailable(p, minReady, now)) ?? [...condemned].reverse().find((p) => isUnavailable(p, minReady, now));

  if (set.metadata?.deletionTimestamp) return { status };

  const recount = (): void => countReplicas(status, { pods: [...s.replicas, ...condemned], minReadySeconds: minReady, now });
  const opts = { monotonic: s.monotonic, concurrency: input.concurrency ?? 500 };
  try {
    if (await runForAll(s.replicas.length, (i) => processReplica(s, i), opts)) return (recount(), { status });
    if (await runForAll(condemned.length, (i) => fixCondemnedClaims(s, i), opts)) return (recount(), { status });
    if (await runForAll(condemned.length, (i) => processCondemned(s, i), opts)) return (recount(), { status });
    recount();
    if (set.spec?.updateStrategy?.type === 'OnDelete') return { status };
    const maxUnavailable = maxUnavailableOf(set);
    if (maxUnavailable === undefined) await rollOne(s, status);
    else await rollMany(s, status, maxUnavailable);
    return { status };
  } catch (e) {
    recount();
    return { status, error: e as Error };
  }
}
