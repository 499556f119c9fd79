// persistentVolumeClaimRetentionPolicy as ownerReferences on a pod's claims, exactly as
// Kubernetes 1.32 decides them (stateful_set_utils.go: isClaimOwnerUpToDate,
// updateClaimOwnerRefForSetAndPod, hasStaleOwnerRef, hasUnexpectedController):
//   Retain/Retain  → no reference to the set or the pod;
//   whenDeleted=Delete → the set controls the claim (the garbage collector deletes it with the set);
//   whenScaled=Delete  → the pod controls the claim once its ordinal is condemned (scaled away), so
//                        the claim goes with that pod; a claim of a live ordinal is not the pod's.
// A claim with a stale reference (our name, another uid: an earlier set or pod of the same name) or
// with another controller is left alone, as Kubernetes does. Pure: no I/O.

import type { KObject } from '../../api/resource.js';
import { newControllerRef } from '../util/owners.js';
import type { OwnerReference } from '../util/owners.js';
import type { Pod, StatefulSet } from './pod-identity.js';
import { SET_API_VERSION, SET_KIND, podInOrdinalRange } from './pod-identity.js';

interface Kind {
  apiVersion: string;
  kind: string;
}

const SET: Kind = { apiVersion: SET_API_VERSION, kind: SET_KIND };
const POD: Kind = { apiVersion: 'v1', kind: 'Pod' };

export interface RetentionPolicy {
  whenDeleted: 'Retain' | 'Delete';
  whenScaled: 'Retain' | 'Delete';
}

/** getPersistentVolumeClaimRetentionPolicy: Retain/Retain unless the set says otherwise. */
export function retentionPolicy(set: StatefulSet): RetentionPolicy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  return { whenDeleted: p.whenDeleted === 'Delete' ? 'Delete' : 'Retain', whenScaled: p.whenScaled === 'Delete' ? 'Delete' : 'Retain' };
}

const refsOf = (o: KObject): OwnerReference[] => o.metadata?.ownerReferences ?? [];

/** matchesRef: same kind and name, whatever the uid. */
function matchesRef(ref: OwnerReference, obj: KObject, kind: Kind): boolean {
  return ref.apiVersion === kind.apiVersion && ref.kind === kind.kind && ref.name === obj.metadata?.name;
}

/** hasOwnerRef: a reference to owner's uid, controller or not. */
export function hasOwnerRef(target: KObject, owner: KObject): boolean {
  const uid = owner.metadata?.uid;
  return refsOf(target).some((r) => r.uid === uid);
}

/** hasStaleOwnerRef: the first reference naming obj carries another uid. */
export function hasStaleOwnerRef(target: KObject, obj: KObject, kind: 'set' | 'pod'): boolean {
  const ref = refsOf(target).find((r) => matchesRef(r, obj, kind === 'set' ? SET : POD));
  return !!ref && ref.uid !== obj.metadata?.uid;
}

/** hasUnexpectedController: under a Delete policy, something other than this set or pod controls the claim. */
export function hasUnexpectedController(claim: KObject, set: StatefulSet, pod: Pod): boolean {
  const policy = retentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const ref of refsOf(claim)) {
    if (matchesRef(ref, set, SET)) {
      if (ref.uid !== set.metadata?.uid) return true;
      continue;
    }
    if (matchesRef(ref, pod, POD)) {
      if (ref.uid !== pod.metadata?.uid) return true;
      continue;
    }
    if (ref.controller === true) return true;
  }
  return false;
}

/** hasNonControllerOwner: the set or pod owns the claim without being its controller. */
function hasNonControllerOwner(claim: KObject, set: StatefulSet, pod: Pod): boolean {
  return refsOf(claim).some((r) => (r.uid === set.metadata?.uid || r.uid === pod.metadata?.uid) && r.controller !== true);
}

/** isClaimOwnerUpToDate. */
export function isClaimOwnerUpToDate(claim: KObject, set: StatefulSet, pod: Pod): boolean {
  if (hasStaleOwnerRef(claim, set, 'set') || hasStaleOwnerRef(claim, pod, 'pod')) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const { whenDeleted, whenScaled } = retentionPolicy(set);
  const bySet = hasOwnerRef(claim, set);
  const byPod = hasOwnerRef(claim, pod);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (whenScaled === 'Retain' && whenDeleted === 'Retain') return !bySet && !byPod;
  if (whenScaled === 'Retain') return bySet && !byPod;
  if (whenDeleted === 'Retain') return !bySet && scaledDown === byPod;
  return scaledDown !== bySet && scaledDown === byPod;
}

/** addControllerRef: owner becomes a controller reference unless it is already referenced. */
function addControllerRef(refs: OwnerReference[], owner: KObject, kind: Kind): OwnerReference[] {
  if (refs.some((r) => r.uid === owner.metadata?.uid)) return refs;
  return [...refs, newControllerRef(owner, kind.apiVersion, kind.kind)];
}

/**
 * updateClaimOwnerRefForSetAndPod: the ownerReferences the claim should carry. References to this
 * set and pod are scrubbed and re-added as the policy says; others are kept.
 */
export function claimOwnerRefs(claim: KObject, set: StatefulSet, pod: Pod): OwnerReference[] {
  const unexpected = hasUnexpectedController(claim, set, pod);
  let refs = refsOf(claim).filter((r) => !matchesRef(r, set, SET) && !matchesRef(r, pod, POD));
  if (unexpected) return refs;
  const { whenDeleted, whenScaled } = retentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (whenScaled === 'Delete' && scaledDown && pod.metadata?.uid) refs = addControllerRef(refs, pod, POD);
  if (whenDeleted === 'Delete' && (whenScaled === 'Retain' || !scaledDown)) refs = addControllerRef(refs, set, SET);
  return refs;
}
