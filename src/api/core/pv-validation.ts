// PersistentVolume spec validation and update rules with Kubernetes' messages
// (pkg/apis/core/validation ValidatePersistentVolumeSpec / ValidatePersistentVolumeUpdate):
// capacity, access modes, reclaim policy, node affinity, class name, volume mode and the one
// volume source; on update the source, volumeMode and a set nodeAffinity are immutable.
// The `inline` mode is the VolumeAttachment inline spec (CSI only, no capacity or claimRef).
// Deliberately absent: VolumeAttributesClass (its feature gate is off in 1.32, so the strategy
// drops the field) and anything that needs other objects (the PV controller's business).

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, notSupported, required } from '../errors.js';
import { compareQuantity, formatQuantity, parseQuantity, QUANTITY_FORMAT_ERROR, quantityToNumber } from '../quantity.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import { validateSemanticImmutable } from './field-validators.js';
import { validatePersistentVolumeSource } from './pv-sources.js';
import { semanticEqual } from './semantic-equal.js';
import { validateVolumeNodeAffinity } from './volume-node-affinity.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
export const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const IS_NOT_POSITIVE = 'must be greater than zero';
const ZERO = { unscaled: 0n, scale: 0, format: 'DecimalSI' as const };

/** Access modes: known values, and ReadWriteOncePod only on its own. */
export function validateAccessModes(modes: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let rwop = false;
  let other = false;
  for (const mode of Array.isArray(modes) ? modes : []) {
    if (!ACCESS_MODES.includes(mode)) errs.push(notSupported(path, mode, ACCESS_MODES));
    if (mode === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(mode)) other = true;
  }
  if (rwop && other) errs.push(forbiddenField(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** ValidatePositiveQuantityValue (plus the decoder's own complaint for an unparseable value). */
export function validatePositiveQuantity(value: unknown, path: string): FieldError[] {
  const q = typeof value === 'string' || typeof value === 'number' ? parseQuantity(value) : null;
  if (!q) return [invalid(path, value, QUANTITY_FORMAT_ERROR)];
  return compareQuantity(q, ZERO) <= 0 ? [invalid(path, formatQuantity(q), IS_NOT_POSITIVE)] : [];
}

/** ValidateClassName (a DNS subdomain) for storageClassName-like fields. */
export function validateClassName(name: string, path: string): FieldError[] {
  return isDNS1123Subdomain(name).map((m) => invalid(path, name, m));
}

export interface PersistentVolumeSpecOptions {
  pvName: string;
  /** A VolumeAttachment's inlineVolumeSpec: CSI only, no claimRef, capacity, class or affinity. */
  inline?: boolean;
}

export function validatePersistentVolumeSpec(spec: any, path: string, opts: PersistentVolumeSpecOptions): FieldError[] {
  const errs: FieldError[] = [];
  const inline = !!opts.inline;
  const capacity: Record<string, unknown> = spec?.capacity ?? {};
  if (inline) {
    if (spec?.claimRef) errs.push(forbiddenField(`${path}.claimRef`, 'may not be specified in the context of inline volumes'));
    if (Object.keys(capacity).length) errs.push(forbiddenField(`${path}.capacity`, 'may not be specified in the context of inline volumes'));
    if (!spec?.csi) errs.push(required(`${path}.csi`, 'has to be specified in the context of inline volumes'));
  }
  if (!Array.isArray(spec?.accessModes) || spec.accessModes.length === 0) errs.push(required(`${path}.accessModes`));
  errs.push(...validateAccessModes(spec?.accessModes, `${path}.accessModes`));

  if (!inline) {
    if (Object.keys(capacity).length === 0) errs.push(required(`${path}.capacity`));
    if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(notSupported(`${path}.capacity`, capacity, ['storage']));
    for (const [name, value] of Object.entries(capacity)) {
      const p = `${path}.capacity[${name}]`;
      const q = typeof value === 'string' || typeof value === 'number' ? parseQuantity(value) : null;
      if (q && q.unscaled < 0n) errs.push(invalid(p, Math.trunc(quantityToNumber(q)), 'must be a valid resource quantity'));
      errs.push(...validatePositiveQuantity(value, p));
    }
  }

  const policy = spec?.persistentVolumeReclaimPolicy;
  if (policy) {
    if (inline && policy !== 'Retain') {
      errs.push(forbiddenField(`${path}.persistentVolumeReclaimPolicy`, 'may only be Retain in the context of inline volumes'));
    } else if (!inline && !RECLAIM_POLICIES.includes(policy)) {
      errs.push(notSupported(`${path}.persistentVolumeReclaimPolicy`, policy, RECLAIM_POLICIES));
    }
  }

  let affinitySpecified = false;
  if (spec?.nodeAffinity != null) {
    if (inline) errs.push(forbiddenField(`${path}.nodeAffinity`, 'may not be specified in the context of inline volumes'));
    else {
      const r = validateVolumeNodeAffinity(spec.nodeAffinity, `${path}.nodeAffinity`);
      affinitySpecified = r.specified;
      errs.push(...r.errors);
    }
  }
  errs.push(...validatePersistentVolumeSource(spec, path, { pvName: opts.pvName, nodeAffinitySpecified: affinitySpecified }));

  if (spec?.storageClassName) {
    if (inline) errs.push(forbiddenField(`${path}.storageClassName`, 'may not be specified in the context of inline volumes'));
    else errs.push(...validateClassName(spec.storageClassName, `${path}.storageClassName`));
  }
  if (spec?.volumeMode != null) {
    if (inline && spec.volumeMode !== 'Filesystem') {
      errs.push(forbiddenField(`${path}.volumeMode`, 'may not specify volumeMode other than Filesystem in the context of inline volumes'));
    } else if (!inline && !VOLUME_MODES.includes(spec.volumeMode)) {
      errs.push(notSupported(`${path}.volumeMode`, spec.volumeMode, VOLUME_MODES));
    }
  }
  return errs;
}

const SOURCE_FIELDS_EXCLUDED = new Set([
  'accessModes',
  'capacity',
  'claimRef',
  'mountOptions',
  'nodeAffinity',
  'persistentVolumeReclaimPolicy',
  'storageClassName',
  'volumeAttributesClassName',
  'volumeMode',
]);

/** The PersistentVolumeSource part of a spec: every field that is not a PV-level setting. */
function volumeSource(spec: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec ?? {})) if (!SOURCE_FIELDS_EXCLUDED.has(k)) out[k] = v;
  return out;
}

/** The immutability rules of ValidatePersistentVolumeUpdate (the new object is validated separately). */
export function validatePersistentVolumeUpdate(spec: any, oldSpec: any): FieldError[] {
  const errs: FieldError[] = [];
  const next = volumeSource(spec);
  const prev = volumeSource(oldSpec);
  // A CSI volume may gain a controllerExpandSecretRef after creation.
  if (oldSpec?.csi && !oldSpec.csi.controllerExpandSecretRef && spec?.csi?.controllerExpandSecretRef) {
    next.csi = { ...spec.csi };
    delete (next.csi as Record<string, unknown>).controllerExpandSecretRef;
  }
  if (!semanticEqual(next, prev)) {
    errs.push(forbiddenField('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  }
  errs.push(...validateSemanticImmutable('volumeMode', { next: spec?.volumeMode, old: oldSpec?.volumeMode }));
  if (oldSpec?.nodeAffinity != null) errs.push(...validateSemanticImmutable('nodeAffinity', { next: spec?.nodeAffinity, old: oldSpec.nodeAffinity }));
  return errs;
}
