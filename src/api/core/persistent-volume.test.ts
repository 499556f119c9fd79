import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { persistentVolumeResource as pv } from './persistent-volume.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:00:00Z');

function volume(spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-1', creationTimestamp: '2024-05-01T11:55:00Z', ...meta },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], ...spec },
  };
}

function created(spec: Record<string, unknown>): KObject {
  const o = volume(spec);
  pv.defaults!(o);
  pv.prepareForCreate!(o, { now: '2024-05-01T12:00:00.123Z' });
  return o;
}

test('persistentVolumeResource has the discovery facts of a v1.32 server', () => {
  assert.equal(pv.namespaced, false);
  assert.deepEqual(pv.shortNames, ['pv']);
  assert.equal(pv.hasStatus, true);
  assert.equal(pv.categories, undefined);
  assert.deepEqual(Object.keys(pv.fieldSelectors ?? {}), ['name']);
});

test('defaults() sets reclaim policy, volume mode, phase and source defaults', () => {
  const o = volume({ rbd: { monitors: ['10.0.0.1:6789'], image: 'foo' }, capacity: { storage: '1024Mi' } });
  pv.defaults!(o);
  assert.equal(o.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(o.spec.volumeMode, 'Filesystem');
  assert.equal(o.status.phase, 'Pending');
  assert.deepEqual(o.spec.rbd, { monitors: ['10.0.0.1:6789'], image: 'foo', pool: 'rbd', user: 'admin', keyring: '/etc/ceph/keyring' });
  assert.equal(o.spec.capacity.storage, '1Gi');
  const h = volume({ hostPath: { path: '/data' } });
  pv.defaults!(h);
  assert.equal(h.spec.hostPath.type, '');
});

test('prepareForCreate() resets status to Pending with a transition time and drops generation', () => {
  const o = volume({ hostPath: { path: '/data' } }, { generation: 1 });
  o.status = { phase: 'Bound' };
  pv.prepareForCreate!(o, { now: '2024-05-01T12:00:00.123Z' });
  assert.deepEqual(o.status, { phase: 'Pending', lastPhaseTransitionTime: '2024-05-01T12:00:00Z' });
  assert.equal(o.metadata?.generation, undefined);
});

test('validate() accepts the rbd source from the Kubernetes docs', () => {
  const o = created({
    rbd: { monitors: ['10.16.154.78:6789', '10.16.154.82:6789'], image: 'foo', pool: 'kube', user: 'admin', secretRef: { name: 'ceph-secret' }, fsType: 'ext4', readOnly: true },
  });
  assert.deepEqual(msgs(pv.validate!(o)), []);
});

test('validate() accepts hostPath, nfs, csi and local with node affinity', () => {
  const affinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node1'] }] }] } };
  for (const spec of [
    { hostPath: { path: '/mnt/data', type: 'DirectoryOrCreate' } },
    { nfs: { server: '10.0.0.2', path: '/exports/a' }, persistentVolumeReclaimPolicy: 'Recycle' },
    { csi: { driver: 'hostpath.csi.k8s.io', volumeHandle: 'vol-1', nodePublishSecretRef: { name: 's', namespace: 'default' } } },
    { local: { path: '/mnt/disks/ssd1' }, nodeAffinity: affinity },
  ]) {
    assert.deepEqual(msgs(pv.validate!(created(spec))), [], JSON.stringify(spec));
  }
});

test('validate() requires capacity, access modes and exactly one source', () => {
  const o = created({});
  delete o.spec.capacity;
  o.spec.accessModes = [];
  assert.deepEqual(msgs(pv.validate!(o)), [
    'spec.accessModes: Required value',
    'spec.capacity: Required value',
    'spec.capacity: Unsupported value: {}: supported values: "storage"',
    'spec: Required value: must specify a volume type',
  ]);
  const two = created({ hostPath: { path: '/a' }, nfs: { server: 'x', path: '/b' } });
  assert.deepEqual(msgs(pv.validate!(two)), ['spec.nfs: Forbidden: may not specify more than 1 volume type']);
});

test('validate() checks access modes, reclaim policy, class name and quantities', () => {
  const o = created({
    hostPath: { path: '/a' },
    accessModes: ['ReadWriteOncePod', 'ReadWriteOnce', 'Bogus'],
    persistentVolumeReclaimPolicy: 'Keep',
    storageClassName: 'Bad_Name',
    capacity: { storage: '0' },
  });
  assert.deepEqual(msgs(pv.validate!(o)), [
    'spec.accessModes: Unsupported value: "Bogus": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
    'spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes',
    'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
    'spec.persistentVolumeReclaimPolicy: Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"',
    "spec.storageClassName: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
});

test('validate() requires node affinity for local volumes and well-formed terms', () => {
  assert.deepEqual(msgs(pv.validate!(created({ local: { path: '/mnt/x' } }))), ['spec.nodeAffinity: Required value: Local volume requires node affinity']);
  const o = created({ local: { path: '/mnt/x' }, nodeAffinity: { required: { nodeSelectorTerms: [] } } });
  assert.deepEqual(msgs(pv.validate!(o)), ['spec.nodeAffinity.required.nodeSelectorTerms: Required value: must have at least one node selector term']);
  const bad = created({ local: { path: '/mnt/x' }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In' }] }] } } });
  assert.deepEqual(msgs(pv.validate!(bad)), [
    "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
  ]);
});

test('validate() checks per-source required fields', () => {
  assert.deepEqual(msgs(pv.validate!(created({ rbd: {} }))), ['spec.rbd.monitors: Required value', 'spec.rbd.image: Required value']);
  assert.deepEqual(msgs(pv.validate!(created({ nfs: { server: 's', path: 'rel' } }))), ['spec.nfs.path: Invalid value: "rel": must be an absolute path']);
  assert.deepEqual(msgs(pv.validate!(created({ hostPath: { path: '/a/../b' } }))), ['spec.hostPath.path: Invalid value: "/a/../b": must not contain \'..\'']);
  assert.deepEqual(msgs(pv.validate!(created({ csi: { driver: '', volumeHandle: '' } }))).slice(0, 1), ['spec.csi.driver: Required value']);
  assert.deepEqual(msgs(pv.validate!(created({ hostPath: { path: '/' }, persistentVolumeReclaimPolicy: 'Recycle' }))), [
    "spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'",
  ]);
});

test('validateUpdate() makes the volume source immutable with Kubernetes text', () => {
  const old = created({ hostPath: { path: '/a' } });
  const next = structuredClone(old);
  next.spec.hostPath.path = '/b';
  assert.deepEqual(msgs(pv.validateUpdate!(next, old)), ['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation']);
  const claimed = structuredClone(old);
  claimed.spec.claimRef = { namespace: 'default', name: 'data' };
  claimed.spec.persistentVolumeReclaimPolicy = 'Delete';
  assert.deepEqual(msgs(pv.validateUpdate!(claimed, old)), []);
});

test('validateUpdate() keeps a set nodeAffinity and volumeMode immutable', () => {
  const affinity = (v: string) => ({ required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'k', operator: 'In', values: [v] }] }] } });
  const noAffinity = created({ hostPath: { path: '/a' } });
  const added = structuredClone(noAffinity);
  added.spec.nodeAffinity = affinity('x');
  assert.deepEqual(msgs(pv.validateUpdate!(added, noAffinity)), []);
  const changed = structuredClone(added);
  changed.spec.nodeAffinity = affinity('y');
  changed.spec.volumeMode = 'Block';
  assert.deepEqual(
    msgs(pv.validateUpdate!(changed, added)).map((m) => m.replace(/: \{.*\}: /, ': {...}: ')),
    ['volumeMode: Invalid value: "Block": field is immutable', 'nodeAffinity: Invalid value: {...}: field is immutable'],
  );
});

test('printer row() prints the kubectl PV columns', () => {
  const o = created({ hostPath: { path: '/a' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], storageClassName: 'manual' });
  o.spec.claimRef = { namespace: 'default', name: 'www-web-0' };
  o.status = { phase: 'Bound' };
  assert.deepEqual(
    pv.printer.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0], ['Capacity', 0], ['Access Modes', 0], ['Reclaim Policy', 0], ['Status', 0], ['Claim', 0],
      ['StorageClass', 0], ['VolumeAttributesClass', 0], ['Reason', 0], ['Age', 0], ['VolumeMode', 1],
    ],
  );
  assert.deepEqual(pv.printer.row(o, { now: NOW }), ['pv-1', '1Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/www-web-0', 'manual', '<unset>', '', '5m', 'Filesystem']);
  o.metadata!.deletionTimestamp = '2024-05-01T12:00:00Z';
  delete o.spec.claimRef;
  assert.deepEqual(pv.printer.row(o, { now: NOW }).slice(4, 6), ['Terminating', '']);
});
