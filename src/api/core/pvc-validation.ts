// PersistentVolumeClaim spec validation and update rules with Kubernetes' 1.32 messages
// (pkg/apis/core/validation ValidatePersistentVolumeClaimSpec / ...Update): access modes, the
// storage request, selector, class name, volume mode and data sources; on update the spec is
// immutable except resources.requests of a Bound claim, a first volumeName, and the
// storage-class upgrade paths from the beta annotation or from nil. With RecoverVolumeExpansionFailure
// (beta, on in 1.32) a request may shrink, but not to or below status.capacity.
// Deliberately absent: whether the StorageClass allows expansion (admission reads the class).

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, notSupported, required } from '../errors.js';
import { compareQuantity, parseQuantity } from '../quantity.js';
import type { KObject } from '../resource.js';
import { validateLabelSelector } from '../validation/label-selector.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';
import { FIELD_IMMUTABLE, validateSemanticImmutable } from './field-validators.js';
import { validateAccessModes, validateClassName, validatePositiveQuantity, VOLUME_MODES } from './pv-validation.js';
import { normalizeResourceList, semanticEqual } from './semantic-equal.js';
import { BETA_STORAGE_CLASS_ANNOTATION } from './volume-printing.js';

export const PVC_SPEC_IMMUTABLE =
  'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

