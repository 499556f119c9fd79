import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { controllerRevisionResource as cr } from './controller-revision.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:00:42Z');

function revision(fields: Record<string, unknown> = {}): KObject {
  return {
    metadata: {
      name: 'web-7c6f9d4b8f',
      namespace: 'default',
      creationTimestamp: '2024-05-01T12:00:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }],
    },
    data: { spec: { template: {} } },
    revision: 1,
    ...fields,
  };
}

test('controllerRevisionResource has the discovery facts of a v1.32 server', () => {
  assert.equal(cr.namespaced, true);
  assert.equal(cr.shortNames, undefined);
  assert.equal(cr.categories, undefined);
  assert.ok(!cr.hasStatus);
});

test('validate() requires data and a non-negative revision', () => {
  assert.deepEqual(msgs(cr.validate!(revision())), []);
  assert.deepEqual(msgs(cr.validate!(revision({ data: undefined, revision: -1 }))), [
    'data: Required value: data is mandatory',
    'revision: Invalid value: -1: must be greater than or equal to 0',
  ]);
});

test('validateUpdate() makes data immutable but lets the revision number change', () => {
  const old = revision();
  assert.deepEqual(msgs(cr.validateUpdate!(revision({ data: { spec: { x: 1 } } }), old)), ['data: Invalid value: {"spec":{"x":1}}: field is immutable']);
  assert.deepEqual(msgs(cr.validateUpdate!(revision({ revision: 3 }), old)), []);
});

test('printer row() prints the controller as kind.group/name', () => {
  assert.deepEqual(cr.printer.columns.map((c) => c.name), ['Name', 'Controller', 'Revision', 'Age']);
  assert.deepEqual(cr.printer.row(revision(), { now: NOW }), ['web-7c6f9d4b8f', 'statefulset.apps/web', 1, '42s']);
  const orphan = revision();
  orphan.metadata!.ownerReferences = [];
  assert.equal(cr.printer.row(orphan, { now: NOW })[1], '<none>');
});
