// ownerReferences as controllers use them (apimachinery's metav1.GetControllerOf /
// NewControllerRef and the controller-ref manager's adopt/release rules): who controls an object,
// building a controller reference, and the patches that adopt or release a dependent.

import type { KObject } from '../../api/resource.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export function ownerReferences(obj: KObject): OwnerReference[] {
  return obj.metadata?.ownerReferences ?? [];
}

/** GetControllerOf: the owner reference with controller=true. */
export function controllerOf(obj: KObject): OwnerReference | undefined {
  return ownerReferences(obj).find((r) => r.controller === true);
}

export function isControlledBy(obj: KObject, owner: KObject): boolean {
  return controllerOf(obj)?.uid === owner.metadata?.uid;
}

/** NewControllerRef: controller and blockOwnerDeletion set. */
export function newControllerRef(owner: KObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

/**
 * A strategic merge patch that adopts obj under owner, guarded by obj's uid: ownerReferences merge
 * by uid, so only the new reference is sent and a reference someone else adds meanwhile survives.
 */
export function adoptPatch(obj: KObject, ref: OwnerReference): unknown {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata?.uid } };
}

/** A strategic merge patch removing owner's reference from obj (release), guarded by obj's uid. */
export function releasePatch(obj: KObject, ownerUid: string): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata?.uid } };
}
