import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { eventResource } from './event.js';
import { coreToEventsV1, eventsV1ToCore } from './event-conversion.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');

function event(extra: Partial<KObject> = {}): KObject {
  return Object.freeze({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web-0.17c0ffee', namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled',
    message: 'Successfully pulled image "nginx"\n',
    source: { component: 'kubelet', host: 'node1' },
    firstTimestamp: ago(600),
    lastTimestamp: ago(60),
    count: 3,
    type: 'Normal',
    ...extra,
  });
}

test('eventResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual([eventResource.group, eventResource.singular, eventResource.shortNames], ['', 'event', ['ev']]);
});

test('eventResource.printer has Kubernetes\' columns in order', () => {
  assert.deepEqual(
    eventResource.printer.columns.map((c) => [c.name, c.priority, c.format ?? '']),
    [
      ['Last Seen', 0, ''],
      ['Type', 0, ''],
      ['Reason', 0, ''],
      ['Object', 0, ''],
      ['Subobject', 1, ''],
      ['Source', 1, ''],
      ['Message', 0, ''],
      ['First Seen', 1, ''],
      ['Count', 1, ''],
      ['Name', 1, 'name'],
    ],
  );
});

test('eventResource.printer prints a legacy event', () => {
  assert.deepEqual(eventResource.printer.row(event(), { now: NOW }), [
    '60s',
    'Normal',
    'Pulled',
    'pod/web-0',
    'spec.containers{nginx}',
    'kubelet, node1',
    'Successfully pulled image "nginx"',
    '10m',
    3,
    'web-0.17c0ffee',
  ]);
});

test('eventResource.printer prints new-style events by eventTime, series and reporting fields', () => {
  const ev = event({
    firstTimestamp: undefined,
    lastTimestamp: undefined,
    count: undefined,
    source: undefined,
    eventTime: ago(300),
    reportingComponent: 'berth-scheduler',
    reportingInstance: 'node1',
    involvedObject: { kind: 'Node', name: '' },
  });
  const row = eventResource.printer.row(ev, { now: NOW });
  assert.deepEqual([row[0], row[3], row[5], row[7], row[8]], ['5m', 'node', 'berth-scheduler, node1', '5m', 1]);
  const series = event({ series: { count: 7, lastObservedTime: ago(2) } });
  const srow = eventResource.printer.row(series, { now: NOW });
  assert.deepEqual([srow[0], srow[8]], ['2s', 7]);
});

test('eventResource.validate() requires involvedObject and a matching namespace', () => {
  assert.deepEqual(texts(eventResource.validate!(event())), []);
  assert.deepEqual(texts(eventResource.validate!(event({ involvedObject: undefined }))), ['involvedObject: Required value']);
  assert.deepEqual(texts(eventResource.validate!(event({ involvedObject: { kind: 'Pod', namespace: 'other', name: 'x' } }))), [
    'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  ]);
});

test('eventResource.validate() checks new-style events (with eventTime)', () => {
  const ev = event({ eventTime: ago(1), reason: '', reportingComponent: '' });
  assert.deepEqual(texts(eventResource.validate!(ev)), [
    'reportingController: Required value',
    "reportingController: Invalid value: \"\": name part must be non-empty",
    'reportingInstance: Required value',
    'action: Required value',
    'reason: Required value',
  ]);
});

test('eventResource.fieldSelectors serve kubectl describe', () => {
  const f = eventResource.fieldSelectors!;
  const ev = event();
  assert.equal(f['involvedObject.name'](ev), 'web-0');
  assert.equal(f['involvedObject.namespace'](ev), 'default');
  assert.equal(f['involvedObject.uid'](ev), 'u1');
  assert.equal(f['involvedObject.kind'](ev), 'Pod');
  assert.equal(f['involvedObject.fieldPath'](ev), 'spec.containers{nginx}');
  assert.equal(f.source(ev), 'kubelet');
  assert.equal(f.source(event({ source: undefined, reportingComponent: 'ctrl' })), 'ctrl');
  assert.equal(f.type(ev), 'Normal');
  assert.equal(f.reason(ev), 'Pulled');
});

test('eventsV1ToCore() and coreToEventsV1() map fields both ways', () => {
  const v1 = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'p' }, note: 'hi', reportingController: 'c', deprecatedCount: 2 };
  const core = eventsV1ToCore(Object.freeze(v1));
  assert.deepEqual(core, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, message: 'hi', reportingComponent: 'c', count: 2 });
  assert.deepEqual(coreToEventsV1(core), v1);
});
