// PolicyRule validation (ValidatePolicyRule in pkg/apis/rbac/validation): verbs are required; a rule
// is either a resource rule (apiGroups + resources) or a non-resource rule (nonResourceURLs), and
// non-resource rules are only allowed in ClusterRoles.
// Deliberately absent: checking that verbs, groups or resources exist (Kubernetes does not either)
// and privilege-escalation checks (berth has no authorization yet).

import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.js';
import { fieldPath, invalid, required } from '../errors.js';

export interface PolicyRuleOptions {
  /** Rules of a namespaced Role may not name non-resource URLs. */
  namespaced: boolean;
}

const nonEmpty = (v: unknown[] | undefined): boolean => Array.isArray(v) && v.length > 0;

export function validatePolicyRule(rule: PolicyRule, path: string, opts: PolicyRuleOptions): FieldError[] {
  const errs: FieldError[] = [];
  const r: PolicyRule = rule ?? ({} as PolicyRule);
  if (!nonEmpty(r.verbs)) errs.push(required(fieldPath(path, 'verbs'), 'verbs must contain at least one value'));

  if (nonEmpty(r.nonResourceURLs)) {
    const urls = fieldPath(path, 'nonResourceURLs');
    if (opts.namespaced) errs.push(invalid(urls, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
    if (nonEmpty(r.apiGroups) || nonEmpty(r.resources) || nonEmpty(r.resourceNames)) {
      errs.push(invalid(urls, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (!nonEmpty(r.apiGroups)) errs.push(required(fieldPath(path, 'apiGroups'), 'resource rules must supply at least one api group'));
  if (!nonEmpty(r.resources)) errs.push(required(fieldPath(path, 'resources'), 'resource rules must supply at least one resource'));
  return errs;
}

/** Validates every rule of rules[] under `rules[i]`. */
export function validatePolicyRules(rules: PolicyRule[] | undefined, opts: PolicyRuleOptions): FieldError[] {
  return (rules ?? []).flatMap((rule, i) => validatePolicyRule(rule, fieldPath('rules', i), opts));
}
