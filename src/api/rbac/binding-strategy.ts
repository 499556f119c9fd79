// Defaulting and validation shared by RoleBindings and ClusterRoleBindings, as
// pkg/apis/rbac/validation does them: metadata, roleRef (a ClusterRoleBinding may only reference a
// ClusterRole; immutable on update) and subjects (a ClusterRoleBinding's ServiceAccounts need a
// namespace). The two kinds differ only in scope, which decides both rules.
// Deliberately absent: checks that the role exists or that the creator may grant it.

import type { RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { validateRbacObjectMeta } from './rbac-object-meta.js';
import { defaultRoleRef, validateRoleRef, validateRoleRefUnchanged } from './role-ref.js';
import { defaultSubjects, validateSubjects } from './subjects.js';

export interface BindingObject extends KObject {
  roleRef?: Partial<RoleRef>;
  subjects?: Partial<Subject>[];
}

export interface BindingOptions {
  /** RoleBinding (true) or ClusterRoleBinding (false). */
  namespaced: boolean;
  /** The old object, for updates. */
  old?: BindingObject;
}

/** SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding. */
export function defaultBinding(obj: BindingObject): void {
  defaultRoleRef(obj);
  defaultSubjects(obj.subjects);
}

/** ValidateRoleBinding / ValidateClusterRoleBinding, plus the roleRef rule of their updates. */
export function validateBinding(obj: BindingObject, opts: BindingOptions): FieldError[] {
  const { namespaced, old } = opts;
  const errs = [
    ...validateRbacObjectMeta(obj, { namespaced, old }),
    ...validateRoleRef(obj.roleRef, { kinds: namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'] }),
    ...validateSubjects(obj.subjects, { namespaced }),
  ];
  if (old) errs.push(...validateRoleRefUnchanged(obj.roleRef, old.roleRef));
  return errs;
}
