// What a Pod update may change (Kubernetes' ValidatePodUpdate): container and init container images,
// activeDeadlineSeconds (set, or lowered), added tolerations (tolerationSeconds may change), removed
// scheduling gates, and terminationGracePeriodSeconds from negative to 1. Anything else in spec is
// the famous "pod updates may not change fields other than ..." error.
// Deliberately absent: go-cmp's diff format; the message ends with a short list of changed fields.

import { isDeepStrictEqual } from 'node:util';
import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, required } from '../errors.js';
import { validateTolerations } from './pod-spec.js';

const MAX_INT32 = 2147483647;

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];
export const POD_UPDATE_FORBIDDEN = `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}`;

function validateContainerUpdates(next: any[] | undefined, path: string, opts: { old: any[] | undefined }): { errs: FieldError[]; stop: boolean } {
  const { old } = opts;
  if ((next ?? []).length !== (old ?? []).length) return { errs: [forbiddenField(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  (next ?? []).forEach((c, i) => {
    if (!c?.image) errs.push(required(`${path}[${i}].image`));
    if (typeof c?.image === 'string' && c.image.trim() !== c.image) {
      errs.push(invalid(`${path}[${i}].image`, c.image, 'must not have leading or trailing whitespace'));
    }
  });
  return { errs, stop: false };
}

/** Semantic equality treats nil and empty lists and maps alike; normalise JSON values that way. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? v.map(normalize) : undefined;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const n = normalize((v as Record<string, unknown>)[k]);
      if (n !== undefined && n !== null) out[k] = n;
    }
    return out;
  }
  return v;
}

function diffLines(a: unknown, b: unknown, at: { path: string; out: string[] }): void {
  const { path, out } = at;
  if (out.length >= 10 || isDeepStrictEqual(a, b)) return;
  const objA = a && typeof a === 'object';
  const objB = b && typeof b === 'object';
  if (objA && objB && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const k of keys) {
      const child = Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`;
      diffLines((a as any)[k], (b as any)[k], { path: child, out });
    }
    return;
  }
  out.push(`  ${path}: ${JSON.stringify(a) ?? '<unset>'} -> ${JSON.stringify(b) ?? '<unset>'}`);
}

function tolerationErrors(next: any[] | undefined, old: any[] | undefined): FieldError[] {
  for (const o of old ?? []) {
    const found = (next ?? []).some((n) => isDeepStrictEqual(normalize({ ...o, tolerationSeconds: n?.tolerationSeconds }), normalize(n)));
    if (!found) return [forbiddenField('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, 'spec.tolerations');
}

function schedulingGateErrors(next: any[] | undefined, old: any[] | undefined): FieldError[] {
  const had = new Set((old ?? []).map((g) => g?.name));
  const errs: FieldError[] = [];
  (next ?? []).forEach((g, i) => {
    if (!had.has(g?.name)) errs.push(forbiddenField(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${g?.name}'`));
  });
  return errs;
}

/** The spec part of ValidatePodUpdate (metadata and full spec validation are the caller's). */
export function validatePodSpecUpdate(spec: any, oldSpec: any): FieldError[] {
  const s = spec ?? {};
  const o = oldSpec ?? {};
  const errs: FieldError[] = [];
  for (const key of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(s[key], `spec.${key}`, { old: o[key] });
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = s.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null) {
    if (ads < 0 || ads > MAX_INT32) return [...errs, invalid('spec.activeDeadlineSeconds', ads, `must be between 0 and ${MAX_INT32}, inclusive`)];
    if (o.activeDeadlineSeconds !== undefined && o.activeDeadlineSeconds !== null && o.activeDeadlineSeconds < ads) {
      return [...errs, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
    }
  } else if (o.activeDeadlineSeconds !== undefined && o.activeDeadlineSeconds !== null) {
    errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...tolerationErrors(s.tolerations, o.tolerations));
  errs.push(...schedulingGateErrors(s.schedulingGates, o.schedulingGates));

  const a = normalize(o);
  if (isDeepStrictEqual(a, normalize(s))) return errs;
  // Carry over what may change, then anything still different is forbidden.
  const munged = structuredClone(s);
  munged.containers = (munged.containers ?? []).map((c: any, i: number) => ({ ...c, image: o.containers?.[i]?.image }));
  munged.initContainers = (munged.initContainers ?? []).map((c: any, i: number) => ({ ...c, image: o.initContainers?.[i]?.image }));
  munged.activeDeadlineSeconds = o.activeDeadlineSeconds;
  munged.schedulingGates = o.schedulingGates;
  munged.tolerations = o.tolerations;
  if (typeof o.terminationGracePeriodSeconds === 'number' && o.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = o.terminationGracePeriodSeconds;
  }
  const b = normalize(munged);
  if (!isDeepStrictEqual(a, b)) {
    const lines: string[] = [];
    diffLines(a, b, { path: 'spec', out: lines });
    errs.push(forbiddenField('spec', `${POD_UPDATE_FORBIDDEN}\n${lines.join('\n')}`));
  }
  return errs;
}
