// Validation pieces shared by StatefulSet, Deployment and ReplicaSet, with Kubernetes' messages
// (pkg/apis/apps/validation): the selector (required, valid, non-empty, matching the template's
// labels), the pod template (ValidatePodTemplateSpec, restartPolicy Always, no activeDeadlineSeconds),
// int-or-percent fields, status counters, and the apps/v1 selector immutability.
// Deliberately absent: each kind's own fields and update rules (in the kind's file).

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, notSupported, required } from '../errors.js';
import type { KObject } from '../resource.js';
import { IS_NEGATIVE, validateSemanticImmutable } from '../core/field-validators.js';
import { defaultPodSpec, validatePodTemplateSpec } from '../core/pod-spec.js';
import { isEmptySelector, parseLabelSelector, selectorMatches, validateLabelSelector } from '../validation/label-selector.js';

export const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

export function nonnegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(path, value, IS_NEGATIVE)] : [];
}

export interface SelectorRules {
  /** Word in "empty selector is invalid for <noun>" (Kubernetes says "deployment" for ReplicaSets too). */
  noun: string;
  /** Detail when LabelSelectorAsSelector fails: "" for StatefulSets, "invalid label selector" otherwise. */
  unparseable: string;
}

/** spec.selector: required, valid, non-empty, and matching spec.template.metadata.labels. */
export function validateSelectorAndTemplateLabels(spec: any, rules: SelectorRules): FieldError[] {
  const errs: FieldError[] = [];
  const selector = spec?.selector;
  if (selector == null) errs.push(required('spec.selector'));
  else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (isEmptySelector(selector)) errs.push(invalid('spec.selector', selector, `empty selector is invalid for ${rules.noun}`));
  }
  const parsed = parseLabelSelector(selector);
  if (parsed.kind === 'error') errs.push(invalid('spec.selector', selector, rules.unparseable));
  else if (parsed.kind === 'nothing' || parsed.requirements.length > 0) {
    // A missing selector matches nothing (labels.Nothing is not "empty"), so it also mismatches.
    const labels = spec?.template?.metadata?.labels;
    if (!selectorMatches(parsed, labels)) errs.push(invalid('spec.template.metadata.labels', labels ?? {}, SELECTOR_MISMATCH));
  }
  return errs;
}

/** ValidatePodTemplateSpec plus the workload rules: restartPolicy Always, no activeDeadlineSeconds. */
export function validateWorkloadPodTemplate(template: any, kind: string): FieldError[] {
  const errs = validatePodTemplateSpec(template, 'spec.template');
  const restartPolicy = template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errs.push(notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (template?.spec?.activeDeadlineSeconds != null) {
    errs.push(forbiddenField('spec.template.spec.activeDeadlineSeconds', `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

/** The pod template defaults every workload gets (SetDefaults_PodSpec and its children). */
export function defaultPodTemplate(spec: Record<string, any>): void {
  spec.template ??= {};
  spec.template.spec ??= {};
  defaultPodSpec(spec.template.spec);
}

const PERCENT_ERROR = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** ValidatePositiveIntOrPercent. */
export function validateIntOrPercent(value: unknown, path: string): FieldError[] {
  if (typeof value === 'string') return /^[0-9]+%$/.test(value) ? [] : [invalid(path, value, PERCENT_ERROR)];
  if (typeof value === 'number') return nonnegative(value, path);
  return [invalid(path, value ?? null, "must be an integer or percentage (e.g '5%%')")];
}

/** getIntOrPercentValue: the number of a percentage or an int; anything else counts as 0. */
export function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[0-9]+%$/.test(value)) return Number(value.slice(0, -1));
  if (typeof value === 'string' && /^-?[0-9]+$/.test(value)) return Number(value);
  return 0;
}

/** IsNotMoreThan100Percent. */
export function notMoreThan100Percent(value: unknown, path: string): FieldError[] {
  if (typeof value !== 'string' || !/^[0-9]+%$/.test(value)) return [];
  return Number(value.slice(0, -1)) > 100 ? [invalid(path, value, 'must not be greater than 100%')] : [];
}

export interface CounterRules {
  /** Counters that may not exceed status.replicas. */
  counters: string[];
  /** How the message names readyReplicas: "status.readyReplicas" (StatefulSet) or "readyReplicas". */
  readyWord: string;
}

/** Non-negative status counters, none above status.replicas, available ≤ ready. */
export function validateReplicaCounters(status: any, rules: CounterRules): FieldError[] {
  const { counters, readyWord } = rules;
  const s = status ?? {};
  const errs: FieldError[] = [];
  for (const c of ['replicas', ...counters, 'observedGeneration', 'collisionCount']) errs.push(...nonnegative(s[c], `status.${c}`));
  const replicas = s.replicas ?? 0;
  for (const c of counters) {
    if ((s[c] ?? 0) > replicas) errs.push(invalid(`status.${c}`, s[c], 'cannot be greater than status.replicas'));
  }
  if (counters.includes('availableReplicas') && (s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(invalid('status.availableReplicas', s.availableReplicas, `cannot be greater than ${readyWord}`));
  }
  return errs;
}

/** collisionCount may never go down. */
export function validateCollisionCount(obj: KObject, old: KObject): FieldError[] {
  const next = obj.status?.collisionCount;
  const prev = old.status?.collisionCount;
  const decremented = (next == null && prev != null) || (next != null && prev != null && next < prev);
  return decremented ? [invalid('status.collisionCount', next ?? 0, 'cannot be decremented')] : [];
}

/** apps/v1 makes spec.selector immutable (ValidateImmutableField). */
export function validateSelectorImmutable(obj: KObject, old: KObject): FieldError[] {
  return validateSemanticImmutable('spec.selector', { next: obj.spec?.selector, old: old.spec?.selector });
}
