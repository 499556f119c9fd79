import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import { leaseResource, validateLeaseSpec } from './lease.js';
import type { LeaseObject } from './lease.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

function lease(spec: LeaseObject['spec'] = {}): LeaseObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'node-1', namespace: 'kube-node-lease', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec,
  };
}

test('leaseResource.validate() accepts a node heartbeat lease', () => {
  const l = lease({ holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:10.123456Z' });
  assert.deepEqual(leaseResource.validate!(l), []);
});

test('validateLeaseSpec() requires leaseDurationSeconds > 0', () => {
  assert.deepEqual(texts(validateLeaseSpec({ leaseDurationSeconds: 0 })), [
    'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
  ]);
});

test('validateLeaseSpec() requires leaseTransitions >= 0', () => {
  assert.deepEqual(texts(validateLeaseSpec({ leaseTransitions: -1 })), [
    'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
  ]);
  assert.deepEqual(validateLeaseSpec({ leaseTransitions: 0 }), []);
});

test('validateLeaseSpec() forbids preferredHolder without strategy', () => {
  assert.deepEqual(texts(validateLeaseSpec({ preferredHolder: 'a' })), [
    'spec.preferredHolder: Forbidden: may only be specified if `strategy` is defined',
  ]);
});

test('validateLeaseSpec() checks strategy names', () => {
  assert.deepEqual(validateLeaseSpec({ strategy: 'OldestEmulationVersion' }), []);
  assert.deepEqual(validateLeaseSpec({ strategy: 'example.com/mine' }), []);
  assert.deepEqual(texts(validateLeaseSpec({ strategy: 'Newest' })), [
    'spec.strategy.strategy: Unsupported value: "Newest": supported values: "OldestEmulationVersion"',
  ]);
});

test('leaseResource.validate() requires DNS-subdomain names and a namespace', () => {
  const l = lease();
  l.metadata = { name: 'Node_1' };
  const fields = leaseResource.validate!(l).map((e) => e.field);
  assert.deepEqual(fields, ['metadata.name', 'metadata.namespace']);
});

test('leaseResource.prepareForCreate() drops coordinated-election fields', () => {
  const l = lease({ holderIdentity: 'a', strategy: 'OldestEmulationVersion', preferredHolder: 'b' });
  leaseResource.prepareForCreate!(l, { now: '2024-01-01T00:00:00Z' });
  assert.deepEqual(l.spec, { holderIdentity: 'a' });
});

test('leaseResource.prepareForUpdate() keeps coordinated-election fields already stored', () => {
  const old = lease({ strategy: 'OldestEmulationVersion' });
  const next = lease({ strategy: 'OldestEmulationVersion', preferredHolder: 'b' });
  leaseResource.prepareForUpdate!(next, old, { now: '2024-01-01T00:00:00Z' });
  assert.deepEqual(next.spec, { strategy: 'OldestEmulationVersion' });
});

test('leaseResource.validateUpdate() validates the spec and immutable metadata', () => {
  const old = lease();
  const next = lease({ leaseDurationSeconds: -5 });
  next.metadata!.namespace = 'other';
  assert.deepEqual(texts(leaseResource.validateUpdate!(next, old)), [
    'metadata.namespace: Invalid value: "other": field is immutable',
    'spec.leaseDurationSeconds: Invalid value: -5: must be greater than 0',
  ]);
});

test('leaseResource discovery facts match a v1.32 server', () => {
  assert.equal(leaseResource.plural, 'leases');
  assert.equal(leaseResource.singular, 'lease');
  assert.equal(leaseResource.namespaced, true);
  assert.equal(leaseResource.shortNames, undefined);
  assert.equal(leaseResource.hasStatus, undefined);
});

test('leaseResource.printer prints NAME, HOLDER, AGE', () => {
  const p = leaseResource.printer;
  assert.deepEqual(p.columns.map((c) => c.name), ['Name', 'Holder', 'Age']);
  const now = Date.parse('2024-01-01T03:00:00Z');
  assert.deepEqual(p.row(lease({ holderIdentity: 'node-1_abc' }), { now }), ['node-1', 'node-1_abc', '3h']);
  assert.deepEqual(p.row(lease({}), { now }), ['node-1', '', '3h']);
});
