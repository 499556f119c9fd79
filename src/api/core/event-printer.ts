// The events table as kube-apiserver prints core Events (printEvent), used for core/v1 and, through
// event-conversion.ts, for events.k8s.io/v1: LAST SEEN (series, lastTimestamp, firstTimestamp or
// eventTime), TYPE, REASON, OBJECT (`kind/name`, lower-case kind), MESSAGE; wide SUBOBJECT, SOURCE
// (`component, host`, falling back to reportingComponent/Instance), FIRST SEEN, COUNT, NAME.
// Deliberately absent: sorting; the apiserver prints rows in list order.

import type { KObject, Printer, TableCell, TableColumn } from '../resource.js';
import { NAME_COLUMN, column, since } from '../printers/age.js';

export const EVENT_COLUMNS: TableColumn[] = [
  column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  column('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  column('Object', 'string', 'The object that this event is about.'),
  column(
    'Subobject',
    'string',
    'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: "spec.containers{name}" (where "name" refers to the name of the container that triggered the event) or if no container name is specified "spec.containers[2]" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.',
    1,
  ),
  column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
  column('Message', 'string', 'A human-readable description of the status of this operation.'),
  column('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
  column('Count', 'string', 'The number of times this event has occurred.', 1),
  { ...NAME_COLUMN, priority: 1 },
];

/** formatEventSource: component (or reportingComponent), then `, host` (or reportingInstance) when set. */
export function formatEventSource(ev: KObject): string {
  const component = ev.source?.component || ev.reportingComponent || '';
  const host = ev.source?.host || ev.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

/** One row of a core/v1-shaped Event, in column order. */
export function eventRow(ev: KObject, now: number): TableCell[] {
  const first = ev.firstTimestamp ? since(ev.firstTimestamp, now) : since(ev.eventTime ?? undefined, now);
  let last = ev.lastTimestamp ? since(ev.lastTimestamp, now) : first;
  let count: number = ev.count ?? 0;
  if (ev.series) {
    last = since(ev.series.lastObservedTime ?? undefined, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // Singleton events carry no count in the new API.
  }
  const kind = String(ev.involvedObject?.kind ?? '').toLowerCase();
  const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
  return [
    last,
    ev.type ?? '',
    ev.reason ?? '',
    target,
    ev.involvedObject?.fieldPath ?? '',
    formatEventSource(ev),
    String(ev.message ?? '').trim(),
    first,
    count,
    ev.metadata?.name ?? '',
  ];
}

export const eventPrinter: Printer = {
  columns: EVENT_COLUMNS,
  row: (ev, ctx) => eventRow(ev, ctx.now),
};
