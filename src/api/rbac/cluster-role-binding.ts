// rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a ClusterRole to subjects cluster-wide.
// Defaulting (roleRef.apiGroup, subjects' apiGroup), validation as pkg/apis/rbac/validation (roleRef
// must be a ClusterRole and is immutable; ServiceAccount subjects need a namespace; see
// binding-strategy.ts), and the table NAME, ROLE, AGE (+ USERS, GROUPS, SERVICEACCOUNTS with -o wide).
// Deliberately absent: checks that the role exists or that the creator may grant it.

import type { FieldError } from '../errors.js';
import type { ResourceDef } from '../resource.js';
import { bindingPrinter } from './binding-printer.js';
import type { BindingObject } from './binding-strategy.js';
import { defaultBinding, validateBinding } from './binding-strategy.js';

export type ClusterRoleBindingObject = BindingObject;

export function validateClusterRoleBinding(obj: ClusterRoleBindingObject, old?: ClusterRoleBindingObject): FieldError[] {
  return validateBinding(obj, { namespaced: false, old });
}

export const clusterRoleBindingResource: ResourceDef<ClusterRoleBindingObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  schemaName: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  defaults: defaultBinding,
  validate: (obj) => validateClusterRoleBinding(obj),
  validateUpdate: (obj, old) => validateClusterRoleBinding(obj, old),
  printer: bindingPrinter({ kind: 'ClusterRoleBinding' }),
};
