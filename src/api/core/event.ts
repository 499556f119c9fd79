// core/v1 Event: discovery facts, the legacy validation Kubernetes applies to core/v1 writes (plus a
// required involvedObject), the field selectors `kubectl describe` and `kubectl get events` use
// (involvedObject.*, reason, reportingComponent, source, type) and the events table.
// Deliberately absent: sharing storage with events.k8s.io/v1 (see src/api/events/event.ts) and TTL.

import type { FieldError } from '../errors.js';
import { required } from '../errors.js';
import type { KObject, ResourceDef } from '../resource.js';
import type { NameValidator } from '../validation/names.js';
import { eventPrinter } from './event-printer.js';
import { eventReferenceSelectors } from './event-reference-selectors.js';
import { validateLegacyEvent } from './event-validation.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate } from './field-validators.js';

// Core event names are only checked as path segments (Kubernetes' generic object-meta validation);
// validateObjectMeta always applies that check, so the name validator itself accepts anything.
const anyName: NameValidator = () => [];
const META = { namespaced: true, nameValidator: anyName };

function validateEventBody(ev: KObject): FieldError[] {
  const errs = ev.involvedObject && typeof ev.involvedObject === 'object' ? [] : [required('involvedObject')];
  return [...errs, ...validateLegacyEvent(ev)];
}

export const eventResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  schemaName: 'io.k8s.api.core.v1.Event',

  validate: (ev) => [...validateCoreObjectMeta(ev, META), ...validateEventBody(ev)],
  validateUpdate: (ev, old) => [...validateCoreObjectMetaUpdate(ev, old, META), ...validateEventBody(ev)],

  fieldSelectors: {
    ...eventReferenceSelectors('involvedObject'),
    reason: (e) => e.reason ?? '',
    reportingComponent: (e) => e.reportingComponent ?? '',
    source: (e) => e.source?.component || e.reportingComponent || '',
    type: (e) => e.type ?? '',
  },

  printer: eventPrinter,
};
