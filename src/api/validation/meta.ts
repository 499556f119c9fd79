// ObjectMeta validation (k8s.io/apimachinery/pkg/api/validation/objectmeta.go): names, namespace,
// labels, annotations, finalizers, ownerReferences, and the fields an update may not change.

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, required, tooLong, keyPath } from '../errors.js';
import type { KObject, ObjectMetaLike } from '../resource.js';
import type { NameValidator } from './names.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, isValidPathSegmentName, TOTAL_ANNOTATION_SIZE_LIMIT } from './names.js';

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    if (typeof v !== 'string') {
      errs.push(invalid(keyPath(path, k), v, 'must be a string'));
      continue;
    }
    for (const m of isValidLabelValue(v)) errs.push(invalid(keyPath(path, k), v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    total += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errs.push({ ...tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT), detail: `must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return errs;
}

export function validateFinalizers(finalizers: string[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (finalizers ?? []).forEach((f, i) => {
    for (const m of isQualifiedName(f)) errs.push(invalid(`${path}[${i}]`, f, m));
    if (seen.has(f)) errs.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, badValue: f });
    seen.add(f);
  });
  return errs;
}

export function validateOwnerReferences(refs: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let controllers = 0;
  (refs ?? []).forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!r || typeof r !== 'object') {
      errs.push(invalid(p, r, 'must be an object'));
      return;
    }
    if (!r.apiVersion) errs.push(invalid(`${p}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
    if (!r.kind) errs.push(invalid(`${p}.kind`, r.kind ?? '', 'kind must not be empty'));
    if (!r.name) errs.push(invalid(`${p}.name`, r.name ?? '', 'name must not be empty'));
    if (!r.uid) errs.push(invalid(`${p}.uid`, r.uid ?? '', 'uid must not be empty'));
    if (r.controller === true) controllers++;
  });
  if (controllers > 1) {
    errs.push(invalid(path, refs, 'Only one reference can have Controller set to true'));
  }
  return errs;
}

export interface MetaValidationOptions {
  namespaced: boolean;
  nameValidator: NameValidator;
}

/** Validates metadata of a new object. */
export function validateObjectMeta(obj: KObject, opts: MetaValidationOptions): FieldError[] {
  const meta: ObjectMetaLike = obj.metadata ?? {};
  const errs: FieldError[] = [];
  if (meta.generateName) {
    for (const m of opts.nameValidator(meta.generateName, true)) errs.push(invalid('metadata.generateName', meta.generateName, m));
  }
  if (!meta.name) {
    errs.push(required('metadata.name', 'name or generateName is required'));
  } else {
    for (const m of opts.nameValidator(meta.name, false)) errs.push(invalid('metadata.name', meta.name, m));
    for (const m of isValidPathSegmentName(meta.name)) errs.push(invalid('metadata.name', meta.name, m));
  }
  if (opts.namespaced) {
    if (!meta.namespace) errs.push(required('metadata.namespace'));
    else for (const m of isDNS1123Label(meta.namespace)) errs.push(invalid('metadata.namespace', meta.namespace, m));
  } else if (meta.namespace) {
    errs.push(forbiddenField('metadata.namespace', 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) {
    errs.push(invalid('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  errs.push(...validateFinalizers(meta.finalizers, 'metadata.finalizers'));
  errs.push(...validateOwnerReferences(meta.ownerReferences, 'metadata.ownerReferences'));
  return errs;
}

const IMMUTABLE = 'field is immutable';

/** Validates metadata of an update: the new object's metadata plus what may not change. */
export function validateObjectMetaUpdate(obj: KObject, old: KObject, opts: MetaValidationOptions): FieldError[] {
  const m = obj.metadata ?? {};
  const o = old.metadata ?? {};
  const errs = validateObjectMeta(obj, opts).filter((e) => e.field !== 'metadata.generateName');
  if (m.name !== o.name) errs.push(invalid('metadata.name', m.name, IMMUTABLE));
  if ((m.namespace ?? '') !== (o.namespace ?? '')) errs.push(invalid('metadata.namespace', m.namespace, IMMUTABLE));
  if (m.uid !== o.uid) errs.push(invalid('metadata.uid', m.uid, IMMUTABLE));
  if (m.creationTimestamp !== o.creationTimestamp) errs.push(invalid('metadata.creationTimestamp', m.creationTimestamp, IMMUTABLE));
  if (o.deletionTimestamp && m.deletionTimestamp !== o.deletionTimestamp) {
    errs.push(invalid('metadata.deletionTimestamp', m.deletionTimestamp, IMMUTABLE));
  }
  if (o.deletionGracePeriodSeconds !== undefined && m.deletionGracePeriodSeconds !== o.deletionGracePeriodSeconds) {
    errs.push(invalid('metadata.deletionGracePeriodSeconds', m.deletionGracePeriodSeconds, IMMUTABLE));
  }
  // Once deleting, no new finalizers may be added.
  if (o.deletionTimestamp) {
    const had = new Set(o.finalizers ?? []);
    for (const f of m.finalizers ?? []) {
      if (!had.has(f)) errs.push(forbiddenField('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${JSON.stringify(f)}}`));
    }
  }
  return errs;
}
