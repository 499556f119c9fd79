import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { namespaceResource } from './namespace.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const CTX = { now: '2024-05-01T12:00:00Z' };

function created(name = 'team-a', spec?: any): KObject {
  const ns: KObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, creationTimestamp: CTX.now, generation: 1 } };
  if (spec) ns.spec = spec;
  namespaceResource.defaults!(ns);
  namespaceResource.prepareForCreate!(ns, CTX);
  return ns;
}

test('namespaceResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual([namespaceResource.namespaced, namespaceResource.shortNames, namespaceResource.singular], [false, ['ns'], 'namespace']);
  assert.ok(!namespaceResource.verbs!.includes('deletecollection'));
});

test('namespaceResource defaults the name label, phase Active and the kubernetes finalizer', () => {
  const ns = created();
  assert.deepEqual(ns.metadata!.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.equal(ns.metadata!.generation, undefined);
  assert.deepEqual(created('b', { finalizers: ['example.com/x'] }).spec.finalizers, ['example.com/x', 'kubernetes']);
});

test('namespaceResource.defaults() overwrites a wrong name label', () => {
  const ns: KObject = { metadata: { name: 'a', labels: { 'kubernetes.io/metadata.name': 'b', team: 'x' } } };
  namespaceResource.defaults!(ns);
  assert.deepEqual(ns.metadata!.labels, { 'kubernetes.io/metadata.name': 'a', team: 'x' });
});

test('namespaceResource.validate() requires a DNS-1123 label name', () => {
  assert.deepEqual(texts(namespaceResource.validate!(Object.freeze(created()))), []);
  const errs = texts(namespaceResource.validate!(created('team.a')));
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^metadata\.name: Invalid value: "team\.a": a lowercase RFC 1123 label must consist of/);
});

test('namespaceResource.validate() checks spec finalizer names', () => {
  assert.deepEqual(texts(namespaceResource.validate!(created('a', { finalizers: ['custom'] }))), [
    'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('namespaceResource.prepareForUpdate() keeps spec.finalizers and status', () => {
  const old = Object.freeze(created());
  const next: KObject = structuredClone(old);
  next.spec = { finalizers: [] };
  next.status = { phase: 'Terminating' };
  namespaceResource.prepareForUpdate!(next, old, CTX);
  assert.deepEqual(next.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(next.status, { phase: 'Active' });
});

test('namespaceResource.validateStatusUpdate() ties the phase to deletion', () => {
  const old = created();
  const next = structuredClone(old);
  next.status = { phase: 'Terminating' };
  assert.deepEqual(texts(namespaceResource.validateStatusUpdate!(next, old)), [
    "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
  ]);
});

test('namespaceResource prints NAME, STATUS, AGE and selects by status.phase', () => {
  const ns = created();
  assert.deepEqual(namespaceResource.printer.row(ns, { now: Date.parse(CTX.now) + 90_000 }), ['team-a', 'Active', '90s']);
  assert.equal(namespaceResource.fieldSelectors!['status.phase'](ns), 'Active');
});
