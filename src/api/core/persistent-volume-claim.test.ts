import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { persistentVolumeClaimResource as pvc } from './persistent-volume-claim.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:05:00Z');
const IMMUTABLE = 'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims';

function claim(spec: Record<string, unknown> = {}): KObject {
  const o: KObject = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'www-web-0', namespace: 'default', creationTimestamp: '2024-05-01T12:00:00Z', generation: 1 },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'my-storage-class', ...spec },
  };
  pvc.defaults!(o);
  pvc.prepareForCreate!(o, { now: '2024-05-01T12:00:00Z' });
  return o;
}

function bound(o: KObject, capacity = '1Gi'): KObject {
  const b = structuredClone(o);
  b.spec.volumeName = 'pv-1';
  b.status = { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: capacity } };
  return b;
}

/** What the registry does on a main-resource update: status carried over, then the strategy. */
function update(next: KObject, old: KObject): FieldError[] {
  next.status = structuredClone(old.status);
  pvc.defaults!(next);
  pvc.prepareForUpdate!(next, old, { now: '' });
  return pvc.validateUpdate!(next, old);
}

test('persistentVolumeClaimResource has the discovery facts of a v1.32 server', () => {
  assert.equal(pvc.namespaced, true);
  assert.deepEqual(pvc.shortNames, ['pvc']);
  assert.equal(pvc.hasStatus, true);
  assert.deepEqual(Object.keys(pvc.fieldSelectors ?? {}), ['name']);
});

test('defaults() and prepareForCreate() set volumeMode Filesystem and phase Pending', () => {
  const o = claim({ resources: { requests: { storage: '1024Mi' } } });
  assert.equal(o.spec.volumeMode, 'Filesystem');
  assert.deepEqual(o.status, { phase: 'Pending' });
  assert.equal(o.spec.resources.requests.storage, '1Gi');
  assert.equal(o.metadata?.generation, undefined);
});

test('prepareForCreate() mirrors dataSource into dataSourceRef and drops gated fields', () => {
  const o = claim({ dataSource: { kind: 'PersistentVolumeClaim', name: 'src' }, volumeAttributesClassName: 'gold' });
  assert.deepEqual(o.spec.dataSourceRef, { kind: 'PersistentVolumeClaim', name: 'src' });
  assert.equal(o.spec.volumeAttributesClassName, undefined);
  assert.deepEqual(msgs(pvc.validate!(o)), []);
});

test('validate() requires access modes and a positive storage request', () => {
  const o = claim({ accessModes: [], resources: {} });
  assert.deepEqual(msgs(pvc.validate!(o)), [
    'spec.accessModes: Required value: at least 1 access mode is required',
    'spec.resources[storage]: Required value',
  ]);
  const zero = claim({ resources: { requests: { storage: '0' } } });
  assert.deepEqual(msgs(pvc.validate!(zero)), ['spec.resources[storage]: Invalid value: "0": must be greater than zero']);
});

test('validate() checks selector, class name, volume mode and data source', () => {
  const o = claim({
    selector: { matchExpressions: [{ key: 'tier', operator: 'Within', values: ['a'] }] },
    storageClassName: 'UPPER',
    volumeMode: 'Raw',
    dataSource: { kind: 'Snapshot', name: 'snap' },
  });
  const m = msgs(pvc.validate!(o));
  assert.ok(m.includes('spec.selector.matchExpressions[0].operator: Invalid value: "Within": not a valid selector operator'), m.join('\n'));
  assert.ok(m.some((x) => x.startsWith('spec.storageClassName: Invalid value: "UPPER": a lowercase RFC 1123 subdomain')));
  assert.ok(m.includes('spec.volumeMode: Unsupported value: "Raw": supported values: "Block", "Filesystem"'));
  assert.ok(m.includes('spec.dataSource: Invalid value: "Snapshot": must be \'PersistentVolumeClaim\' when referencing the default apiGroup'));
});

