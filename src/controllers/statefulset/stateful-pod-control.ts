// The writes a StatefulSet makes on its pods and claims, with the events Kubernetes records for
// them (pkg/controller/statefulset/stateful_pod_control.go): claims before the pod, the pod,
// identity/storage repairs, deletion, and claim ownerReferences for the retention policy.
// Event texts are Kubernetes' own (recordPodEvent / recordClaimEvent):
//   SuccessfulCreate "create Pod web-0 in StatefulSet web successful",
//   FailedCreate "create Pod web-0 in StatefulSet web failed error: <err>",
//   SuccessfulDelete "delete Pod web-1 in StatefulSet web successful",
//   SuccessfulCreate "create Claim www-web-0 Pod web-0 in StatefulSet web success".
//
// Better than Kubernetes, on purpose: AlreadyExists on a pod create means "an object of that
// identity still exists: wait" (no error, no event, no retry storm); AlreadyExists on a claim is
// reuse after a live check that it is not being deleted; a claim's retention ownerReferences are
// set when it is created rather than by a second write; deletes carry a uid precondition so a
// newer pod of the same name is never deleted, and an already-gone pod is not an error.
// Deliberately absent: deciding what to do (update-algorithm.ts decides; this module only acts).

import type { KObject } from '../../api/resource.js';
import { isApiError } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { objectKey } from '../../client/informer.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../../client/resources.js';
import { claimOwnerRefs, hasStaleOwnerRef, hasUnexpectedController, isClaimOwnerUpToDate, retentionPolicy } from './claim-retention.js';
import type { Pod, StatefulSet } from './pod-identity.js';
import { claimName, claimTemplates, claimsForPod, identityMatches, ordinalOf, storageMatches, updateIdentity, updateStorage } from './pod-identity.js';
import type { RecentWrites } from './recent-writes.js';

export interface PodControlDeps {
  client: Client;
  events: EventRecorder;
  /** The freshest known claim `namespace/name` (cache plus this controller's writes). */
  claim(key: string): KObject | undefined;
  podWrites: RecentWrites;
  claimWrites: RecentWrites;
  log?: (line: string) => void;
}

/** What a create achieved: done, or blocked because an object still holds the identity. */
export type CreateOutcome = 'created' | 'exists' | 'waiting';

const title = (verb: string): string => verb.charAt(0).toUpperCase() + verb.slice(1);
const isAlreadyExists = (e: unknown): boolean => isApiError(e) && e.code === 409 && e.reason === 'AlreadyExists';

/** A claim problem; `deleting` when the claim exists but is going away (the pod must wait). */
class ClaimError extends Error {
  constructor(
    message: string,
    readonly deleting = false,
  ) {
    super(message);
  }
}

/** Errors as Kubernetes aggregates them: one message alone, several as `[a, b]`. */
function aggregate(errors: ClaimError[]): ClaimError | undefined {
  if (errors.length <= 1) return errors[0];
  return new ClaimError(`[${errors.map((e) => e.message).join(', ')}]`, errors.every((e) => e.deleting));
}

export class StatefulPodControl {
  constructor(private readonly deps: PodControlDeps) {}

  /** An event about the set (the involved object of every event this controller records). */
  event(set: StatefulSet, e: { type: 'Normal' | 'Warning'; reason: string; message: string }): void {
    this.deps.events.event({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: set.metadata }, e.type, e.reason, e.message);
  }

  recordPodEvent(verb: string, input: { set: StatefulSet; pod: Pod; error?: Error }): void {
    const { set, pod, error } = input;
    const [p, s] = [pod.metadata?.name, set.metadata?.name];
    if (!error) this.event(set, { type: 'Normal', reason: `Successful${title(verb)}`, message: `${verb.toLowerCase()} Pod ${p} in StatefulSet ${s} successful` });
    else this.event(set, { type: 'Warning', reason: `Failed${title(verb)}`, message: `${verb.toLowerCase()} Pod ${p} in StatefulSet ${s} failed error: ${error.message}` });
  }

