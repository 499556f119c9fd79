import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { eventsV1EventResource } from './event.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:00:00Z');

function event(extra: Partial<KObject> = {}): KObject {
  return Object.freeze({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'web-0.1', namespace: 'default' },
    eventTime: '2024-05-01T11:59:00.000000Z',
    regarding: { kind: 'Pod', namespace: 'default', name: 'web-0' },
    reason: 'Scheduled',
    note: 'Successfully assigned default/web-0 to node1',
    action: 'Binding',
    type: 'Normal',
    reportingController: 'berth-scheduler',
    reportingInstance: 'berth-scheduler-1',
    ...extra,
  });
}

test('eventsV1EventResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual(
    [eventsV1EventResource.group, eventsV1EventResource.version, eventsV1EventResource.plural, eventsV1EventResource.shortNames, eventsV1EventResource.schemaName],
    ['events.k8s.io', 'v1', 'events', ['ev'], 'io.k8s.api.events.v1.Event'],
  );
});

test('eventsV1EventResource.validate() accepts a complete event', () => {
  assert.deepEqual(texts(eventsV1EventResource.validate!(event())), []);
});

test('eventsV1EventResource.validate() applies the strict rules', () => {
  const ev = event({ eventTime: undefined, type: 'Info', deprecatedCount: 2, deprecatedSource: { component: 'x' }, series: { count: 1 } });
  assert.deepEqual(texts(eventsV1EventResource.validate!(ev)), [
    'series.count: Invalid value: "": should be at least 2',
    'series.lastObservedTime: Required value',
    'eventTime: Required value',
    'type: Invalid value: "": has invalid value: Info',
    'count: Invalid value: "": needs to be unset',
    'source: Invalid value: "": needs to be unset',
  ]);
  const named = event({ metadata: { name: 'Bad_Name', namespace: 'default' } });
  assert.match(texts(eventsV1EventResource.validate!(named))[0], /^metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
});

test('eventsV1EventResource.validateUpdate() keeps most fields immutable', () => {
  const old = event();
  const next = event({ note: 'changed', reportingController: 'other' });
  assert.deepEqual(texts(eventsV1EventResource.validateUpdate!(next, old)), [
    'message: Invalid value: "changed": field is immutable',
    'reportingController: Invalid value: "other": field is immutable',
  ]);
  const series = event({ series: { count: 2, lastObservedTime: '2024-05-01T12:00:00.000000Z' } });
  assert.deepEqual(texts(eventsV1EventResource.validateUpdate!(series, old)), []);
});

test('eventsV1EventResource prints like core events', () => {
  const row = eventsV1EventResource.printer.row(event(), { now: NOW });
  assert.deepEqual(row, ['60s', 'Normal', 'Scheduled', 'pod/web-0', '', 'berth-scheduler, berth-scheduler-1', 'Successfully assigned default/web-0 to node1', '60s', 1, 'web-0.1']);
});

test('eventsV1EventResource.fieldSelectors use the events.k8s.io names', () => {
  const f = eventsV1EventResource.fieldSelectors!;
  assert.deepEqual(Object.keys(f).sort(), [
    'reason',
    'regarding.apiVersion',
    'regarding.fieldPath',
    'regarding.kind',
    'regarding.name',
    'regarding.namespace',
    'regarding.resourceVersion',
    'regarding.uid',
    'reportingController',
    'type',
  ]);
  assert.equal(f['regarding.name'](event()), 'web-0');
  assert.equal(f.reportingController(event()), 'berth-scheduler');
});