function validateDataSource(ds: any, path: string, opts: { isRef: boolean }): FieldError[] {
  const errs: FieldError[] = [];
  if (!ds?.name) errs.push(required(`${path}.name`));
  if (!ds?.kind) errs.push(required(`${path}.kind`));
  const apiGroup = typeof ds?.apiGroup === 'string' ? ds.apiGroup : '';
  if (!apiGroup && ds?.kind !== 'PersistentVolumeClaim') {
    errs.push(invalid(path, ds?.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  if (apiGroup) for (const m of isDNS1123Subdomain(apiGroup)) errs.push(invalid(`${path}.apiGroup`, apiGroup, m));
  if (opts.isRef && ds?.namespace) for (const m of isDNS1123Label(ds.namespace)) errs.push(invalid(`${path}.namespace`, ds.namespace, m));
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(spec?.accessModes) || spec.accessModes.length === 0) {
    errs.push(required(`${path}.accessModes`, 'at least 1 access mode is required'));
  }
  if (spec?.selector) errs.push(...validateLabelSelector(spec.selector, `${path}.selector`));
  errs.push(...validateAccessModes(spec?.accessModes, `${path}.accessModes`));

  const storagePath = `${path}.resources[storage]`;
  const requests = spec?.resources?.requests ?? {};
  if (requests.storage === undefined || requests.storage === null) errs.push(required(storagePath));
  else errs.push(...validatePositiveQuantity(requests.storage, storagePath));

  if (typeof spec?.storageClassName === 'string' && spec.storageClassName.length > 0) {
    errs.push(...validateClassName(spec.storageClassName, `${path}.storageClassName`));
  }
  if (spec?.volumeMode != null && !VOLUME_MODES.includes(spec.volumeMode)) {
    errs.push(notSupported(`${path}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  }
  if (spec?.dataSource) errs.push(...validateDataSource(spec.dataSource, `${path}.dataSource`, { isRef: false }));
  if (spec?.dataSourceRef) errs.push(...validateDataSource(spec.dataSourceRef, `${path}.dataSourceRef`, { isRef: true }));
  if (spec?.dataSourceRef?.namespace) {
    if (spec.dataSource) errs.push(invalid(path, `${path}.dataSource`, 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (spec?.dataSource && spec?.dataSourceRef) {
    const a = spec.dataSource;
    const b = spec.dataSourceRef;
    if ((a.apiGroup ?? null) !== (b.apiGroup ?? null) || a.kind !== b.kind || a.name !== b.name) {
      errs.push(invalid(path, `${path}.dataSource`, 'must match dataSourceRef'));
    }
  }
  return errs;
}

/** validateStorageClassUpgradeFromAnnotation: moving the beta annotation's class into the spec. */
function upgradeFromAnnotation(old: KObject, obj: KObject): boolean {
  const oldAnn = old.metadata?.annotations ?? {};
  const newAnn = obj.metadata?.annotations ?? {};
  if (!(BETA_STORAGE_CLASS_ANNOTATION in oldAnn) || old.spec?.storageClassName != null) return false;
  const oldClass = oldAnn[BETA_STORAGE_CLASS_ANNOTATION];
  if (obj.spec?.storageClassName == null || obj.spec.storageClassName !== oldClass) return false;
  return !(BETA_STORAGE_CLASS_ANNOTATION in newAnn) || newAnn[BETA_STORAGE_CLASS_ANNOTATION] === oldClass;
}

/** validateStorageClassUpgradeFromNil: setting a class on a claim that had none. */
function upgradeFromNil(old: KObject, obj: KObject): boolean {
  const oldAnn = old.metadata?.annotations ?? {};
  if (obj.spec?.storageClassName == null || old.spec?.storageClassName != null) return false;
  return !(BETA_STORAGE_CLASS_ANNOTATION in oldAnn) || obj.spec.storageClassName === oldAnn[BETA_STORAGE_CLASS_ANNOTATION];
}

/** The spec as compared for immutability: quantities by value. */
function comparable(spec: any): any {
  const out = structuredClone(spec ?? {});
  if (out.resources) {
    out.resources.requests = normalizeResourceList(out.resources.requests);
    out.resources.limits = normalizeResourceList(out.resources.limits);
  }
  return out;
}

/** The update-only rules of ValidatePersistentVolumeClaimUpdate (the new object is validated separately). */
export function validatePersistentVolumeClaimUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const next = comparable(obj.spec);
  const prev = comparable(old.spec);
  // The binder sets volumeName once.
  if (!old.spec?.volumeName) {
    if (next.volumeName === undefined) delete prev.volumeName;
    else prev.volumeName = next.volumeName;
  }
  if (upgradeFromAnnotation(old, obj)) {
    delete next.storageClassName;
  } else {
    const before = old.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? '';
    const after = obj.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? '';
    if (before !== after) errs.push(invalid(`metadata.annotations.${BETA_STORAGE_CLASS_ANNOTATION}`, after, FIELD_IMMUTABLE));
    if (upgradeFromNil(old, obj)) delete next.storageClassName;
  }
  const bound = obj.status?.phase === 'Bound';
  if (bound && next.resources?.requests) {
    if (prev.resources?.requests?.storage === undefined) delete next.resources.requests.storage;
    else next.resources.requests.storage = prev.resources.requests.storage;
  }
  if (bound && next.volumeAttributesClassName != null) {
    if (prev.volumeAttributesClassName === undefined) delete next.volumeAttributesClassName;
    else next.volumeAttributesClassName = prev.volumeAttributesClassName;
  }
  if (!semanticEqual(next, prev)) errs.push(forbiddenField('spec', PVC_SPEC_IMMUTABLE));

  const newSize = parseQuantity(obj.spec?.resources?.requests?.storage ?? '0');
  const oldSize = parseQuantity(old.spec?.resources?.requests?.storage ?? '0');
  const statusSize = parseQuantity(old.status?.capacity?.storage ?? '0');
  if (newSize && oldSize && statusSize && compareQuantity(newSize, oldSize) < 0 && compareQuantity(newSize, statusSize) <= 0) {
    errs.push(forbiddenField('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  errs.push(...validateSemanticImmutable('volumeMode', { next: obj.spec?.volumeMode, old: old.spec?.volumeMode }));
  if (!semanticEqual(obj.spec?.volumeAttributesClassName, old.spec?.volumeAttributesClassName)) {
    errs.push(forbiddenField('spec.volumeAttributesClassName', 'update is forbidden when the VolumeAttributesClass feature gate is disabled'));
  }
  return errs;
}
