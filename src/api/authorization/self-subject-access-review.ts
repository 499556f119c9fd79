// authorization.k8s.io/v1 SelfSubjectAccessReview: "can I do this?" (kubectl auth can-i). A virtual,
// create-only, cluster-scoped resource: nothing is stored, the answer comes back in status.
// Validation as pkg/apis/authorization/validation (exactly one of resourceAttributes and
// nonResourceAttributes; field/label selector attributes; metadata must be empty) and
// reviewSelfSubjectAccess, which answers a review. berth has no authorizer yet, so every review is
// allowed; the reason says so.
// Deliberately absent: authorization decisions, SubjectAccessReview/LocalSubjectAccessReview, and
// SelfSubjectRulesReview.

import type { FieldError } from '../errors.js';
import { fieldPath, forbiddenField, invalid, invalidObject, required } from '../errors.js';
import type { KObject, ResourceDef } from '../resource.js';
import { createdAtPrinter } from '../printers/created-at-printer.js';
import { validateLabelSelectorRequirement } from '../validation/label-selector.js';

export interface SelfSubjectAccessReviewObject extends KObject {
  spec?: {
    resourceAttributes?: Record<string, any> | null;
    nonResourceAttributes?: Record<string, any> | null;
  };
  status?: { allowed: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

export const ALLOW_ALL_REASON = 'berth does not enforce authorization: every request is allowed';

const present = (v: unknown): boolean => v !== undefined && v !== null;

/** Go's zero-value test as apiequality.Semantic sees it: null, "", 0, false, empty list or map. */
function isEmptyValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '' || v === 0 || v === false) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.values(v as object).every(isEmptyValue);
  return false;
}

function validateSelectorAttributes(selector: any, path: string, opts: { kind: 'field' | 'label' }): FieldError[] {
  if (!present(selector)) return [];
  const errs: FieldError[] = [];
  const raw: string = selector.rawSelector ?? '';
  const reqs: any[] = selector.requirements ?? [];
  if (raw && reqs.length) errs.push(invalid(fieldPath(path, 'rawSelector'), raw, 'may not specified at the same time as requirements'));
  if (!raw && !reqs.length) {
    errs.push(required(fieldPath(path, 'requirements'), `when ${path} is specified, requirements or rawSelector is required`));
  }
  reqs.forEach((req, i) => {
    const p = fieldPath(path, 'requirements', i);
    if (opts.kind === 'label') {
      errs.push(...validateLabelSelectorRequirement(req ?? {}, p, { allowUnknownOperatorInRequirement: true }));
      return;
    }
    // ValidateFieldSelectorRequirement with unknown operators allowed: only the values rule remains.
    const values: unknown[] = req?.values ?? [];
    if ((req?.operator === 'In' || req?.operator === 'NotIn') && values.length === 0) {
      errs.push(required(fieldPath(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if ((req?.operator === 'Exists' || req?.operator === 'DoesNotExist') && values.length > 0) {
      errs.push(forbiddenField(fieldPath(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
  });
  return errs;
}

export function validateSelfSubjectAccessReview(review: SelfSubjectAccessReviewObject): FieldError[] {
  const spec = review.spec ?? {};
  const errs: FieldError[] = [];
  const hasResource = present(spec.resourceAttributes);
  const hasNonResource = present(spec.nonResourceAttributes);
  if (hasResource && hasNonResource) {
    errs.push(invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  }
  if (!hasResource && !hasNonResource) {
    // Kubernetes reports the (nil) nonResourceAttributes as the bad value, which Go prints as "null".
    errs.push(invalid('spec.resourceAttributes', 'null', 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if (hasResource) {
    const attrs = spec.resourceAttributes as Record<string, any>;
    errs.push(...validateSelectorAttributes(attrs.fieldSelector, 'spec.resourceAttributes.fieldSelector', { kind: 'field' }));
    errs.push(...validateSelectorAttributes(attrs.labelSelector, 'spec.resourceAttributes.labelSelector', { kind: 'label' }));
  }
  const { managedFields: _ignored, ...meta } = review.metadata ?? {};
  if (!isEmptyValue(meta)) errs.push(invalid('metadata', review.metadata, 'must be empty'));
  return errs;
}

export interface ReviewOptions {
  /** status.reason to report (default ALLOW_ALL_REASON). */
  reason?: string;
}

/**
 * Answers a SelfSubjectAccessReview: validates it (throws a 422 Invalid ApiError, named "", as
 * Kubernetes does) and returns a copy with status filled in. Pure: the input is not modified.
 */
export function reviewSelfSubjectAccess(
  review: SelfSubjectAccessReviewObject,
  opts: ReviewOptions = {},
): SelfSubjectAccessReviewObject {
  const errs = validateSelfSubjectAccessReview(review);
  if (errs.length) throw invalidObject('SelfSubjectAccessReview', 'authorization.k8s.io', '', errs);
  const reason = opts.reason ?? ALLOW_ALL_REASON;
  return {
    ...structuredClone(review),
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    status: reason ? { allowed: true, reason } : { allowed: true },
  };
}

export const selfSubjectAccessReviewResource: ResourceDef<SelfSubjectAccessReviewObject> = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  namespaced: false,
  verbs: ['create'],
  schemaName: 'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
  validate: validateSelfSubjectAccessReview,
  printer: createdAtPrinter,
};
