// Event validation (pkg/apis/core/validation/events.go) on the core/v1 shape: the legacy checks every
// event passes (namespace agreement with involvedObject; for new-style events with eventTime, the
// reporting fields, action and reason with their length limits), and the strict checks that apply to
// writes through events.k8s.io/v1 (series, eventTime, type, deprecated fields unset, immutability).
// Errors use Kubernetes' internal field names (involvedObject, message, reportingController, ...)
// for both API groups, as Kubernetes does.
// Deliberately absent: metadata validation (each resource adds its own).

import type { FieldError } from '../errors.js';
import { invalid, required } from '../errors.js';
import type { KObject } from '../resource.js';
import { isQualifiedName } from '../validation/names.js';
import { validateImmutable } from './field-validators.js';

const atMost = (n: number) => `can have at most ${n} characters`;
const bytes = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s) : 0);
const isSet = (v: unknown) => v !== undefined && v !== null && v !== '';

/** legacyValidateEvent, on a core/v1-shaped event. */
export function validateLegacyEvent(ev: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const ioNs = ev.involvedObject?.namespace ?? '';
  if (!isSet(ev.eventTime)) {
    if (!ioNs ? ns !== '' && ns !== 'default' : ns !== ioNs) errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
    return errs;
  }
  if (!ioNs && ns !== 'default' && ns !== 'kube-system') errs.push(invalid('involvedObject.namespace', ioNs, 'does not match event.namespace'));
  const rc = ev.reportingComponent ?? '';
  if (!rc) errs.push(required('reportingController'));
  errs.push(...isQualifiedName(rc).map((m) => invalid('reportingController', rc, m)));
  if (!ev.reportingInstance) errs.push(required('reportingInstance'));
  if (bytes(ev.reportingInstance) > 128) errs.push(invalid('reportingInstance', '', atMost(128)));
  if (!ev.action) errs.push(required('action'));
  if (bytes(ev.action) > 128) errs.push(invalid('action', '', atMost(128)));
  if (!ev.reason) errs.push(required('reason'));
  if (bytes(ev.reason) > 128) errs.push(invalid('reason', '', atMost(128)));
  if (bytes(ev.message) > 1024) errs.push(invalid('message', '', atMost(1024)));
  return errs;
}

function validateSeries(ev: KObject): FieldError[] {
  if (!ev.series) return [];
  const errs: FieldError[] = [];
  if ((ev.series.count ?? 0) < 2) errs.push(invalid('series.count', '', 'should be at least 2'));
  if (!isSet(ev.series.lastObservedTime)) errs.push(required('series.lastObservedTime'));
  return errs;
}

/** ValidateEventCreate for events.k8s.io/v1 writes (metadata excluded). */
export function validateStrictEventCreate(ev: KObject): FieldError[] {
  const errs = [...validateLegacyEvent(ev), ...validateSeries(ev)];
  if (!isSet(ev.eventTime)) errs.push(required('eventTime'));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${ev.type ?? ''}`));
  if (isSet(ev.firstTimestamp)) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (isSet(ev.lastTimestamp)) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if ((ev.count ?? 0) !== 0) errs.push(invalid('count', '', 'needs to be unset'));
  if (ev.source?.component || ev.source?.host) errs.push(invalid('source', '', 'needs to be unset'));
  return errs;
}

const IMMUTABLE: [string, string][] = [
  ['involvedObject', 'involvedObject'],
  ['reason', 'reason'],
  ['message', 'message'],
  ['source', 'source'],
  ['firstTimestamp', 'firstTimestamp'],
  ['lastTimestamp', 'lastTimestamp'],
  ['count', 'count'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
];

/** ValidateEventUpdate for events.k8s.io/v1 writes (metadata excluded). */
export function validateStrictEventUpdate(ev: KObject, old: KObject): FieldError[] {
  const errs = validateLegacyEvent(ev);
  if (JSON.stringify(ev.series ?? null) !== JSON.stringify(old.series ?? null)) errs.push(...validateSeries(ev));
  for (const [key, path] of IMMUTABLE) errs.push(...validateImmutable(path, { next: ev[key], old: old[key] }));
  return errs;
}
