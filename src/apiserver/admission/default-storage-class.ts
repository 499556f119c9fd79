// Admission: DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault). A claim
// created without any class (spec.storageClassName unset and no beta class annotation) gets the
// default StorageClass's name. With several default classes the newest wins, ties broken by name
// ascending, as storageutil.GetDefaultClass sorts. An explicit "" means "no class" and is kept.
// Deliberately absent: the retroactive assignment of a default class to existing unbound claims
// (the PV controller's RetroactiveDefaultStorageClass work) and any change on update.

import { pickDefaultStorageClass } from '../../api/storage/storage-class.js';
import { claimHasClass } from '../../api/core/volume-printing.js';
import type { AdmissionPlugin } from '../registry/resource-store.js';
import type { ServerParts } from '../handlers/context.js';

export function defaultStorageClass(parts: () => ServerParts): AdmissionPlugin {
  return (ctx) => {
    const { def, obj } = ctx;
    if (ctx.operation !== 'CREATE' || ctx.subresource !== '') return;
    if (def.group !== '' || def.plural !== 'persistentvolumeclaims') return;
    if (claimHasClass(obj)) return;
    const classes = parts().registry('storage.k8s.io', 'storageclasses')?.list() ?? [];
    const chosen = pickDefaultStorageClass(classes.map((c) => c.obj));
    if (!chosen) return;
    obj.spec ??= {};
    obj.spec.storageClassName = chosen.metadata!.name;
  };
}
