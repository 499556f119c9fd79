// rbac.authorization.k8s.io/v1 ClusterRoleBinding: grants a ClusterRole to subjects cluster-wide.
// Defaulting (roleRef.apiGroup, subjects' apiGroup), validation as pkg/apis/rbac/validation (roleRef
// must be a ClusterRole and is immutable; ServiceAccount subjects need a namespace), and the table
// NAME, ROLE, AGE (+ USERS, GROUPS, SERVICEACCOUNTS with -o wide).
// Deliberately absent: checks that the role exists or that the creator may grant it.

import type { RoleRef, Subject } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.js';
import type { KObject, ResourceDef } from '../resource.js';
import { bindingPrinter } from './binding-printer.js';
import { validateRbacObjectMeta } from './rbac-object-meta.js';
import { defaultRoleRef, validateRoleRef, validateRoleRefUnchanged } from './role-ref.js';
import { defaultSubjects, validateSubjects } from './subjects.js';

export interface ClusterRoleBindingObject extends KObject {
  roleRef?: Partial<RoleRef>;
  subjects?: Partial<Subject>[];
}

export function validateClusterRoleBinding(obj: ClusterRoleBindingObject, old?: ClusterRoleBindingObject): FieldError[] {
  const errs = [
    ...validateRbacObjectMeta(obj, { namespaced: false, old }),
    ...validateRoleRef(obj.roleRef, { kinds: ['ClusterRole'] }),
    ...validateSubjects(obj.subjects, { namespaced: false }),
  ];
  if (old) errs.push(...validateRoleRefUnchanged(obj.roleRef, old.roleRef));
  return errs;
}

export const clusterRoleBindingResource: ResourceDef<ClusterRoleBindingObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRoleBinding',
  plural: 'clusterrolebindings',
  singular: 'clusterrolebinding',
  namespaced: false,
  schemaName: 'io.k8s.api.rbac.v1.ClusterRoleBinding',
  defaults(obj) {
    defaultRoleRef(obj);
    defaultSubjects(obj.subjects);
  },
  validate: (obj) => validateClusterRoleBinding(obj),
  validateUpdate: (obj, old) => validateClusterRoleBinding(obj, old),
  printer: bindingPrinter({ kind: 'ClusterRoleBinding' }),
};
