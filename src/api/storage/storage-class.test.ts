import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { storageClassResource as sc } from './storage-class.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:00:30Z');

function cls(fields: Record<string, unknown> = {}, annotations?: Record<string, string>): KObject {
  const o: KObject = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', creationTimestamp: '2024-05-01T12:00:00Z', ...(annotations ? { annotations } : {}) },
    provisioner: 'berth.dev/local-path',
    ...fields,
  };
  sc.defaults!(o);
  return o;
}

test('storageClassResource has the discovery facts of a v1.32 server', () => {
  assert.equal(sc.group, 'storage.k8s.io');
  assert.equal(sc.namespaced, false);
  assert.deepEqual(sc.shortNames, ['sc']);
  assert.ok(!sc.hasStatus);
});

test('defaults() sets reclaimPolicy Delete and volumeBindingMode Immediate', () => {
  const o = cls();
  assert.equal(o.reclaimPolicy, 'Delete');
  assert.equal(o.volumeBindingMode, 'Immediate');
  assert.equal(cls({ reclaimPolicy: 'Retain' }).reclaimPolicy, 'Retain');
});

test('validate() requires a provisioner and checks policy, mode and parameters', () => {
  assert.deepEqual(msgs(sc.validate!(cls({ provisioner: '' }))), ['provisioner: Required value']);
  assert.deepEqual(msgs(sc.validate!(cls({ reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }))), [
    'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
  ]);
  const params: Record<string, string> = {};
  for (let i = 0; i < 513; i++) params[`k${i}`] = 'v';
  assert.deepEqual(msgs(sc.validate!(cls({ parameters: params }))), ['parameters: Too long: may not be more than 512 bytes']);
  assert.deepEqual(msgs(sc.validate!(cls({ parameters: { archiveOnDelete: 'true' } }))), []);
});

test('validateUpdate() forbids parameter, provisioner and reclaimPolicy changes with Kubernetes text', () => {
  const old = cls({ parameters: { a: '1' } });
  const next = cls({ parameters: { a: '2' }, provisioner: 'other.io/x', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
  assert.deepEqual(msgs(sc.validateUpdate!(next, old)), [
    'parameters: Forbidden: updates to parameters are forbidden.',
    'provisioner: Forbidden: updates to provisioner are forbidden.',
    'reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.',
    'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
  ]);
  const relabeled = cls({ parameters: { a: '1' }, allowVolumeExpansion: true }, { 'storageclass.kubernetes.io/is-default-class': 'true' });
  assert.deepEqual(msgs(sc.validateUpdate!(relabeled, old)), [], 'annotations and allowVolumeExpansion may change');
});

test('printer row() marks the default class and prints defaults', () => {
  assert.deepEqual(
    sc.printer.columns.map((c) => c.name),
    ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age'],
  );
  const o = cls({}, { 'storageclass.kubernetes.io/is-default-class': 'true' });
  assert.deepEqual(sc.printer.row(o, { now: NOW }), ['standard (default)', 'berth.dev/local-path', 'Delete', 'Immediate', false, '30s']);
  const beta = cls({ allowVolumeExpansion: true, volumeBindingMode: 'WaitForFirstConsumer' }, { 'storageclass.beta.kubernetes.io/is-default-class': 'true' });
  assert.deepEqual(sc.printer.row(beta, { now: NOW }).slice(0, 5), ['standard (default)', 'berth.dev/local-path', 'Delete', 'WaitForFirstConsumer', true]);
  const plain = cls({}, { 'storageclass.kubernetes.io/is-default-class': 'false' });
  assert.equal(sc.printer.row(plain, { now: NOW })[0], 'standard');
});
