// Metadata validation for the four RBAC kinds. RBAC names are only required to be path segments
// (ValidateRBACName in pkg/apis/rbac/validation), so "system:admin" and "Admin" are valid names.
// meta.ts checks path segments for every kind on top of the kind's own name rule, which for RBAC is
// the same rule; this module removes the resulting duplicates so each problem is reported once.
// Deliberately absent: everything outside metadata (policy-rule.ts, role-ref.ts, subjects.ts).

import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import { nameIsPathSegment } from '../validation/names.js';

export interface RbacMetaOptions {
  namespaced: boolean;
  /** The old object, for updates. */
  old?: KObject;
}

function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const key = JSON.stringify([e.type, e.field, e.detail ?? '', e.badValue ?? null]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** ObjectMeta validation of a Role, ClusterRole, RoleBinding or ClusterRoleBinding (create or update). */
export function validateRbacObjectMeta(obj: KObject, opts: RbacMetaOptions): FieldError[] {
  const metaOpts = { namespaced: opts.namespaced, nameValidator: nameIsPathSegment };
  const errs = opts.old ? validateObjectMetaUpdate(obj, opts.old, metaOpts) : validateObjectMeta(obj, metaOpts);
  return dedupe(errs);
}
