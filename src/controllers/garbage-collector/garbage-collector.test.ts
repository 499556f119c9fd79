import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_MAPS, EVENTS, NAMESPACES, PODS, STATEFUL_SETS } from '../../client/resources.js';
import { eventually, testCluster } from '../test-cluster.js';
import { GarbageCollector } from './garbage-collector.js';
import { CMS, NS, STORAGE, configMap, gcHarness, isGone, refTo, sleep, storageClass } from './gc-test-support.js';

test('GarbageCollector deletes the dependents of a deleted owner, and theirs', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  const child = await h.cm('child', [refTo(owner)]);
  await h.cm('grandchild', [refTo(child)]);
  await h.cm('bystander');
  await h.client.delete(CMS, NS, 'owner', { propagationPolicy: 'Background' });
  await eventually(async () => (await h.gone('child')) && (await h.gone('grandchild')), 'child and grandchild deleted');
  assert.equal(await h.gone('bystander'), false);
});

test('GarbageCollector keeps dependents whose owner exists', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  await h.cm('child', [refTo(owner)]);
  await sleep(200);
  assert.equal(await h.gone('child'), false);
  // A namesake of the owner does not count: a reference is to a uid.
  await h.cm('fake-child', [{ ...refTo(owner), uid: 'not-the-owners-uid' }]);
  await eventually(() => h.gone('fake-child'), 'dependent of a uid that does not exist deleted');
  assert.equal(await h.gone('child'), false);
});

test('GarbageCollector deletes a dependent created after its owner was deleted', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  await h.client.delete(CMS, NS, 'owner');
  await h.cm('late', [refTo(owner)]);
  await eventually(() => h.gone('late'), 'late dependent deleted');
});

test('GarbageCollector removes only the dangling references of a dependent that has a live owner', async (t) => {
  const h = await gcHarness(t);
  const a = await h.cm('a');
  const b = await h.cm('b');
  await h.cm('child', [refTo(a), refTo(b, { block: true })]);
  await h.client.delete(CMS, NS, 'b');
  await eventually(async () => ((await h.getCm('child')).metadata?.ownerReferences ?? []).length === 1, 'dangling reference removed');
  const refs = (await h.getCm('child')).metadata?.ownerReferences;
  assert.deepEqual(refs, [refTo(a)]);
  await h.client.delete(CMS, NS, 'a');
  await eventually(() => h.gone('child'), 'child deleted once its last owner is gone');
});

test('GarbageCollector resolves a cluster-scoped owner of namespaced dependents', async (t) => {
  const h = await gcHarness(t);
  const sc = await h.client.create(STORAGE, undefined, storageClass('owner-class'));
  await h.client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
  await h.cm('in-default', [refTo(sc)]);
  await h.cm('in-other', [refTo(sc)], { ns: 'other' });
  const owned = await h.client.create(STORAGE, undefined, storageClass('owned-class', [refTo(sc)]));
  await sleep(200);
  assert.equal(await h.gone('in-default'), false);
  assert.equal(await h.gone('in-other', 'other'), false);
  assert.ok(owned.metadata?.uid);
  await h.client.delete(STORAGE, undefined, 'owner-class');
  await eventually(
    async () => (await h.gone('in-default')) && (await h.gone('in-other', 'other')) && (await isGone(h.client, { resource: STORAGE, name: 'owned-class' })),
    'dependents of the cluster-scoped owner deleted',
  );
});

test('GarbageCollector deletes a dependent whose namespaced owner lives in another namespace, with a Warning event', async (t) => {
  const h = await gcHarness(t);
  await h.client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } });
  const owner = await h.cm('owner', [], { ns: 'other' });
  await h.cm('wrong-ns', [refTo(owner)]);
  await eventually(() => h.gone('wrong-ns'), 'dependent with a cross-namespace owner deleted');
  assert.equal(await h.gone('owner', 'other'), false);
  await h.deps.events('garbage-collector-controller').flush();
  const events = (await h.client.list(EVENTS, NS)).items.filter((e) => e.reason === 'OwnerRefInvalidNamespace');
  assert.equal(events.length, 1);
  assert.equal(events[0]!.type, 'Warning');
  assert.equal(events[0]!.involvedObject?.name, 'wrong-ns');
  assert.equal(events[0]!.message, `ownerRef [v1/ConfigMap, namespace: default, name: owner, uid: ${owner.metadata!.uid}] does not exist in namespace "default"`);
  assert.equal(events[0]!.source?.component, 'garbage-collector-controller');
});

test('GarbageCollector leaves a cluster-scoped object naming a namespaced owner alone, with a Warning event', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  await h.client.create(STORAGE, undefined, storageClass('odd', [refTo(owner)]));
  await sleep(200);
  assert.equal(await isGone(h.client, { resource: STORAGE, name: 'odd' }), false);
  await h.deps.events('garbage-collector-controller').flush();
  const events = (await h.client.list(EVENTS, NS)).items.filter((e) => e.reason === 'OwnerRefInvalidNamespace');
  assert.equal(events.length, 1);
  assert.equal(events[0]!.involvedObject?.kind, 'StorageClass');
  assert.equal(events[0]!.message, `ownerRef [v1/ConfigMap, namespace: , name: owner, uid: ${owner.metadata!.uid}] does not exist in namespace ""`);
});

