// Validation of metav1.LabelSelector objects (matchLabels + matchExpressions) with Kubernetes' own
// messages (k8s.io/apimachinery/pkg/apis/meta/v1/validation: ValidateLabelSelector,
// ValidateLabelSelectorRequirement). Used by ClusterRole aggregation rules and access reviews.
// Deliberately absent: parsing selector strings (apiserver/selectors.ts does that) and matching.
// core/label-selector.ts has a strict-only validateLabelSelector written in parallel; this one adds
// the options RBAC and access reviews need. They should be merged into one.

import type { FieldError } from '../errors.js';
import { fieldPath, forbiddenField, invalid, required } from '../errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

export interface LabelSelectorRequirementLike {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface LabelSelectorLike {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementLike[];
}

export interface LabelSelectorValidationOptions {
  /** Skip the operator check (access reviews accept operators from newer clients). */
  allowUnknownOperatorInRequirement?: boolean;
  /** Skip label-value checks of values (kept for objects stored before the check existed). */
  allowInvalidLabelValueInSelector?: boolean;
}

/**
 * metav1 ValidateLabels, as used inside selectors and EndpointSlice topology: key and value problems
 * are both reported at `path` itself (ObjectMeta labels report values at path[key], see meta.ts).
 */
export function validateLabelMap(labels: Record<string, string> | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of typeof v === 'string' ? isValidLabelValue(v) : ['must be a string']) errs.push(invalid(path, v, m));
  }
  return errs;
}

export function validateLabelSelectorRequirement(
  req: LabelSelectorRequirementLike,
  path: string,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) {
        errs.push(required(fieldPath(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) {
        errs.push(forbiddenField(fieldPath(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
      break;
    default:
      if (!opts.allowUnknownOperatorInRequirement) {
        errs.push(invalid(fieldPath(path, 'operator'), req.operator ?? '', 'not a valid selector operator'));
      }
  }
  for (const m of isQualifiedName(req.key ?? '')) errs.push(invalid(fieldPath(path, 'key'), req.key ?? '', m));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(v)) errs.push(invalid(fieldPath(path, 'values', i), v, m));
    });
  }
  return errs;
}

/** Validates a selector object; undefined/null is valid (no selector). */
export function validateLabelSelector(
  selector: LabelSelectorLike | null | undefined,
  path: string,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  if (!selector) return [];
  const errs = validateLabelMap(selector.matchLabels, fieldPath(path, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((req, i) => {
    errs.push(...validateLabelSelectorRequirement(req, fieldPath(path, 'matchExpressions', i), opts));
  });
  return errs;
}

/** Whether any matchExpressions value is not a valid label value (ClusterRole update ratcheting). */
export function hasInvalidLabelValueInSelector(selector: LabelSelectorLike | null | undefined): boolean {
  return (selector?.matchExpressions ?? []).some((req) => (req.values ?? []).some((v) => isValidLabelValue(v).length > 0));
}
