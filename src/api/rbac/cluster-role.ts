// rbac.authorization.k8s.io/v1 ClusterRole: a cluster-wide set of PolicyRules, optionally built by
// aggregation (aggregationRule.clusterRoleSelectors). Validation as pkg/apis/rbac/validation:
// path-segment names, rules (non-resource URLs allowed here), aggregation selectors; an update may
// keep selector values that were invalid before (Kubernetes' ratcheting of label values).
// The table is kube-apiserver's default one (NAME, CREATED AT).
// Deliberately absent: the aggregation controller that fills rules, and escalation checks.

import type { AggregationRule, PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.js';
import { fieldPath, required } from '../errors.js';
import type { KObject, ResourceDef } from '../resource.js';
import { createdAtPrinter } from '../printers/created-at-printer.js';
import { hasInvalidLabelValueInSelector, validateLabelSelector } from '../validation/label-selector.js';
import { validatePolicyRules } from './policy-rule.js';
import { validateRbacObjectMeta } from './rbac-object-meta.js';

export interface ClusterRoleObject extends KObject {
  rules?: PolicyRule[];
  aggregationRule?: AggregationRule | null;
}

const SELECTORS = 'aggregationRule.clusterRoleSelectors';

function validateAggregationRule(rule: AggregationRule | null | undefined, allowInvalidLabelValue: boolean): FieldError[] {
  if (!rule) return [];
  const selectors = rule.clusterRoleSelectors ?? [];
  const errs: FieldError[] = [];
  if (selectors.length === 0) errs.push(required(SELECTORS, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  selectors.forEach((sel, i) => {
    errs.push(...validateLabelSelector(sel, fieldPath(SELECTORS, i), { allowInvalidLabelValueInSelector: allowInvalidLabelValue }));
  });
  return errs;
}

export function validateClusterRole(obj: ClusterRoleObject, old?: ClusterRoleObject): FieldError[] {
  const allowInvalid = (old?.aggregationRule?.clusterRoleSelectors ?? []).some((s) => hasInvalidLabelValueInSelector(s));
  return [
    ...validateRbacObjectMeta(obj, { namespaced: false, old }),
    ...validatePolicyRules(obj.rules, { namespaced: false }),
    ...validateAggregationRule(obj.aggregationRule, allowInvalid),
  ];
}

export const clusterRoleResource: ResourceDef<ClusterRoleObject> = {
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind: 'ClusterRole',
  plural: 'clusterroles',
  singular: 'clusterrole',
  namespaced: false,
  schemaName: 'io.k8s.api.rbac.v1.ClusterRole',
  validate: (obj) => validateClusterRole(obj),
  validateUpdate: (obj, old) => validateClusterRole(obj, old),
  printer: createdAtPrinter,
};
