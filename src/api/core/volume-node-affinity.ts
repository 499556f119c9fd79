// PersistentVolume.spec.nodeAffinity validation: the required node selector with its terms,
// label-key expressions and `metadata.name` field expressions, with Kubernetes' messages
// (pkg/apis/core/validation: validateVolumeNodeAffinity, ValidateNodeSelector and friends).
// Deliberately absent: pod affinity and preferred terms (the pod-spec validator owns those).

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, required } from '../errors.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../validation/names.js';

function validateExpression(req: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values: unknown[] = Array.isArray(req?.values) ? req.values : [];
  switch (req?.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbiddenField(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(`${path}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(`${path}.operator`, req?.operator ?? '', 'not a valid selector operator'));
  }
  const key = typeof req?.key === 'string' ? req.key : '';
  for (const m of isQualifiedName(key)) errs.push(invalid(`${path}.key`, key, m));
  values.forEach((v, i) => {
    for (const m of typeof v === 'string' ? isValidLabelValue(v) : ['must be a string']) errs.push(invalid(`${path}.values[${i}]`, v, m));
  });
  return errs;
}

function validateFieldExpression(req: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values: unknown[] = Array.isArray(req?.values) ? req.values : [];
  if (req?.operator === 'In' || req?.operator === 'NotIn') {
    if (values.length !== 1) {
      errs.push(required(`${path}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errs.push(invalid(`${path}.operator`, req?.operator ?? '', 'not a valid selector operator'));
  }
  if (req?.key !== 'metadata.name') {
    errs.push(invalid(`${path}.key`, req?.key ?? '', 'not a valid field selector key'));
  } else {
    values.forEach((v, i) => {
      for (const m of isDNS1123Subdomain(String(v))) errs.push(invalid(`${path}.values[${i}]`, v, m));
    });
  }
  return errs;
}

/** ValidateNodeSelector: at least one term; every expression well formed. */
export function validateNodeSelector(selector: any, path: string): FieldError[] {
  const termsPath = `${path}.nodeSelectorTerms`;
  const terms: any[] = Array.isArray(selector?.nodeSelectorTerms) ? selector.nodeSelectorTerms : [];
  if (terms.length === 0) return [required(termsPath, 'must have at least one node selector term')];
  const errs: FieldError[] = [];
  terms.forEach((term, i) => {
    const tp = `${termsPath}[${i}]`;
    (term?.matchExpressions ?? []).forEach((e: any, j: number) => errs.push(...validateExpression(e, `${tp}.matchExpressions[${j}]`)));
    (term?.matchFields ?? []).forEach((e: any, j: number) => errs.push(...validateFieldExpression(e, `${tp}.matchFields[${j}]`)));
  });
  return errs;
}

/** validateVolumeNodeAffinity: whether affinity is set, and what is wrong with it. */
export function validateVolumeNodeAffinity(affinity: any, path: string): { specified: boolean; errors: FieldError[] } {
  if (affinity === undefined || affinity === null) return { specified: false, errors: [] };
  if (!affinity.required) return { specified: true, errors: [required(`${path}.required`, 'must specify required node constraints')] };
  return { specified: true, errors: validateNodeSelector(affinity.required, `${path}.required`) };
}
