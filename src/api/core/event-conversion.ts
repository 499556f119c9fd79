// Conversion between events.k8s.io/v1 Events and core/v1 Events, field for field as Kubernetes'
// pkg/apis/events/v1 conversion does (regarding ↔ involvedObject, note ↔ message, deprecated* ↔ the
// legacy fields, reportingController ↔ reportingComponent). Kubernetes stores both as one resource;
// berth's events.k8s.io printer and validation work on the core shape through this.
// Deliberately absent: field-selector label conversion (events.k8s.io/v1 declares its own selectors).

import type { KObject } from '../resource.js';

function copy(out: KObject, key: string, value: unknown): void {
  if (value !== undefined) out[key] = value;
}

/** events.k8s.io/v1 Event → core/v1 Event. */
export function eventsV1ToCore(ev: KObject): KObject {
  const out: KObject = { apiVersion: 'v1', kind: 'Event', metadata: ev.metadata };
  copy(out, 'involvedObject', ev.regarding);
  copy(out, 'related', ev.related);
  copy(out, 'reason', ev.reason);
  copy(out, 'message', ev.note);
  copy(out, 'type', ev.type);
  copy(out, 'action', ev.action);
  copy(out, 'eventTime', ev.eventTime);
  copy(out, 'series', ev.series);
  copy(out, 'reportingComponent', ev.reportingController);
  copy(out, 'reportingInstance', ev.reportingInstance);
  copy(out, 'source', ev.deprecatedSource);
  copy(out, 'firstTimestamp', ev.deprecatedFirstTimestamp);
  copy(out, 'lastTimestamp', ev.deprecatedLastTimestamp);
  copy(out, 'count', ev.deprecatedCount);
  return out;
}

/** core/v1 Event → events.k8s.io/v1 Event. */
export function coreToEventsV1(ev: KObject): KObject {
  const out: KObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: ev.metadata };
  copy(out, 'regarding', ev.involvedObject);
  copy(out, 'related', ev.related);
  copy(out, 'reason', ev.reason);
  copy(out, 'note', ev.message);
  copy(out, 'type', ev.type);
  copy(out, 'action', ev.action);
  copy(out, 'eventTime', ev.eventTime);
  copy(out, 'series', ev.series);
  copy(out, 'reportingController', ev.reportingComponent);
  copy(out, 'reportingInstance', ev.reportingInstance);
  copy(out, 'deprecatedSource', ev.source);
  copy(out, 'deprecatedFirstTimestamp', ev.firstTimestamp);
  copy(out, 'deprecatedLastTimestamp', ev.lastTimestamp);
  copy(out, 'deprecatedCount', ev.count);
  return out;
}
