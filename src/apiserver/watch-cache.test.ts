import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../store/memory.js';
import { WatchCache, resourcePrefixOf } from './watch-cache.js';
import type { CacheEvent } from './watch-cache.js';
import type { KObject } from '../api/resource.js';

async function setup(historySize = 100) {
  const store = new MemoryStore({ compactIntervalMs: 0 });
  await store.create('/core/configmaps/default/pre', JSON.stringify({ metadata: { name: 'pre' } }));
  const cache = new WatchCache(store, { historySize });
  await cache.start();
  return { store, cache };
}

test('resourcePrefixOf() keeps group and plural', () => {
  assert.equal(resourcePrefixOf('/core/pods/default/web-0'), '/core/pods/');
  assert.equal(resourcePrefixOf('/storage.k8s.io/storageclasses/fast'), '/storage.k8s.io/storageclasses/');
});

test('start() loads current objects with resourceVersion set from the revision', async () => {
  const { store, cache } = await setup();
  const c = cache.get('/core/configmaps/default/pre')!;
  assert.equal(c.obj.metadata?.resourceVersion, String(c.rv));
  assert.equal(JSON.parse(c.json).metadata.resourceVersion, String(c.rv));
  await cache.stop();
  await store.close();
});

test('waitFor() resolves once the write is applied, and list() reflects it', async () => {
  const { store, cache } = await setup();
  const kv = await store.create('/core/configmaps/default/a', JSON.stringify({ metadata: { name: 'a' } }));
  await cache.waitFor(kv.modRevision);
  assert.deepEqual(
    cache.list('/core/configmaps/default/').map((c) => c.obj.metadata?.name),
    ['a', 'pre'],
  );
  assert.equal(cache.list('/core/configmaps/other/').length, 0);
  await cache.stop();
  await store.close();
});

test('subscribe() delivers ADDED, MODIFIED and DELETED with previous state', async () => {
  const { store, cache } = await setup();
  const seen: CacheEvent[] = [];
  const unsub = cache.subscribe((e) => seen.push(e));
  const k = '/core/configmaps/default/b';
  const c1 = await store.create(k, JSON.stringify({ metadata: { name: 'b' }, data: { v: '1' } }));
  const c2 = await store.update(k, JSON.stringify({ metadata: { name: 'b' }, data: { v: '2' } }), c1.modRevision);
  const d = await store.delete(k);
  await cache.waitFor(d.modRevision);
  unsub();
  assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  assert.equal(seen[1].prev?.obj.data.v, '1');
  assert.equal(seen[2].object.obj.metadata?.resourceVersion, String(d.modRevision));
  assert.equal(seen[1].rv, c2.modRevision);
  await cache.stop();
  await store.close();
});

test('eventsSince() replays the window and refuses revisions older than it', async () => {
  const { store, cache } = await setup(3);
  const start = cache.revision;
  let last = 0;
  for (let i = 0; i < 5; i++) last = (await store.create(`/core/configmaps/default/e${i}`, JSON.stringify({ metadata: { name: `e${i}` } }))).modRevision;
  await cache.waitFor(last);
  assert.equal(cache.eventsSince(start), undefined, 'the first events fell out of a window of 3');
  const recent = cache.eventsSince(last - 2)!;
  assert.deepEqual(recent.map((e) => e.object.obj.metadata?.name), ['e3', 'e4']);
  assert.deepEqual(cache.eventsSince(last), []);
  await cache.stop();
  await store.close();
});

test('expect() lets a writer hand over the built object instead of re-parsing', async () => {
  const { store, cache } = await setup();
  const key = '/core/configmaps/default/h';
  const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h' } });
  const obj: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h' }, marker: true };
  cache.expect(key, value, obj);
  const kv = await store.create(key, value);
  await cache.waitFor(kv.modRevision);
  const c = cache.get(key)!;
  assert.equal(c.obj, obj);
  assert.equal(c.obj.metadata?.resourceVersion, String(kv.modRevision));
  assert.equal(JSON.parse(c.json).metadata.resourceVersion, String(kv.modRevision));
  await cache.stop();
  await store.close();
});

test('a hint whose value differs from the stored one is ignored', async () => {
  const { store, cache } = await setup();
  const key = '/core/configmaps/default/h2';
  cache.expect(key, 'something else', { marker: true });
  const kv = await store.create(key, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'h2' } }));
  await cache.waitFor(kv.modRevision);
  assert.equal(cache.get(key)!.obj.marker, undefined);
  await cache.stop();
  await store.close();
});

test('subscribe() with a scope delivers only its resource, and with a trigger only objects that had or have the value', async () => {
  const { store, cache } = await setup();
  const all: string[] = [];
  const pods: string[] = [];
  const onNode1: string[] = [];
  const name = (ev: CacheEvent) => `${ev.type} ${ev.object.obj.metadata?.name}`;
  const stops = [
    cache.subscribe((ev) => all.push(name(ev))),
    cache.subscribe((ev) => pods.push(name(ev)), { resource: '/core/pods/default/' }),
    cache.subscribe((ev) => onNode1.push(name(ev)), {
      resource: '/core/pods/',
      trigger: { field: 'spec.nodeName', value: 'node-1', of: (o) => o.spec?.nodeName ?? '' },
    }),
  ];
  const put = (k: string, v: unknown) => store.create(k, JSON.stringify(v));
  await put('/core/configmaps/default/cm', { metadata: { name: 'cm' } });
  await put('/core/pods/default/a', { metadata: { name: 'a' }, spec: { nodeName: 'node-1' } });
  const b = await put('/core/pods/default/b', { metadata: { name: 'b' }, spec: {} });
  // b moves onto node-1, then a moves away from it: both are events of node-1's watcher.
  await store.update('/core/pods/default/b', JSON.stringify({ metadata: { name: 'b' }, spec: { nodeName: 'node-1' } }), b.modRevision);
  const a = (await store.get('/core/pods/default/a'))!;
  const last = await store.update('/core/pods/default/a', JSON.stringify({ metadata: { name: 'a' }, spec: { nodeName: 'node-2' } }), a.modRevision);
  await cache.waitFor(last.modRevision);
  assert.deepEqual(all, ['ADDED cm', 'ADDED a', 'ADDED b', 'MODIFIED b', 'MODIFIED a']);
  assert.deepEqual(pods, ['ADDED a', 'ADDED b', 'MODIFIED b', 'MODIFIED a']);
  assert.deepEqual(onNode1, ['ADDED a', 'MODIFIED b', 'MODIFIED a']);
  for (const s of stops) s();
  await cache.stop();
  await store.close();
});
