// rbac.authorization.k8s.io/v1 RoleBinding: grants a Role or ClusterRole to subjects within one
// namespace. Defaulting (roleRef.apiGroup, subjects' apiGroup), validation as
// pkg/apis/rbac/validation (roleRef required and immutable, subjects; see binding-strategy.ts), and
// the table NAME, ROLE, AGE (+ USERS, GROUPS, SERVICEACCOUNTS with -o wide).
// Deliberately absent: checks that the role exists or that the creator may grant it.

import type { FieldError } from '../errors.js';
import type { ResourceDef } from '../resource.js';
import { bindingPrinter } from './binding-printer.js';
import type { BindingObject } from './binding-strategy.js';
import { defaultBinding, validateBinding } from './binding-strategy.js';

export type RoleBindingObject = BindingObject;

export function validateRoleBinding(obj: RoleBindingObject, old?: RoleBindingObject): FieldError[] {
  return validateBinding(obj, { namespaced: true, old });
}

export const roleBindingResource: ResourceDef<RoleBindingObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  namespaced: true,
  schemaName: 'io.k8s.api.rbac.v1.RoleBinding',
  defaults: defaultBinding,
  validate: (obj) => validateRoleBinding(obj),
  validateUpdate: (obj, old) => validateRoleBinding(obj, old),
  printer: bindingPrinter({ kind: 'RoleBinding' }),
};
