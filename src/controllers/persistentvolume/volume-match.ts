// Pure rules for matching PersistentVolumeClaims to PersistentVolumes, as Kubernetes'
// pkg/controller/volume/persistentvolume (util.go, index.go) and component-helpers/storage/volume
// define them: storage class (the beta annotation wins), access modes, volume mode, label
// selector, capacity, and the pre-binding rules. No I/O; the index and the controller use these.

import type { KObject } from '../../api/resource.js';
import { parseQuantity, quantityToNumber } from '../../api/quantity.js';
import { storageClassOf } from '../../api/core/volume-printing.js';
import { parseLabelSelector, selectorMatches } from '../../api/validation/label-selector.js';

export type Volume = KObject;
export type Claim = KObject;

/** `namespace/name` of a claim, or of the claim a volume's claimRef names. */
export function claimKey(claim: Claim): string {
  return `${claim.metadata?.namespace}/${claim.metadata?.name}`;
}
export function claimRefKey(volume: Volume): string | undefined {
  const ref = volume.spec?.claimRef;
  return ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : undefined;
}

/** Bytes of a resource list's storage entry (NaN when absent or invalid). */
export function storageBytes(list: Record<string, unknown> | undefined): number {
  const v = list?.storage;
  const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null;
  return q ? quantityToNumber(q) : NaN;
}
export const requestedBytes = (claim: Claim): number => storageBytes(claim.spec?.resources?.requests) || 0;
export const capacityBytes = (volume: Volume): number => storageBytes(volume.spec?.capacity);

/** storagehelpers.IsVolumeBoundToClaim: the claimRef names the claim (any uid if the ref has none). */
export function isVolumeBoundToClaim(volume: Volume, claim: Claim): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

const volumeMode = (spec: any): string => spec?.volumeMode ?? 'Filesystem';

/** CheckVolumeModeMismatches (an unset mode means Filesystem on both sides). */
export function volumeModeMismatch(claim: Claim, volume: Volume): boolean {
  return volumeMode(claim.spec) !== volumeMode(volume.spec);
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function checkAccessModes(claim: Claim, volume: Volume): boolean {
  const offered = new Set<string>(volume.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m: string) => offered.has(m));
}

/** A canonical key for a set of access modes (the index's buckets). */
export function accessModesKey(modes: unknown): string {
  return [...new Set(Array.isArray(modes) ? (modes as string[]) : [])].sort().join(',');
}

/** The claim's selector as a predicate over volume labels (no selector matches every volume). */
export function selectorFor(claim: Claim): (v: Volume) => boolean {
  if (!claim.spec?.selector) return () => true;
  const parsed = parseLabelSelector(claim.spec.selector);
  return (v) => selectorMatches(parsed, v.metadata?.labels);
}

/** checkVolumeSatisfyClaim: why a volume the claim names in spec.volumeName cannot serve it. */
export function volumeSatisfyClaimError(volume: Volume, claim: Claim): string | undefined {
  if (volume.metadata?.deletionTimestamp) return `the volume is marked for deletion "${volume.metadata.name}"`;
  if (!(capacityBytes(volume) >= requestedBytes(claim))) return 'requested PV is too small';
  if (storageClassOf(volume) !== storageClassOf(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, volume)) return 'incompatible volumeMode';
  if (!checkAccessModes(claim, volume)) return 'incompatible accessMode';
  return undefined;
}
