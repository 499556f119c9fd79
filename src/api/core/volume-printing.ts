// Cells shared by the PersistentVolume and PersistentVolumeClaim tables, as kubectl's server-side
// printers compute them: access modes as `RWO,ROX,RWX,RWOP` (fixed order, duplicates dropped),
// the class from the beta annotation or spec.storageClassName (and whether a claim names one at
// all), and capacities in canonical form.
// Deliberately absent: the column lists themselves (each resource file owns its printer).

import { formatQuantity, parseQuantity } from '../quantity.js';
import type { KObject } from '../resource.js';

export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

const SHORT: [string, string][] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** helper.GetAccessModesAsString. */
export function accessModesAsString(modes: unknown): string {
  const set = new Set(Array.isArray(modes) ? modes : []);
  return SHORT.filter(([m]) => set.has(m))
    .map(([, s]) => s)
    .join(',');
}

/** helper.GetPersistentVolumeClass / GetPersistentVolumeClaimClass: the beta annotation wins. */
export function storageClassOf(obj: KObject): string {
  const annotated = obj.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  if (annotated !== undefined) return annotated;
  return obj.spec?.storageClassName ?? '';
}

/** helper.PersistentVolumeClaimHasClass: the user asked for a class (the beta annotation, or a non-null name, even ""). */
export function claimHasClass(claim: KObject): boolean {
  const annotations = claim.metadata?.annotations ?? {};
  return Object.prototype.hasOwnProperty.call(annotations, BETA_STORAGE_CLASS_ANNOTATION) || claim.spec?.storageClassName != null;
}

/** Quantity.String() of a resource list entry; a missing entry prints as `0`. */
export function quantityCell(list: Record<string, unknown> | undefined, name: string): string {
  const v = list?.[name];
  if (v === undefined || v === null) return '0';
  const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null;
  return q ? formatQuantity(q) : String(v);
}
