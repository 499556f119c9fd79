import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { volumeAttachmentResource as va } from './volume-attachment.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:02:00Z');

function attachment(spec: Record<string, unknown> = {}): KObject {
  const o: KObject = {
    metadata: { name: 'csi-123', creationTimestamp: '2024-05-01T12:00:00Z', generation: 1 },
    spec: { attacher: 'hostpath.csi.k8s.io', nodeName: 'node1', source: { persistentVolumeName: 'pv-1' }, ...spec },
  };
  va.defaults!(o);
  va.prepareForCreate!(o, { now: '' });
  return o;
}

test('volumeAttachmentResource has the discovery facts of a v1.32 server', () => {
  assert.equal(va.namespaced, false);
  assert.equal(va.shortNames, undefined);
  assert.equal(va.hasStatus, true);
});

test('prepareForCreate() resets status and drops generation', () => {
  const o = attachment();
  assert.deepEqual(o.status, { attached: false });
  assert.equal(o.metadata?.generation, undefined);
  assert.deepEqual(msgs(va.validate!(o)), []);
});

test('validate() requires attacher, exactly one source and a node name', () => {
  const o = attachment({ attacher: '', source: {}, nodeName: 'Node_1' });
  const m = msgs(va.validate!(o));
  assert.equal(m[0], 'spec.attacher: Required value');
  assert.ok(m.includes('spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  assert.ok(m.some((x) => x.startsWith('spec.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain')));
  const both = attachment({ source: { persistentVolumeName: 'pv', inlineVolumeSpec: { csi: { driver: 'd', volumeHandle: 'h' } } } });
  assert.deepEqual(msgs(va.validate!(both)), ['spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
});

test('validate() checks an inline spec as an inline volume', () => {
  const ok = attachment({ source: { inlineVolumeSpec: { accessModes: ['ReadWriteOnce'], csi: { driver: 'hostpath.csi.k8s.io', volumeHandle: 'h' } } } });
  assert.deepEqual(msgs(va.validate!(ok)), []);
  const bad = attachment({ source: { inlineVolumeSpec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/x' } } } });
  assert.deepEqual(msgs(va.validate!(bad)), [
    'spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified in the context of inline volumes',
    'spec.source.inlineVolumeSpec.csi: Required value: has to be specified in the context of inline volumes',
  ]);
});

test('validateUpdate() makes the spec immutable', () => {
  const old = attachment();
  const next = structuredClone(old);
  next.spec.nodeName = 'node2';
  assert.deepEqual(msgs(va.validateUpdate!(next, old)).map((m) => m.replace(/: \{.*\}: /, ': {...}: ')), ['spec: Invalid value: {...}: field is immutable']);
});

test('printer row() prints NAME, ATTACHER, PV, NODE, ATTACHED, AGE', () => {
  assert.deepEqual(va.printer.columns.map((c) => c.name), ['Name', 'Attacher', 'PV', 'Node', 'Attached', 'Age']);
  const o = attachment();
  o.status = { attached: true };
  assert.deepEqual(va.printer.row(o, { now: NOW }), ['csi-123', 'hostpath.csi.k8s.io', 'pv-1', 'node1', true, '2m']);
});