test('GarbageCollector honours the propagation finalizer a collected dependent already carries', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  const child = await h.cm('child', [refTo(owner)], { finalizers: ['orphan'] });
  await h.cm('grandchild', [refTo(child)]);
  await h.client.delete(CMS, NS, 'owner');
  await eventually(() => h.gone('child'), 'child deleted with its orphan finalizer honoured');
  const gc = await h.getCm('grandchild');
  assert.equal(gc.metadata?.ownerReferences, undefined);
});

test('GarbageCollector orphans dependents of an owner deleted with propagationPolicy Orphan', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  const other = await h.cm('other');
  await h.cm('c1', [refTo(owner, { block: true, controller: true })]);
  await h.cm('c2', [refTo(other), refTo(owner)]);
  await h.client.delete(CMS, NS, 'owner', { propagationPolicy: 'Orphan' });
  await eventually(() => h.gone('owner'), 'owner removed once its dependents are orphaned');
  assert.equal((await h.getCm('c1')).metadata?.ownerReferences, undefined);
  assert.deepEqual((await h.getCm('c2')).metadata?.ownerReferences, [refTo(other)]);
  await sleep(100);
  assert.equal(await h.gone('c1'), false);
});

test('GarbageCollector built without create() discovers and starts its own informers', async (t) => {
  const c = await testCluster();
  t.after(() => c.close());
  await c.startInformers();
  const gc = new GarbageCollector(c.deps, { discoveryRefreshMs: 0 });
  await c.run(gc);
  const owner = await c.client.create(CONFIG_MAPS, NS, configMap('owner'));
  await c.client.create(CONFIG_MAPS, NS, configMap('child', [refTo(owner)]));
  await c.client.delete(CONFIG_MAPS, NS, 'owner');
  await eventually(() => isGone(c.client, { resource: CONFIG_MAPS, name: 'child', ns: NS }), 'child deleted');
});

test('GarbageCollector deletes many dependents of one owner', async (t) => {
  const h = await gcHarness(t);
  const owner = await h.cm('owner');
  const n = 500;
  await Promise.all(Array.from({ length: n }, (_, i) => h.cm(`child-${i}`, [refTo(owner, { block: true, controller: true })])));
  await h.client.delete(CMS, NS, 'owner');
  await eventually(async () => (await h.client.list(CMS, NS)).items.length === 0, 'all dependents deleted', 8000);
});

test('GarbageCollector started late collects what was left behind while it was down', async (t) => {
  const c = await testCluster();
  t.after(() => c.close());
  const owner = await c.client.create(CONFIG_MAPS, NS, configMap('owner'));
  await c.client.create(CONFIG_MAPS, NS, configMap('orphaned-child', [refTo(owner)]));
  await c.client.delete(CONFIG_MAPS, NS, 'owner');
  const waiting = await c.client.create(CONFIG_MAPS, NS, configMap('waiting'));
  await c.client.create(CONFIG_MAPS, NS, configMap('blocker', [refTo(waiting, { block: true })]));
  await c.client.delete(CONFIG_MAPS, NS, 'waiting', { propagationPolicy: 'Foreground' });
  const gc = await GarbageCollector.create(c.deps, { discoveryRefreshMs: 0 });
  await c.run(gc);
  await eventually(
    async () =>
      (await isGone(c.client, { resource: CONFIG_MAPS, name: 'orphaned-child', ns: NS })) &&
      (await isGone(c.client, { resource: CONFIG_MAPS, name: 'blocker', ns: NS })) &&
      (await isGone(c.client, { resource: CONFIG_MAPS, name: 'waiting', ns: NS })),
    'leftovers collected',
  );
});

test('GarbageCollector deletes the pods of a StatefulSet deleted in the foreground before the StatefulSet', async (t) => {
  const h = await gcHarness(t);
  const sts = await h.client.create(STATEFUL_SETS, NS, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: { serviceName: 'web', replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  for (let i = 0; i < 3; i++) {
    await h.client.create(PODS, NS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `web-${i}`, labels: { app: 'web' }, ownerReferences: [refTo(sts, { block: true, controller: true })], finalizers: ['example.com/hold'] },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
  }
  await h.client.delete(STATEFUL_SETS, NS, 'web', { propagationPolicy: 'Foreground' });
  await eventually(async () => (await h.client.list(PODS, NS)).items.every((p) => p.metadata?.deletionTimestamp), 'pods being deleted');
  await sleep(100);
  assert.ok((await h.client.get(STATEFUL_SETS, NS, 'web')).metadata?.deletionTimestamp, 'the StatefulSet waits for its pods');
  for (let i = 0; i < 3; i++) await h.client.patch(PODS, NS, `web-${i}`, [{ op: 'remove', path: '/metadata/finalizers' }], { type: 'json' });
  await eventually(() => isGone(h.client, { resource: STATEFUL_SETS, name: 'web', ns: NS }), 'StatefulSet removed after its pods');
});

test('GarbageCollector keeps a dependent whose owner kind no resource serves', async (t) => {
  const h = await gcHarness(t);
  await h.cm('widget-child', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'widget-uid' }]);
  await sleep(200);
  assert.equal(await h.gone('widget-child'), false);
});