test('validateUpdate() lets the binder set volumeName once', () => {
  const old = claim();
  const next = structuredClone(old);
  next.spec.volumeName = 'pv-1';
  assert.deepEqual(msgs(update(next, old)), []);
  const again = structuredClone(next);
  again.spec.volumeName = 'pv-2';
  assert.deepEqual(msgs(update(again, next)), [IMMUTABLE]);
});

test('validateUpdate() forbids spec changes with Kubernetes text', () => {
  const old = claim();
  const next = structuredClone(old);
  next.spec.accessModes = ['ReadWriteMany'];
  assert.deepEqual(msgs(update(next, old)), [IMMUTABLE]);
  const grown = structuredClone(old);
  grown.spec.resources.requests.storage = '2Gi';
  assert.deepEqual(msgs(update(grown, old)), [IMMUTABLE], 'an unbound claim cannot be resized');
});

test('validateUpdate() allows resizing a bound claim but not below status.capacity', () => {
  const old = bound(claim({ resources: { requests: { storage: '2Gi' } } }), '2Gi');
  const grown = structuredClone(old);
  grown.spec.resources.requests.storage = '3Gi';
  assert.deepEqual(msgs(update(grown, old)), []);
  const shrunk = structuredClone(old);
  shrunk.spec.resources.requests.storage = '1Gi';
  assert.deepEqual(msgs(update(shrunk, old)), ['spec.resources.requests.storage: Forbidden: field can not be less than status.capacity']);
  const equal = structuredClone(old);
  equal.spec.resources.requests.storage = '2048Mi';
  assert.deepEqual(msgs(update(equal, old)), [], 'quantities compare by value');
});

test('validateUpdate() allows setting a class on a claim that had none, and the annotation upgrade', () => {
  const old = claim({ storageClassName: undefined });
  delete old.spec.storageClassName;
  const next = structuredClone(old);
  next.spec.storageClassName = 'fast';
  assert.deepEqual(msgs(update(next, old)), []);
  const annotated = claim();
  delete annotated.spec.storageClassName;
  annotated.metadata!.annotations = { 'volume.beta.kubernetes.io/storage-class': 'slow' };
  const moved = structuredClone(annotated);
  moved.spec.storageClassName = 'slow';
  assert.deepEqual(msgs(update(moved, annotated)), []);
  const changed = structuredClone(annotated);
  changed.metadata!.annotations = { 'volume.beta.kubernetes.io/storage-class': 'fast' };
  assert.deepEqual(msgs(update(changed, annotated)), ['metadata.annotations.volume.beta.kubernetes.io/storage-class: Invalid value: "fast": field is immutable']);
});

test('validateUpdate() keeps volumeMode immutable', () => {
  const old = claim();
  const next = structuredClone(old);
  next.spec.volumeMode = 'Block';
  assert.deepEqual(msgs(update(next, old)), [IMMUTABLE, 'volumeMode: Invalid value: "Block": field is immutable']);
});

test('printer row() leaves CAPACITY and ACCESS MODES empty until volumeName is set', () => {
  const o = claim();
  assert.deepEqual(
    pvc.printer.columns.map((c) => c.name),
    ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode'],
  );
  assert.equal(pvc.printer.columns[8].priority, 1);
  assert.deepEqual(pvc.printer.row(o, { now: NOW }), ['www-web-0', 'Pending', '', '', '', 'my-storage-class', '<unset>', '5m', 'Filesystem']);
  const b = bound(o);
  assert.deepEqual(pvc.printer.row(b, { now: NOW }), ['www-web-0', 'Bound', 'pv-1', '1Gi', 'RWO', 'my-storage-class', '<unset>', '5m', 'Filesystem']);
  b.metadata!.deletionTimestamp = '2024-05-01T12:04:00Z';
  assert.equal(pvc.printer.row(b, { now: NOW })[1], 'Terminating');
});
