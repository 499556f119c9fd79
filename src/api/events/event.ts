// events.k8s.io/v1 Event: discovery facts, Kubernetes' strict validation of writes through this API
// group (DNS-1123 subdomain names, eventTime, Normal/Warning type, the deprecated* fields unset, most
// fields immutable), its field selectors (regarding.*, reason, reportingController, type) and the same
// table as core/v1 events. Validation and printing run on the core/v1 shape (event-conversion.ts),
// so messages name Kubernetes' internal fields exactly as Kubernetes does.
// Deliberately absent: serving both groups from one storage, as Kubernetes does; the apiserver decides.

import type { ResourceDef } from '../resource.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { eventsV1ToCore } from '../core/event-conversion.js';
import { EVENT_COLUMNS, eventRow } from '../core/event-printer.js';
import { eventReferenceSelectors } from '../core/event-reference-selectors.js';
import { validateStrictEventCreate, validateStrictEventUpdate } from '../core/event-validation.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate } from '../core/field-validators.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };

export const eventsV1EventResource: ResourceDef = {
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  schemaName: 'io.k8s.api.events.v1.Event',

  validate: (ev) => [...validateCoreObjectMeta(ev, META), ...validateStrictEventCreate(eventsV1ToCore(ev))],
  validateUpdate: (ev, old) => [
    ...validateCoreObjectMetaUpdate(ev, old, META),
    ...validateStrictEventUpdate(eventsV1ToCore(ev), eventsV1ToCore(old)),
  ],

  fieldSelectors: {
    reason: (e) => e.reason ?? '',
    ...eventReferenceSelectors('regarding'),
    reportingController: (e) => e.reportingController ?? '',
    type: (e) => e.type ?? '',
  },

  printer: {
    columns: EVENT_COLUMNS,
    row: (ev, ctx) => eventRow(eventsV1ToCore(ev), ctx.now),
  },
};
