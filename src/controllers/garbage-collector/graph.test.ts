import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import type { OwnerReference } from '../util/owners.js';
import type { KindResource } from './discovery.js';
import { DependencyGraph, coordinates } from './graph.js';

const CM: KindResource = { ref: { group: '', version: 'v1', plural: 'configmaps', namespaced: true }, kind: 'ConfigMap', verbs: [] };

/** A ConfigMap named and uid'd `name`. */
function obj(name: string, opts: { owners?: OwnerReference[]; meta?: KObject['metadata'] } = {}): KObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', uid: name, ownerReferences: opts.owners ?? [], ...opts.meta } };
}

/** A reference to the ConfigMap `name` (whose uid is its name). */
const ref = (name: string, opts: { block?: boolean } = {}): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name, uid: name, blockOwnerDeletion: !!opts.block });

/** Observes `o` (or the deletion of `key`); the uids to look at, sorted. */
const observe = (g: DependencyGraph, { key, o }: { key: string; o?: KObject }) => [...g.observe(CM, { key: `ns/${key}`, obj: o })].sort();

test('DependencyGraph.observe() adds a virtual owner, queues its dependent, and drops it with the last dependent', () => {
  const g = new DependencyGraph();
  assert.deepEqual(observe(g, { key: 'child', o: obj('child', { owners: [ref('owner')] }) }), ['child']);
  assert.equal(g.get('owner')?.identity, undefined);
  assert.equal(g.get('owner')?.dependents.size, 1);
  assert.deepEqual(observe(g, { key: 'child' }), []);
  assert.equal(g.get('owner'), undefined);
  assert.equal(g.size, 0);
});

test('DependencyGraph.observe() does not queue a dependent of an observed owner', () => {
  const g = new DependencyGraph();
  observe(g, { key: 'owner', o: obj('owner') });
  assert.deepEqual(observe(g, { key: 'child', o: obj('child', { owners: [ref('owner')] }) }), []);
  assert.equal(g.ownerState(ref('owner'), coordinates({ group: '', kind: 'ConfigMap', namespace: 'ns', name: 'owner' })), 'solid');
  // Seen at other coordinates, only the API server can tell.
  assert.equal(g.ownerState(ref('owner'), coordinates({ group: '', kind: 'ConfigMap', namespace: 'other', name: 'owner' })), undefined);
});

test('DependencyGraph.observe() turns a deleted owner with dependents virtual and remembers it is gone', () => {
  const g = new DependencyGraph();
  observe(g, { key: 'owner', o: obj('owner') });
  observe(g, { key: 'a', o: obj('a', { owners: [ref('owner')] }) });
  observe(g, { key: 'b', o: obj('b', { owners: [ref('owner')] }) });
  assert.deepEqual(observe(g, { key: 'owner' }), ['a', 'b']);
  assert.equal(g.get('owner')?.identity, undefined);
  assert.equal(g.ownerState(ref('owner'), coordinates({ group: '', kind: 'ConfigMap', namespace: 'ns', name: 'owner' })), 'absent');
  observe(g, { key: 'a' });
  observe(g, { key: 'b' });
  assert.equal(g.size, 0);
});

test('DependencyGraph.observe() treats a new uid under the same key as a delete and a create', () => {
  const g = new DependencyGraph();
  observe(g, { key: 'owner', o: obj('owner') });
  observe(g, { key: 'child', o: obj('child', { owners: [ref('owner')] }) });
  assert.deepEqual(observe(g, { key: 'owner', o: obj('owner', { meta: { uid: 'owner-2' } }) }), ['child']);
  assert.equal(g.get('owner')?.identity, undefined);
  assert.equal(g.get('owner-2')?.identity?.name, 'owner');
});

test('DependencyGraph.observe() queues an owner deleting its dependents, its dependents once, and the owner a blocking reference stops blocking', () => {
  const g = new DependencyGraph();
  observe(g, { key: 'child', o: obj('child', { owners: [ref('owner', { block: true })] }) });
  const deleting = obj('owner', { meta: { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] } });
  assert.deepEqual(observe(g, { key: 'owner', o: deleting }), ['child', 'owner']);
  assert.deepEqual(observe(g, { key: 'owner', o: deleting }), ['owner']);
  assert.deepEqual(observe(g, { key: 'child', o: obj('child', { owners: [ref('owner')] }) }), ['owner']);
});

test('DependencyGraph.waitingFor() skips dependents that wait for the owner through a cycle, and the owner itself', () => {
  const g = new DependencyGraph();
  const meta = { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] };
  const block = { block: true };
  observe(g, { key: 'a', o: obj('a', { owners: [ref('c', block), ref('a', block)], meta }) });
  observe(g, { key: 'b', o: obj('b', { owners: [ref('a', block)], meta }) });
  observe(g, { key: 'c', o: obj('c', { owners: [ref('b', block)] }) });
  const a = g.get('a')!;
  // c is not deleting its dependents yet: a waits for b, which waits for c.
  assert.deepEqual(g.waitingFor(a).map((n) => n.uid), ['b']);
  observe(g, { key: 'c', o: obj('c', { owners: [ref('b', block)], meta }) });
  assert.deepEqual(g.waitingFor(a).map((n) => n.uid), []);
  assert.deepEqual(g.waitingFor(g.get('b')!).map((n) => n.uid), []);
});
