// metav1.LabelSelector semantics with Kubernetes' messages: validation
// (apimachinery/pkg/apis/meta/v1/validation ValidateLabelSelector, ValidateLabelSelectorRequirement
// and ValidateLabels), with the options RBAC aggregation rules and access reviews need, and the
// conversion to requirements that LabelSelectorAsSelector performs, used for matching template
// labels and for the selector's string form (../apps/selector-string.ts).
// Deliberately absent: parsing selector strings (`?labelSelector=`; apiserver/selectors.ts owns that).

import type { FieldError } from '../errors.js';
import { fieldPath, forbiddenField, invalid, required } from '../errors.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorValidationOptions {
  /** Skip the operator check (access reviews accept operators from newer clients). */
  allowUnknownOperatorInRequirement?: boolean;
  /** Skip label-value checks of values (kept for objects stored before the check existed). */
  allowInvalidLabelValueInSelector?: boolean;
}

/** One requirement of a parsed selector; `=` comes from matchLabels. */
export interface SelectorRequirement {
  key: string;
  operator: '=' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/** A parsed selector: `nothing` for a nil selector, an empty list for one that selects everything. */
export type ParsedSelector = { kind: 'nothing' } | { kind: 'requirements'; requirements: SelectorRequirement[] } | { kind: 'error'; message: string };

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Label-value problems of one value; a non-string (only possible in unchecked input) is one too. */
function labelValueProblems(v: unknown): string[] {
  return typeof v === 'string' ? isValidLabelValue(v) : ['must be a string'];
}

/**
 * metav1 ValidateLabels, as used inside selectors, claim templates and EndpointSlice topology: key
 * and value problems are both reported at `path` itself (ObjectMeta labels report values at
 * path[key], see meta.ts).
 */
export function validateLabelMap(labels: Record<string, string> | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(invalid(path, k, m));
    for (const m of labelValueProblems(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

/** metav1 ValidateLabelSelectorRequirement; a null requirement is reported as an empty one. */
export function validateLabelSelectorRequirement(
  req: Partial<LabelSelectorRequirement> | null | undefined,
  path: string,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  const errs: FieldError[] = [];
  const values = req?.values ?? [];
  switch (req?.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(fieldPath(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbiddenField(fieldPath(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      if (!opts.allowUnknownOperatorInRequirement) errs.push(invalid(fieldPath(path, 'operator'), req?.operator ?? '', 'not a valid selector operator'));
  }
  const key = typeof req?.key === 'string' ? req.key : '';
  for (const m of isQualifiedName(key)) errs.push(invalid(fieldPath(path, 'key'), key, m));
  if (!opts.allowInvalidLabelValueInSelector) {
    values.forEach((v, i) => {
      for (const m of labelValueProblems(v)) errs.push(invalid(fieldPath(path, 'values', i), v, m));
    });
  }
  return errs;
}

/** metav1 ValidateLabelSelector; a nil selector is valid (no selector). Strict unless opts relax it. */
export function validateLabelSelector(
  selector: LabelSelector | null | undefined,
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
export function hasInvalidLabelValueInSelector(selector: LabelSelector | null | undefined): boolean {
  return (selector?.matchExpressions ?? []).some((req) => (req.values ?? []).some((v) => isValidLabelValue(v).length > 0));
}

/** Whether the selector has no requirements at all (it would select everything). */
export function isEmptySelector(selector: LabelSelector | null | undefined): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length + (selector?.matchExpressions?.length ?? 0) === 0;
}

/** LabelSelectorAsSelector: requirements sorted by key, or the first reason it is not a valid selector. */
export function parseLabelSelector(selector: LabelSelector | null | undefined): ParsedSelector {
  if (!selector) return { kind: 'nothing' };
  const reqs: SelectorRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    reqs.push({ key, operator: '=', values: [String(value)] });
  }
  for (const expr of selector.matchExpressions ?? []) {
    if (!OPERATORS.has(expr?.operator)) return { kind: 'error', message: `"${expr?.operator}" is not a valid label selector operator` };
    reqs.push({ key: expr.key, operator: expr.operator as SelectorRequirement['operator'], values: [...(expr.values ?? [])] });
  }
  for (const r of reqs) {
    const problem = requirementProblem(r);
    if (problem) return { kind: 'error', message: problem };
  }
  // Stable sort by key, as labels.Selector.Add orders its requirements.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { kind: 'requirements', requirements: reqs };
}

/** What labels.NewRequirement rejects. */
function requirementProblem(r: SelectorRequirement): string | undefined {
  if (typeof r.key !== 'string') return 'key: Invalid value: must be a string';
  const keyErrs = isQualifiedName(r.key);
  if (keyErrs.length) return `key: Invalid value: ${JSON.stringify(r.key)}: ${keyErrs[0]}`;
  if ((r.operator === 'In' || r.operator === 'NotIn') && r.values.length === 0) {
    return "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty";
  }
  if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && r.values.length !== 0) {
    return 'values: Invalid value: values set must be empty for exists and does not exist';
  }
  for (const v of r.values) {
    const errs = labelValueProblems(v);
    if (errs.length) return `values: Invalid value: ${JSON.stringify(v)}: ${errs[0]}`;
  }
  return undefined;
}

function requirementMatches(r: SelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.operator) {
    case '=':
    case 'In':
      return has && r.values.includes(labels[r.key]);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** Whether a parsed selector matches a label set (a nil selector matches nothing). */
export function selectorMatches(parsed: ParsedSelector, labels: Record<string, string> | undefined): boolean {
  if (parsed.kind !== 'requirements') return false;
  return parsed.requirements.every((r) => requirementMatches(r, labels ?? {}));
}
