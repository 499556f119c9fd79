import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { eventually } from '../test-cluster.js';
import { CMS, NS, gcHarness, refTo, sleep } from './gc-test-support.js';
import type { GcHarness } from './gc-test-support.js';

const HOLD = 'example.com/hold';

const terminating = (o: KObject): boolean => !!o.metadata?.deletionTimestamp;

async function release(h: GcHarness, name: string): Promise<void> {
  const cur = await h.getCm(name);
  await h.client.patch(CMS, NS, name, { metadata: { finalizers: (cur.metadata?.finalizers ?? []).filter((f: string) => f !== HOLD) } });
}

/** Adds an owner reference to an existing ConfigMap. */
async function addOwner(h: GcHarness, name: string, owner: KObject, opts: { block?: boolean } = { block: true }): Promise<void> {
  const cur = await h.getCm(name);
  await h.client.patch(CMS, NS, name, { metadata: { ownerReferences: [...(cur.metadata?.ownerReferences ?? []), refTo(owner, opts)], resourceVersion: cur.metadata?.resourceVersion } });
}

test('GarbageCollector deletes a foreground chain bottom-up: each owner stays until its blocking dependents are gone', async (t) => {
  const h = await gcHarness(t);
  const grandparent = await h.cm('grandparent');
  const parent = await h.cm('parent', [refTo(grandparent, { block: true })]);
  await h.cm('child', [refTo(parent, { block: true })], { finalizers: [HOLD] });
  await h.client.delete(CMS, NS, 'grandparent', { propagationPolicy: 'Foreground' });
  await eventually(async () => terminating(await h.getCm('child')), 'child being deleted');
  const p = await h.getCm('parent');
  assert.ok(terminating(p));
  assert.deepEqual(p.metadata?.finalizers, ['foregroundDeletion']);
  await sleep(150);
  assert.ok(terminating(await h.getCm('grandparent')), 'grandparent waits for parent');
  assert.ok(terminating(await h.getCm('parent')), 'parent waits for child');
  await release(h, 'child');
  await eventually(
    async () => (await h.gone('child')) && (await h.gone('parent')) && (await h.gone('grandparent')),
    'the whole chain removed',
  );
});

test('GarbageCollector does not wait for dependents without blockOwnerDeletion, but deletes them', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  await h.cm('loose', [refTo(owner)], { finalizers: [HOLD] });
  await h.cm('loose-unset', [refTo(owner, { block: false })]);
  await h.client.delete(CMS, NS, 'owner', { propagationPolicy: 'Foreground' });
  await eventually(() => h.gone('owner'), 'owner removed without waiting');
  await eventually(() => h.gone('loose-unset'), 'non-blocking dependent deleted');
  assert.ok(terminating(await h.getCm('loose')));
});

test('GarbageCollector detaches a dependent that has another live owner from a foreground-deleted owner', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  const keeper = await h.cm('keeper');
  await h.cm('shared', [refTo(owner, { block: true }), refTo(keeper, { block: true })]);
  await h.client.delete(CMS, NS, 'owner', { propagationPolicy: 'Foreground' });
  await eventually(() => h.gone('owner'), 'owner removed');
  assert.deepEqual((await h.getCm('shared')).metadata?.ownerReferences, [refTo(keeper, { block: true })]);
});

test('GarbageCollector ends a two-object cycle of blocking references', async (t) => {
  const h = await gcHarness(t);
  const a = await h.cm('a');
  const b = await h.cm('b', [refTo(a, { block: true })]);
  await addOwner(h, 'a', b);
  await h.client.delete(CMS, NS, 'a', { propagationPolicy: 'Foreground' });
  await eventually(async () => (await h.gone('a')) && (await h.gone('b')), 'both cycle members removed');
});

test('GarbageCollector ends a three-object cycle entered from one object', async (t) => {
  const h = await gcHarness(t);
  const a = await h.cm('a');
  const b = await h.cm('b', [refTo(a, { block: true })]);
  const c = await h.cm('c', [refTo(b, { block: true })]);
  await addOwner(h, 'a', c);
  await h.client.delete(CMS, NS, 'b', { propagationPolicy: 'Foreground' });
  await eventually(async () => (await h.gone('a')) && (await h.gone('b')) && (await h.gone('c')), 'all cycle members removed');
});

test('GarbageCollector ends a cycle whose members are all deleted in the foreground at once', async (t) => {
  const h = await gcHarness(t);
  const a = await h.cm('a');
  const b = await h.cm('b', [refTo(a, { block: true })]);
  await addOwner(h, 'a', b);
  await Promise.all(['a', 'b'].map((n) => h.client.delete(CMS, NS, n, { propagationPolicy: 'Foreground' })));
  await eventually(async () => (await h.gone('a')) && (await h.gone('b')), 'both cycle members removed');
});

test('GarbageCollector finishes the foreground deletion of an object that owns itself', async (t) => {
  const h = await gcHarness(t);
  const a = await h.cm('self');
  await addOwner(h, 'self', a);
  await sleep(100);
  assert.equal(await h.gone('self'), false, 'an object owning itself is not garbage');
  await h.client.delete(CMS, NS, 'self', { propagationPolicy: 'Foreground' });
  await eventually(() => h.gone('self'), 'self-owner removed');
});

test('GarbageCollector removes the foregroundDeletion finalizer of an owner without dependents, keeping other finalizers', async (t) => {
  const h = await gcHarness(t);
  await h.cm('lonely', [], { finalizers: [HOLD] });
  await h.client.delete(CMS, NS, 'lonely', { propagationPolicy: 'Foreground' });
  await eventually(async () => !(await h.getCm('lonely')).metadata?.finalizers?.includes('foregroundDeletion'), 'foreground finalizer removed');
  assert.deepEqual((await h.getCm('lonely')).metadata?.finalizers, [HOLD]);
  await release(h, 'lonely');
  await eventually(() => h.gone('lonely'), 'removed once the last finalizer goes');
});
