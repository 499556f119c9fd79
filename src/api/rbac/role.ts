// rbac.authorization.k8s.io/v1 Role: a namespaced set of PolicyRules. Validation as
// pkg/apis/rbac/validation (path-segment names, rules); the table is kube-apiserver's default one
// (NAME, CREATED AT), because Kubernetes registers no printer for roles.
// Deliberately absent: escalation checks on create/update (berth has no authorizer yet), and
// metadata.generation (the role strategy never sets it; the generic registry decides).

import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.js';
import type { KObject, ResourceDef } from '../resource.js';
import { createdAtPrinter } from '../printers/created-at-printer.js';
import { validatePolicyRules } from './policy-rule.js';
import { validateRbacObjectMeta } from './rbac-object-meta.js';

export interface RoleObject extends KObject {
  rules?: PolicyRule[];
}

export function validateRole(obj: RoleObject, old?: RoleObject): FieldError[] {
  return [
    ...validateRbacObjectMeta(obj, { namespaced: true, old }),
    ...validatePolicyRules(obj.rules, { namespaced: true }),
  ];
}

export const roleResource: ResourceDef<RoleObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  namespaced: true,
  schemaName: 'io.k8s.api.rbac.v1.Role',
  validate: (obj) => validateRole(obj),
  validateUpdate: (obj, old) => validateRole(obj, old),
  printer: createdAtPrinter,
};
