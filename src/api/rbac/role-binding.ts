// rbac.authorization.k8s.io/v1 RoleBinding: grants a Role or ClusterRole to subjects within one
// namespace. Defaulting (roleRef.apiGroup, subjects' apiGroup), validation as
// pkg/apis/rbac/validation (roleRef required and immutable, subjects), and the table
// NAME, ROLE, AGE (+ USERS, GROUPS, SERVICEACCOUNTS with -o wide).
// Deliberately absent: checks that the role exists or that the creator may grant it.

import type { RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.js';
import type { KObject, ResourceDef } from '../resource.js';
import { bindingPrinter } from './binding-printer.js';
import { validateRbacObjectMeta } from './rbac-object-meta.js';
import { defaultRoleRef, validateRoleRef, validateRoleRefUnchanged } from './role-ref.js';
import { defaultSubjects, validateSubjects } from './subjects.js';

export interface RoleBindingObject extends KObject {
  roleRef?: Partial<RoleRef>;
  subjects?: Partial<Subject>[];
}

export function validateRoleBinding(obj: RoleBindingObject, old?: RoleBindingObject): FieldError[] {
  const errs = [
    ...validateRbacObjectMeta(obj, { namespaced: true, old }),
    ...validateRoleRef(obj.roleRef, { kinds: ['Role', 'ClusterRole'] }),
    ...validateSubjects(obj.subjects, { namespaced: true }),
  ];
  if (old) errs.push(...validateRoleRefUnchanged(obj.roleRef, old.roleRef));
  return errs;
}

export const roleBindingResource: ResourceDef<RoleBindingObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  schemaName: 'io.k8s.api.rbac.v1.RoleBinding',
  defaults(obj) {
    defaultRoleRef(obj);
    defaultSubjects(obj.subjects);
  },
  validate: (obj) => validateRoleBinding(obj),
  validateUpdate: (obj, old) => validateRoleBinding(obj, old),
  printer: bindingPrinter({ kind: 'RoleBinding' }),
};
