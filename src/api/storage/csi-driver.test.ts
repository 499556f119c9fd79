import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { csiDriverResource as csi } from './csi-driver.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T13:00:00Z');

function driver(spec: Record<string, unknown> = {}): KObject {
  const o: KObject = { metadata: { name: 'hostpath.csi.k8s.io', creationTimestamp: '2024-05-01T12:00:00Z' }, spec: { ...spec } };
  csi.defaults!(o);
  return o;
}

test('csiDriverResource has the discovery facts of a v1.32 server', () => {
  assert.equal(csi.namespaced, false);
  assert.equal(csi.shortNames, undefined);
  assert.ok(!csi.hasStatus);
});

test('defaults() fills every CSIDriver default', () => {
  assert.deepEqual(driver().spec, {
    attachRequired: true,
    podInfoOnMount: false,
    storageCapacity: false,
    fsGroupPolicy: 'ReadWriteOnceWithFSType',
    volumeLifecycleModes: ['Persistent'],
    requiresRepublish: false,
    seLinuxMount: false,
  });
  assert.equal(driver({ attachRequired: false }).spec.attachRequired, false);
});

test('validate() checks fsGroupPolicy, modes and token requests', () => {
  assert.deepEqual(msgs(csi.validate!(driver())), []);
  const o = driver({ fsGroupPolicy: 'Always', volumeLifecycleModes: ['Forever'], tokenRequests: [{ audience: 'a', expirationSeconds: 60 }, { audience: 'a' }] });
  assert.deepEqual(msgs(csi.validate!(o)), [
    'spec.fsGroupPolicy: Unsupported value: "Always": supported values: "File", "None", "ReadWriteOnceWithFSType"',
    'spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes',
    'spec.tokenRequests[1].audience: Duplicate value: "a"',
    'spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"',
  ]);
});

test('validateUpdate() keeps attachRequired and volumeLifecycleModes immutable', () => {
  const old = driver();
  const next = driver({ attachRequired: false, volumeLifecycleModes: ['Ephemeral'], podInfoOnMount: true });
  assert.deepEqual(msgs(csi.validateUpdate!(next, old)), [
    'spec.attachedRequired: Invalid value: false: field is immutable',
    'spec.volumeLifecycleModes: Invalid value: ["Ephemeral"]: field is immutable',
  ]);
});

test('printer row() prints the CSIDriver columns', () => {
  assert.deepEqual(
    csi.printer.columns.map((c) => c.name),
    ['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age'],
  );
  assert.deepEqual(csi.printer.row(driver(), { now: NOW }), ['hostpath.csi.k8s.io', true, false, false, '<unset>', false, 'Persistent', '60m']);
  const o = driver({ tokenRequests: [{ audience: 'vault' }, { audience: 'gcp' }], volumeLifecycleModes: ['Persistent', 'Ephemeral'] });
  assert.deepEqual(csi.printer.row(o, { now: NOW }).slice(4, 7), ['vault,gcp', false, 'Persistent,Ephemeral']);
});