  private recordClaimEvent(verb: string, input: { set: StatefulSet; pod: Pod; claim: KObject; error?: Error }): void {
    const { set, pod, claim, error } = input;
    const [c, p, s] = [claim.metadata?.name, pod.metadata?.name, set.metadata?.name];
    if (!error) this.event(set, { type: 'Normal', reason: `Successful${title(verb)}`, message: `${verb.toLowerCase()} Claim ${c} Pod ${p} in StatefulSet ${s} success` });
    else this.event(set, { type: 'Warning', reason: `Failed${title(verb)}`, message: `${verb.toLowerCase()} Claim ${c} for Pod ${p} in StatefulSet ${s} failed error: ${error.message}` });
  }

  /**
   * createPersistentVolumeClaims: every claim of pod exists and is not being deleted. Returns the
   * aggregated problems; a claim being deleted is one (the pod must wait for it to go).
   */
  async createClaims(set: StatefulSet, pod: Pod): Promise<ClaimError | undefined> {
    const errors: ClaimError[] = [];
    await Promise.all(
      [...claimsForPod(set, pod).values()].map(async (claim) => {
        const key = objectKey(claim);
        let existing = this.deps.claim(key);
        if (!existing) {
          claim.metadata!.ownerReferences = claimOwnerRefs(claim, set, pod);
          if (!claim.metadata!.ownerReferences.length) delete claim.metadata!.ownerReferences;
          try {
            const created = await this.deps.client.create<KObject>(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, claim);
            this.deps.claimWrites.created(key, created);
            this.deps.log?.(`CREATE pvc ${key} for pod ${pod.metadata?.name} => created`);
            this.recordClaimEvent('create', { set, pod, claim });
            return;
          } catch (e) {
            if (!isAlreadyExists(e)) {
              const err = new ClaimError(`failed to create PVC ${claim.metadata?.name}: ${(e as Error).message}`);
              errors.push(err);
              this.recordClaimEvent('create', { set, pod, claim, error: e as Error });
              return;
            }
            // The cache has not shown it yet: look at the real one before reusing it.
            try {
              existing = await this.deps.client.get<KObject>(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, claim.metadata!.name!);
              this.deps.claimWrites.created(key, existing);
            } catch (ge) {
              errors.push(new ClaimError(`failed to retrieve PVC ${claim.metadata?.name}: ${(ge as Error).message}`));
              return;
            }
          }
        }
        if (existing.metadata?.deletionTimestamp) errors.push(new ClaimError(`pvc ${claim.metadata?.name} is being deleted`, true));
      }),
    );
    return aggregate(errors);
  }

  /**
   * CreateStatefulPod: claims first, then the pod. 'exists' when a pod of that name is still there
   * (Terminating included): the caller waits for it to go.
   */
  async createPod(set: StatefulSet, pod: Pod): Promise<CreateOutcome> {
    const claimErr = await this.createClaims(set, pod);
    if (claimErr) {
      this.recordPodEvent('create', { set, pod, error: claimErr });
      if (claimErr.deleting) return 'waiting';
      throw claimErr;
    }
    const key = objectKey(pod);
    let created: Pod;
    try {
      created = await this.deps.client.create<Pod>(PODS, pod.metadata?.namespace, pod);
    } catch (e) {
      if (isAlreadyExists(e)) {
        this.deps.log?.(`CREATE pod ${key} => exists, waiting for it to go`);
        return 'exists';
      }
      this.recordPodEvent('create', { set, pod, error: e as Error });
      throw e;
    }
    this.deps.podWrites.created(key, created);
    this.deps.log?.(`CREATE pod ${key} => created`);
    this.recordPodEvent('create', { set, pod: created });
    // Claims that existed before this pod may still need its ownerReferences.
    await this.updateClaimsForRetentionPolicy(set, created);
    return 'created';
  }

