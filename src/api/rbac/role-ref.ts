// roleRef of RoleBindings and ClusterRoleBindings: defaulting of apiGroup, validation (group, kind,
// name) and the rule that a binding's roleRef never changes (delete and recreate the binding instead).
// Deliberately absent: checking that the referenced role exists (Kubernetes allows dangling refs).

import type { RoleRef } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.js';
import { invalid, notSupported, required } from '../errors.js';
import { isValidPathSegmentName } from '../validation/names.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export interface RoleRefOptions {
  /** Kinds the binding may reference: RoleBinding ["Role", "ClusterRole"], ClusterRoleBinding ["ClusterRole"]. */
  kinds: string[];
}

/** SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding: an empty apiGroup means RBAC's. */
export function defaultRoleRef(obj: { roleRef?: Partial<RoleRef> }): void {
  if (obj.roleRef && typeof obj.roleRef === 'object' && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = RBAC_GROUP;
}

export function validateRoleRef(ref: Partial<RoleRef> | undefined, opts: RoleRefOptions): FieldError[] {
  const r = ref ?? {};
  const errs: FieldError[] = [];
  if (r.apiGroup !== RBAC_GROUP) errs.push(notSupported('roleRef.apiGroup', r.apiGroup ?? '', [RBAC_GROUP]));
  if (!opts.kinds.includes(r.kind ?? '')) errs.push(notSupported('roleRef.kind', r.kind ?? '', opts.kinds));
  if (!r.name) errs.push(required('roleRef.name'));
  else for (const m of isValidPathSegmentName(r.name)) errs.push(invalid('roleRef.name', r.name, m));
  return errs;
}

/** The roleRef of a binding is immutable (compared field by field, as Go compares the struct). */
export function validateRoleRefUnchanged(ref: Partial<RoleRef> | undefined, old: Partial<RoleRef> | undefined): FieldError[] {
  const a = ref ?? {};
  const b = old ?? {};
  const same = (a.apiGroup ?? '') === (b.apiGroup ?? '') && (a.kind ?? '') === (b.kind ?? '') && (a.name ?? '') === (b.name ?? '');
  if (same) return [];
  const shown = { apiGroup: a.apiGroup ?? '', kind: a.kind ?? '', name: a.name ?? '' };
  return [invalid('roleRef', shown, 'cannot change roleRef')];
}
