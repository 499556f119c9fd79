// Runs the store conformance suite against the memory driver, plus what is specific to it (the
// factory wiring) and the driver-independent helpers in watch-hub.ts, which have no test file of
// their own. Deliberately absent: anything already covered by the shared suite.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runStoreConformance } from './conformance.js';
import { MemoryStore } from './memory.js';
import { openStore } from './open.js';
import type { WatchEvent } from './store.js';
import { WatchHub, compareKeys, freezeEvent, listAtRevision } from './watch-hub.js';
import type { HistorySource } from './watch-hub.js';

runStoreConformance('memory', async (tuning) => {
  const store = new MemoryStore(tuning);
  return { store, cleanup: () => store.close(), watcherCount: () => store.watcherCount() };
});

test('openStore() opens a memory store that starts at revision 0', async () => {
  const store = await openStore({ kind: 'memory' });
  try {
    assert.ok(store instanceof MemoryStore);
    assert.equal(await store.currentRevision(), 0);
  } finally {
    await store.close();
  }
});

test('MemoryStore rejects operations after close()', async () => {
  const store = new MemoryStore();
  await store.close();
  await assert.rejects(store.get('/a'), /closed/);
  await assert.rejects(store.create('/a', 'v'), /closed/);
});

// The drivers publish synchronously after a commit, so their history reads never lag or lead the
// live stream; a fake source that does both proves the hub's hand-off holds without that help.
describe('WatchHub', () => {
  const ev = (revision: number, key = `/k/${revision}`): WatchEvent =>
    freezeEvent({ type: 'put', kv: { key, value: 'v', createRevision: revision, modRevision: revision }, revision });
  const fakeSource = (all: WatchEvent[], visible: { n: number }): HistorySource => ({
    readHistory: (prefix, { after, limit }) =>
      all
        .slice(0, visible.n)
        .filter((e) => e.revision > after && e.kv.key.startsWith(prefix))
        .slice(0, limit < 0 ? undefined : limit),
    compactedRevision: () => 0,
  });

  test('WatchHub keeps live events published during replay that history does not show yet', async () => {
    const all = [1, 2, 3, 4, 5, 6, 7].map((r) => ev(r));
    const visible = { n: 5 };
    const hub = new WatchHub(fakeSource(all, visible), 2);
    const it = hub.watch('/k/', { after: 0, signal: new AbortController().signal })[Symbol.asyncIterator]();
    const got = [(await it.next()).value!.revision];
    hub.publish(all.slice(5)); // 6 and 7 are live but not yet readable as history
    for (let i = 0; i < 6; i++) got.push((await it.next()).value!.revision);
    assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7]);
    await it.return!();
    assert.equal(hub.size, 0);
  });

  test('WatchHub drops live events that replay already delivered', async () => {
    const all = [1, 2, 3, 4, 5, 6, 7].map((r) => ev(r));
    const visible = { n: 5 };
    const hub = new WatchHub(fakeSource(all, visible), 2);
    const it = hub.watch('', { after: 1, signal: new AbortController().signal })[Symbol.asyncIterator]();
    const got = [(await it.next()).value!.revision];
    visible.n = 7; // history now leads: 6 and 7 are readable before they are published
    hub.publish(all.slice(3)); // 4..7 arrive live too
    for (let i = 0; i < 5; i++) got.push((await it.next()).value!.revision);
    hub.publish([ev(8)]);
    got.push((await it.next()).value!.revision);
    assert.deepEqual(got, [2, 3, 4, 5, 6, 7, 8]);
  });
});

test('listAtRevision() merges restored keys with current ones in key order', () => {
  const kv = (key: string, rev: number) => ({ key, value: key, createRevision: rev, modRevision: rev });
  const current = [kv('/b', 1), kv('/d', 5)]; // /d was created after revision 3
  const changes: WatchEvent[] = [
    { type: 'delete', kv: { ...kv('/a', 2), modRevision: 4 }, prevKv: kv('/a', 2), revision: 4 },
    { type: 'put', kv: kv('/d', 5), revision: 5 },
    { type: 'delete', kv: { ...kv('/c', 3), modRevision: 6 }, prevKv: kv('/c', 3), revision: 6 },
  ];
  assert.deepEqual(listAtRevision(current, changes, { limit: 0 }).kvs.map((k) => k.key), ['/a', '/b', '/c']);
  assert.deepEqual(listAtRevision(current, changes, { limit: 2 }), { kvs: [kv('/a', 2), kv('/b', 1)], more: true });
  const afterB = current.filter((k) => k.key > '/b'); // callers pass only current keys after `after`
  assert.deepEqual(listAtRevision(afterB, changes, { limit: 2, after: '/b' }), { kvs: [kv('/c', 3)], more: false });
});

test('compareKeys() orders by code point, astral characters after U+FFFF', () => {
  const keys = ['/\u{1F600}', '/\uFFFD', '/b', '/a', '/', '/ab'];
  assert.deepEqual(keys.sort(compareKeys), ['/', '/a', '/ab', '/b', '/\uFFFD', '/\u{1F600}']);
});
