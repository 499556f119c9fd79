// The store conformance suite: one set of node:test cases that every driver must pass, so memory,
// sqlite (and later etcd) agree on revisions, CAS, list paging, history and watch semantics.
// Deliberately absent: driver-specific behaviour (durability, restart, group commit) — each driver's
// own test file covers that — and timing assertions (performance lives in bench/).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from './store.js';
import type { Store, WatchEvent } from './store.js';

/** Driver knobs the suite needs: history page size for watch replay, and automatic compaction. */
export interface StoreTuning {
  watchPageSize?: number;
  compactIntervalMs?: number;
  keepRevisions?: number;
}

export interface StoreUnderTest {
  store: Store;
  cleanup: () => Promise<void>;
  /** Live watcher registrations; when given, the suite proves that watches unregister. */
  watcherCount?: () => number;
}

export function runStoreConformance(name: string, makeStore: (tuning?: StoreTuning) => Promise<StoreUnderTest>): void {
  const it = (title: string, fn: (s: StoreUnderTest) => Promise<void>, tuning?: StoreTuning): void => {
    test(title, { timeout: 30_000 }, async () => {
      const s = await makeStore(tuning);
      try {
        await fn(s);
      } finally {
        await s.cleanup();
      }
    });
  };

  describe(`${name} store conformance`, () => {
    it('create() assigns the next revision as createRevision and modRevision', async ({ store }) => {
      const before = await store.currentRevision();
      const kv = await store.create('/a', 'one');
      assert.deepEqual(kv, { key: '/a', value: 'one', createRevision: before + 1, modRevision: before + 1 });
      assert.equal(await store.currentRevision(), before + 1);
      assert.deepEqual(await store.get('/a'), kv);
    });

    it('create() fails with KeyExistsError when the key exists, consuming no revision', async ({ store }) => {
      await store.create('/a', 'one');
      const rev = await store.currentRevision();
      await assert.rejects(store.create('/a', 'two'), KeyExistsError);
      assert.equal(await store.currentRevision(), rev);
      assert.equal((await store.get('/a'))?.value, 'one');
    });

    it('get() returns undefined for a missing key', async ({ store }) => {
      assert.equal(await store.get('/missing'), undefined);
    });

    it('update() replaces the value when expectedModRevision matches', async ({ store }) => {
      const a = await store.create('/a', 'one');
      const b = await store.update('/a', 'two', a.modRevision);
      assert.deepEqual(b, { key: '/a', value: 'two', createRevision: a.createRevision, modRevision: a.modRevision + 1 });
      assert.deepEqual(await store.get('/a'), b);
    });

    it('update() fails with ConflictError carrying the current kv when modRevision is stale', async ({ store }) => {
      const a = await store.create('/a', 'one');
      const b = await store.update('/a', 'two', a.modRevision);
      await assert.rejects(store.update('/a', 'three', a.modRevision), (err: unknown) => {
        assert.ok(err instanceof ConflictError);
        assert.deepEqual(err.current, b);
        return true;
      });
      assert.equal((await store.get('/a'))?.value, 'two');
    });

    it('update() fails with KeyNotFoundError when the key is absent', async ({ store }) => {
      await assert.rejects(store.update('/nope', 'x', 1), KeyNotFoundError);
    });

    it('delete() returns the last value with the delete revision as modRevision', async ({ store }) => {
      const a = await store.create('/a', 'one');
      const d = await store.delete('/a');
      assert.deepEqual(d, { key: '/a', value: 'one', createRevision: a.createRevision, modRevision: a.modRevision + 1 });
      assert.equal(await store.get('/a'), undefined);
      assert.equal(await store.currentRevision(), d.modRevision);
    });

    it('delete() fails with ConflictError on a stale modRevision and KeyNotFoundError when absent', async ({ store }) => {
      const a = await store.create('/a', 'one');
      await store.update('/a', 'two', a.modRevision);
      await assert.rejects(store.delete('/a', a.modRevision), ConflictError);
      assert.equal((await store.get('/a'))?.value, 'two');
      await assert.rejects(store.delete('/nope'), KeyNotFoundError);
      await assert.rejects(store.delete('/nope', 3), KeyNotFoundError);
    });

    it('create() after delete() starts a new incarnation with a new createRevision', async ({ store }) => {
      const a = await store.create('/a', 'one');
      await store.delete('/a', a.modRevision);
      const again = await store.create('/a', 'two');
      assert.ok(again.createRevision > a.createRevision + 1);
      assert.equal(again.createRevision, again.modRevision);
    });

    it('revisions strictly increase across keys and failed writes consume none', async ({ store }) => {
      const revs: number[] = [];
      for (let i = 0; i < 20; i++) {
        revs.push((await store.create(`/k${i}`, 'v')).modRevision);
        await assert.rejects(store.create(`/k${i}`, 'v'), KeyExistsError);
      }
      for (let i = 1; i < revs.length; i++) assert.equal(revs[i], revs[i - 1]! + 1);
    });

    it('concurrent create() of the same key lets exactly one win', async ({ store }) => {
      const results = await Promise.allSettled(Array.from({ length: 16 }, (_, i) => store.create('/race', `w${i}`)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
      assert.equal((await store.get('/race'))?.value, (won[0] as PromiseFulfilledResult<{ value: string }>).value.value);
    });

    it('concurrent update() with the same expected revision lets exactly one win', async ({ store }) => {
      const a = await store.create('/cas', 'v0');
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.update('/cas', `v${i + 1}`, a.modRevision)));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
    });

    it('list() returns only keys under the prefix, in code-point order', async ({ store }) => {
      for (const k of ['/a/b', '/ab', '/a/a', '/b/a', '/a/\u{1F600}', '/a/\uFFFD', '/a/Z', '/a']) await store.create(k, k);
      const res = await store.list('/a/');
      assert.deepEqual(res.kvs.map((kv) => kv.key), ['/a/Z', '/a/a', '/a/b', '/a/\uFFFD', '/a/\u{1F600}']);
      assert.equal(res.more, false);
      assert.equal(res.revision, await store.currentRevision());
      assert.equal((await store.list('')).kvs.length, 8);
      assert.deepEqual((await store.list('/c/')).kvs, []);
    });

    it('list() pages with limit and after, reporting more', async ({ store }) => {
      for (let i = 0; i < 7; i++) await store.create(`/p/${i}`, `${i}`);
      await store.create('/q/0', 'other');
      const keys: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.list('/p/', { limit: 3, after });
        keys.push(...page.kvs.map((kv) => kv.key));
        if (!page.more) break;
        assert.equal(page.kvs.length, 3);
        after = page.kvs.at(-1)!.key;
      }
      assert.deepEqual(keys, ['/p/0', '/p/1', '/p/2', '/p/3', '/p/4', '/p/5', '/p/6']);
      const exact = await store.list('/p/', { limit: 7 });
      assert.equal(exact.more, false);
      assert.deepEqual((await store.list('/p/', { after: '/a' })).kvs.length, 7);
    });

    it('list() at a past revision returns the state as of that revision', async ({ store }) => {
      const a = await store.create('/h/a', 'a1');
      const b = await store.create('/h/b', 'b1');
      await store.create('/h/c', 'c1');
      const at = await store.currentRevision();
      await store.update('/h/a', 'a2', a.modRevision);
      await store.delete('/h/b', b.modRevision);
      await store.create('/h/d', 'd1');
      await store.create('/h/0', 'zero');
      const then = await store.list('/h/', { revision: at });
      assert.equal(then.revision, at);
      assert.deepEqual(then.kvs.map((kv) => [kv.key, kv.value, kv.modRevision]), [
        ['/h/a', 'a1', a.modRevision],
        ['/h/b', 'b1', b.modRevision],
        ['/h/c', 'c1', at],
      ]);
      const p1 = await store.list('/h/', { revision: at, limit: 2 });
      assert.deepEqual([p1.kvs.map((kv) => kv.key), p1.more], [['/h/a', '/h/b'], true]);
      const p2 = await store.list('/h/', { revision: at, limit: 2, after: '/h/b' });
      assert.deepEqual([p2.kvs.map((kv) => kv.key), p2.more], [['/h/c'], false]);
      const now = await store.list('/h/');
      assert.deepEqual(now.kvs.map((kv) => kv.value), ['zero', 'a2', 'c1', 'd1']);
    });

    it('list() at a compacted revision fails with CompactedError', async ({ store }) => {
      for (let i = 0; i < 5; i++) await store.create(`/c/${i}`, 'v');
      await store.compact(3);
      await assert.rejects(store.list('/c/', { revision: 2 }), CompactedError);
      assert.deepEqual((await store.list('/c/', { revision: 3 })).kvs.map((kv) => kv.key), ['/c/0', '/c/1', '/c/2']);
    });

    it('compact() drops history but keeps current values', async ({ store }) => {
      const a = await store.create('/k', 'v1');
      await store.update('/k', 'v2', a.modRevision);
      const rev = await store.currentRevision();
      await store.compact(rev);
      assert.equal(await store.compactedRevision(), rev);
      assert.equal((await store.get('/k'))?.value, 'v2');
      assert.equal((await store.list('/')).kvs.length, 1);
      await store.compact(rev - 1); // going backwards is a no-op
      assert.equal(await store.compactedRevision(), rev);
      assert.equal((await store.create('/k2', 'v')).modRevision, rev + 1);
    });

    it('watch() replays history after the given revision, then follows live writes', async ({ store }) => {
      const a = await store.create('/w/a', '1');
      const start = a.modRevision;
      const b = await store.update('/w/a', '2', a.modRevision);
      const ac = new AbortController();
      const seen: WatchEvent[] = [];
      const done = (async () => {
        for await (const ev of store.watch('/w/', { after: start, signal: ac.signal })) {
          seen.push(ev);
          if (seen.length === 3) break;
        }
      })();
      await waitFor(() => seen.length === 1);
      const d = await store.delete('/w/a');
      await store.create('/w/b', 'x');
      await done;
      assert.deepEqual(seen[0], { type: 'put', kv: b, prevKv: a, revision: b.modRevision });
      assert.deepEqual(seen[1], { type: 'delete', kv: d, prevKv: b, revision: d.modRevision });
      assert.equal(seen[2]!.type, 'put');
      assert.equal(seen[2]!.prevKv, undefined);
      assert.deepEqual(seen[2]!.kv, { key: '/w/b', value: 'x', createRevision: d.modRevision + 1, modRevision: d.modRevision + 1 });
    });

    it('watch() delivers only keys under its prefix', async ({ store }) => {
      const ac = new AbortController();
      const seen = collect(store.watch('/x/', { after: 0, signal: ac.signal }), 2);
      await store.create('/y/1', 'no');
      await store.create('/x/1', 'yes');
      await store.create('/xx', 'no');
      await store.create('/x/2', 'yes');
      assert.deepEqual((await seen).map((e) => e.kv.key), ['/x/1', '/x/2']);
    });

    it('watch() delivers every event exactly once, in order, across replay and live while writes race', async ({ store }) => {
      for (let i = 0; i < 60; i++) await store.create(`/r/pre${i}`, 'v');
      const after = 25;
      const revisions: number[] = [];
      let last = 0;
      const ac = new AbortController();
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 40; i++) {
          const kv = await store.create(`/r/${w}/${i}`, 'v');
          if (i % 3 === 0) await store.update(kv.key, 'v2', kv.modRevision);
          if (i % 5 === 0) await store.delete(kv.key);
          if (i % 4 === 0) await tick(); // an in-process driver would otherwise finish before the watch starts
        }
      });
      await tick();
      const consumer = (async () => {
        for await (const ev of store.watch('', { after, signal: ac.signal })) {
          revisions.push(ev.revision);
          last = ev.revision;
          if (revisions.length % 5 === 0) await tick(); // stay slow enough to straddle replay and live
        }
      })();
      await Promise.all(writers);
      const final = await store.currentRevision();
      await waitFor(() => last === final);
      ac.abort();
      await consumer;
      assert.deepEqual(revisions, Array.from({ length: final - after }, (_, i) => after + 1 + i));
    }, { watchPageSize: 7 });

    it('watch() fails with CompactedError when after is below the compacted revision', async ({ store }) => {
      for (let i = 0; i < 6; i++) await store.create(`/c/${i}`, 'v');
      await store.compact(4);
      const ac = new AbortController();
      await assert.rejects(store.watch('/c/', { after: 3, signal: ac.signal })[Symbol.asyncIterator]().next(), CompactedError);
      const ok = await collect(store.watch('/c/', { after: 4, signal: ac.signal }), 2);
      assert.deepEqual(ok.map((e) => e.revision), [5, 6]);
    });

    it('watch() ends and unregisters when the signal aborts', async ({ store, watcherCount }) => {
      const ac = new AbortController();
      const it = store.watch('/a/', { after: 0, signal: ac.signal })[Symbol.asyncIterator]();
      const pending = it.next();
      await tick();
      if (watcherCount) assert.equal(watcherCount(), 1);
      ac.abort();
      assert.deepEqual(await pending, { done: true, value: undefined });
      assert.deepEqual(await it.next(), { done: true, value: undefined });
      if (watcherCount) assert.equal(watcherCount(), 0);
      await store.create('/a/1', 'v'); // publishing to nobody must be harmless
    });

    it('watch() unregisters when the consumer breaks out of the loop', async ({ store, watcherCount }) => {
      await store.create('/a/1', 'v');
      await store.create('/a/2', 'v');
      const ac = new AbortController();
      for await (const ev of store.watch('/a/', { after: 0, signal: ac.signal })) {
        assert.equal(ev.revision, 1);
        break;
      }
      if (watcherCount) assert.equal(watcherCount(), 0);
      const aborted = new AbortController();
      aborted.abort();
      assert.deepEqual(await collect(store.watch('/a/', { after: 0, signal: aborted.signal }), 1), []);
    });

    it('watch() with a slow consumer does not hold up writers', async ({ store }) => {
      const ac = new AbortController();
      const it = store.watch('/s/', { after: 0, signal: ac.signal })[Symbol.asyncIterator]();
      await store.create('/s/first', 'v');
      assert.equal((await it.next()).value?.kv.key, '/s/first');
      for (let i = 0; i < 2000; i++) await store.create(`/s/${i}`, 'v'); // nobody is reading
      let n = 0;
      while (n < 2000) {
        const r = await it.next();
        assert.equal(r.value?.kv.key, `/s/${n++}`);
      }
      await it.return!();
    });

    it('close() ends open watches', async ({ store }) => {
      const ac = new AbortController();
      const it = store.watch('', { after: 0, signal: ac.signal })[Symbol.asyncIterator]();
      const pending = it.next();
      await tick();
      await store.close();
      assert.deepEqual(await pending, { done: true, value: undefined });
    });

    it('automatic compaction keeps the last keepRevisions revisions', async ({ store }) => {
      for (let i = 0; i < 20; i++) await store.create(`/auto/${i}`, 'v');
      await waitFor(async () => (await store.compactedRevision()) === 15);
      assert.equal((await store.list('/auto/')).kvs.length, 20);
      await assert.rejects(store.list('/auto/', { revision: 14 }), CompactedError);
    }, { compactIntervalMs: 10, keepRevisions: 5 });
  });
}

/** Up to n events from a watch; gives up after 5 s so a missing event fails the test, not hangs it. */
async function collect(events: AsyncIterable<WatchEvent>, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  if (n === 0) return out;
  const iter = events[Symbol.asyncIterator]();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 5000)));
  try {
    while (out.length < n) {
      const r = await Promise.race([iter.next(), deadline]);
      if (r === 'timeout' || r.done) break;
      out.push(r.value);
    }
  } finally {
    clearTimeout(timer);
    await iter.return?.();
  }
  return out;
}

async function waitFor(cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(2);
  }
}
