// Admission: PersistentVolumeClaimResize (plugin/pkg/admission/storage/persistentvolume/resize).
// An update of a claim (main resource) that grows spec.resources.requests.storage is only allowed
// for a Bound claim whose StorageClass (the same before and after) exists and sets
// allowVolumeExpansion: true; otherwise 403 Forbidden with Kubernetes' messages.
//
// Kubernetes runs this as a *validating* plugin, after the object's own validation. berth runs
// admission before validation, so when the update is invalid anyway (e.g. a Pending claim's
// requests are immutable) this plugin steps aside and lets validation answer with the same 422
// Kubernetes gives. Place it last in the admission list (after every mutating plugin).
// Deliberately absent: shrinking rules (pvc-validation.ts) and the expansion itself (the
// volume-expansion controller and the resizer).

import { forbidden } from '../../api/errors.js';
import type { KObject } from '../../api/resource.js';
import { compareQuantity, parseQuantity } from '../../api/quantity.js';
import type { Quantity } from '../../api/quantity.js';
import { storageClassOf } from '../../api/core/volume-printing.js';
import type { AdmissionPlugin } from '../registry/resource-store.js';
import type { ServerParts } from '../handlers/context.js';

export const ONLY_BOUND_CAN_EXPAND = 'Only bound persistent volume claims can be expanded';
export const RESIZE_NOT_ALLOWED =
  'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize';

const ZERO: Quantity = parseQuantity('0')!;

/** The storage request as Go reads it: a missing (or unreadable) entry is the zero quantity. */
export function storageRequest(claim: KObject | undefined): Quantity {
  const v = claim?.spec?.resources?.requests?.storage;
  return (typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null) ?? ZERO;
}

export function persistentVolumeClaimResize(parts: () => ServerParts): AdmissionPlugin {
  function allowResize(claim: KObject, old: KObject): boolean {
    const cls = storageClassOf(claim);
    const oldCls = storageClassOf(old);
    if (!cls || !oldCls || cls !== oldCls) return false;
    const sc = parts().registry('storage.k8s.io', 'storageclasses')?.tryGet(undefined, cls);
    return sc?.obj.allowVolumeExpansion === true;
  }

  return (ctx) => {
    const { def, obj, old } = ctx;
    if (ctx.operation !== 'UPDATE' || ctx.subresource !== '' || !old) return;
    if (def.group !== '' || def.plural !== 'persistentvolumeclaims') return;
    if (compareQuantity(storageRequest(obj), storageRequest(old)) <= 0) return;
    // Validation comes first in Kubernetes; let it reject what it rejects.
    if ((def.validateUpdate?.(obj, old) ?? []).length > 0) return;
    const target = { group: '', resource: 'persistentvolumeclaims' };
    const name = obj.metadata?.name ?? '';
    if (old.status?.phase !== 'Bound') throw forbidden(target, name, ONLY_BOUND_CAN_EXPAND);
    if (!allowResize(obj, old)) throw forbidden(target, name, RESIZE_NOT_ALLOWED);
  };
}
