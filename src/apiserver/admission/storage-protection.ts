// Admission: StorageObjectInUseProtection (plugin/pkg/admission/storage/storageobjectinuseprotection).
// Every PersistentVolumeClaim is created with the kubernetes.io/pvc-protection finalizer and every
// PersistentVolume with kubernetes.io/pv-protection, so deleting one that is still in use only
// marks it terminating. The finalizer is added once, never duplicated.
// Deliberately absent: removing the finalizers (the pvc-protection and pv-protection controllers
// do that once the object is no longer in use) and any change on update.

import { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER } from '../../api/storage/well-known.js';
import type { AdmissionPlugin } from '../registry/resource-store.js';

export function storageObjectInUseProtection(): AdmissionPlugin {
  return (ctx) => {
    const { def, obj } = ctx;
    if (ctx.operation !== 'CREATE' || ctx.subresource !== '' || def.group !== '') return;
    const finalizer =
      def.plural === 'persistentvolumeclaims' ? PVC_PROTECTION_FINALIZER : def.plural === 'persistentvolumes' ? PV_PROTECTION_FINALIZER : undefined;
    if (!finalizer) return;
    obj.metadata ??= {};
    const finalizers: string[] = Array.isArray(obj.metadata.finalizers) ? obj.metadata.finalizers : [];
    if (finalizers.includes(finalizer)) return;
    obj.metadata.finalizers = [...finalizers, finalizer];
  };
}