  /** DeleteStatefulPod: guarded by the pod's uid; a pod already gone is not an error. */
  async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata!;
    const key = objectKey(pod);
    let res: Pod;
    try {
      res = (await this.deps.client.delete(PODS, namespace, name!, { preconditions: { uid } })) as Pod;
    } catch (e) {
      if (isApiError(e) && (e.code === 404 || e.code === 409)) {
        this.deps.podWrites.removed(key, pod);
        return;
      }
      this.recordPodEvent('delete', { set, pod, error: e as Error });
      throw e;
    }
    if (res?.kind === 'Pod') this.deps.podWrites.wrote(key, res);
    else this.deps.podWrites.removed(key, pod);
    this.deps.log?.(`DELETE pod ${key} => deleted`);
    this.recordPodEvent('delete', { set, pod });
  }

  /** ClaimsMatchRetentionPolicy: every existing claim of pod carries the ownerReferences the policy wants. */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    const ordinal = ordinalOf(pod);
    for (const t of claimTemplates(set)) {
      const claim = this.deps.claim(`${set.metadata?.namespace}/${claimName(set, { template: t, ordinal })}`);
      if (claim && !isClaimOwnerUpToDate(claim, set, pod)) return false;
    }
    return true;
  }

  /** UpdatePodClaimForRetentionPolicy: rewrite the ownerReferences of pod's claims that disagree. */
  async updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    const ordinal = ordinalOf(pod);
    for (const t of claimTemplates(set)) {
      const name = claimName(set, { template: t, ordinal });
      const key = `${set.metadata?.namespace}/${name}`;
      const claim = this.deps.claim(key);
      if (!claim) continue;
      if (hasUnexpectedController(claim, set, pod)) {
        this.event(set, {
          type: 'Warning',
          reason: 'ConflictingController',
          message: `PersistentVolumeClaim ${name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`,
        });
      }
      if (isClaimOwnerUpToDate(claim, set, pod)) continue;
      const next = structuredClone(claim) as KObject;
      next.metadata!.ownerReferences = claimOwnerRefs(claim, set, pod);
      try {
        const updated = await this.deps.client.update<KObject>(PERSISTENT_VOLUME_CLAIMS, next);
        this.deps.claimWrites.wrote(key, updated);
        this.deps.log?.(`UPDATE pvc ${key} ownerReferences for the retention policy => updated`);
      } catch (e) {
        if (isApiError(e) && e.code === 404) continue;
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${(e as Error).message}`);
      }
    }
  }

  /** createMissingPersistentVolumeClaims: for a Pending pod, claims that went missing come back. */
  async createMissingClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const err = await this.createClaims(set, pod);
    if (err && !err.deleting) throw err;
    try {
      await this.updateClaimsForRetentionPolicy(set, pod);
    } catch (e) {
      this.recordPodEvent('update', { set, pod, error: e as Error });
      throw e;
    }
  }

  /**
   * PodClaimIsStale: with whenScaled=Delete, a claim still owned by an earlier pod of this name is
   * about to be garbage collected, so the new pod must not be created on it yet.
   */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const c of claimsForPod(set, pod).values()) {
      const existing = this.deps.claim(objectKey(c));
      if (existing && hasStaleOwnerRef(existing, pod, 'pod')) return true;
    }
    return false;
  }

  /**
   * UpdateStatefulPod: repair identity labels and storage (creating missing claims) and the claims'
   * retention ownerReferences; the pod is written only if it changed, compare-and-swap, retried
   * on a conflict against the live pod.
   */
  async updatePod(set: StatefulSet, pod: Pod): Promise<void> {
    let cur = structuredClone(pod) as Pod;
    for (let attempt = 0; ; attempt++) {
      const before = JSON.stringify(cur);
      if (!identityMatches(set, cur)) updateIdentity(set, cur);
      if (!storageMatches(set, cur)) {
        updateStorage(set, cur);
        const err = await this.createClaims(set, cur);
        if (err) {
          this.recordPodEvent('update', { set, pod: cur, error: err });
          throw err;
        }
      }
      if (!this.claimsMatchRetentionPolicy(set, cur)) {
        try {
          await this.updateClaimsForRetentionPolicy(set, cur);
        } catch (e) {
          this.recordPodEvent('update', { set, pod: cur, error: e as Error });
          throw e;
        }
      }
      if (JSON.stringify(cur) === before) return;
      try {
        const updated = await this.deps.client.update<Pod>(PODS, cur);
        this.deps.podWrites.wrote(objectKey(updated), updated);
        this.deps.log?.(`UPDATE pod ${objectKey(updated)}, identity and storage of statefulset ${set.metadata?.name} => updated`);
        this.recordPodEvent('update', { set, pod: updated });
        return;
      } catch (e) {
        if (!(isApiError(e) && e.code === 409) || attempt >= 3) {
          this.recordPodEvent('update', { set, pod: cur, error: e as Error });
          throw e;
        }
        const live = await this.deps.client.get<Pod>(PODS, cur.metadata?.namespace, cur.metadata!.name!);
        if (live.metadata?.uid !== pod.metadata?.uid) return;
        cur = live;
      }
    }
  }
}
