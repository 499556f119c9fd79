// Conversion between events.k8s.io/v1 Events and core/v1 Events, field for field as Kubernetes'
// pkg/apis/events/v1 conversion does (regarding ↔ involvedObject, note ↔ message, deprecated* ↔ the
// legacy fields, reportingController ↔ reportingComponent). Kubernetes stores both as one resource;
// berth's events.k8s.io printer and validation work on the core shape through this.
// Deliberately absent: field-selector label conversion (events.k8s.io/v1 declares its own selectors).

import type { KObject } from '../resource.js';

/** events.k8s.io/v1 field → core/v1 field. */
const FIELDS: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['related', 'related'],
  ['reason', 'reason'],
  ['note', 'message'],
  ['type', 'type'],
  ['action', 'action'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

/** events.k8s.io/v1 Event → core/v1 Event. */
export function eventsV1ToCore(ev: KObject): KObject {
  const out: KObject = { apiVersion: 'v1', kind: 'Event', metadata: ev.metadata };
  for (const [from, to] of FIELDS) if (ev[from] !== undefined) out[to] = ev[from];
  return out;
}

/** core/v1 Event → events.k8s.io/v1 Event. */
export function coreToEventsV1(ev: KObject): KObject {
  const out: KObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: ev.metadata };
  for (const [to, from] of FIELDS) if (ev[from] !== undefined) out[to] = ev[from];
  return out;
}
