// Runs the store conformance suite against the sqlite driver, plus what only a durable driver has:
// restart recovery, durability of acknowledged writes across kill -9, group commit, and the
// exclusive lock on the data directory. Deliberately absent: power-loss simulation (SQLite's own
// test suite covers fsync ordering; we check that we ask for it: WAL + synchronous=FULL).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStoreConformance } from './conformance.js';
import { SqliteStore } from './sqlite.js';
import { prefixEnd } from './sqlite-reader.js';
import { openStore } from './open.js';
import { ConflictError, KeyExistsError } from './store.js';
import type { KeyValue, WatchEvent } from './store.js';
import Database from 'better-sqlite3';

function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sqlite-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

runStoreConformance('sqlite', async (tuning) => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir, tuning);
  return {
    store,
    cleanup: async () => {
      await store.close();
      remove();
    },
    watcherCount: () => store.watcherCount(),
  };
});

test('SqliteStore keeps data and revisions across a restart on the same directory', async () => {
  const { dir, remove } = tempDir();
  try {
    let store = await SqliteStore.open(dir);
    const a = await store.create('/a', 'one');
    await store.update('/a', 'two', a.modRevision);
    await store.create('/b', 'b');
    await store.delete('/b');
    await store.compact(2);
    await store.close();

    store = await SqliteStore.open(dir);
    assert.equal(await store.currentRevision(), 4);
    assert.equal(await store.compactedRevision(), 2);
    assert.deepEqual(await store.get('/a'), { key: '/a', value: 'two', createRevision: 1, modRevision: 2 });
    assert.equal(await store.get('/b'), undefined);
    assert.equal((await store.create('/c', 'c')).modRevision, 5);
    await store.compact(5); // the whole log is gone: the revision must still be recovered
    await store.close();

    store = await SqliteStore.open(dir);
    assert.equal(await store.currentRevision(), 5);
    assert.equal((await store.create('/d', 'd')).modRevision, 6);
    await store.close();
  } finally {
    remove();
  }
});

test('SqliteStore group-commits writes queued in the same tick into one transaction', async () => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir);
  try {
    await store.create('/dup', 'v');
    const before = store.stats();
    const creates = Array.from({ length: 100 }, (_, i) => store.create(`/g/${i}`, 'v'));
    const results = await Promise.all(creates);
    const after = store.stats();
    assert.equal(after.commits - before.commits, 1);
    assert.equal(after.writes - before.writes, 100);
    assert.deepEqual(
      results.map((kv) => kv.modRevision),
      Array.from({ length: 100 }, (_, i) => before.writes + 1 + i),
    );
  } finally {
    await store.close();
    remove();
  }
});

test('SqliteStore fails only the op whose precondition fails inside a group commit', async () => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir);
  try {
    const before = store.stats().commits;
    const [a, dup, stale, b] = await Promise.allSettled([
      store.create('/x', 'v'),
      store.create('/x', 'again'),
      store.update('/x', 'w', 99),
      store.create('/y', 'v'),
    ]);
    assert.equal(store.stats().commits - before, 1);
    assert.equal(a.status, 'fulfilled');
    assert.ok(dup.status === 'rejected' && dup.reason instanceof KeyExistsError);
    assert.ok(stale.status === 'rejected' && stale.reason instanceof ConflictError);
    assert.equal(b.status === 'fulfilled' && b.value.modRevision, 2); // failed ops consumed no revision
    assert.equal((await store.get('/x'))?.value, 'v');
  } finally {
    await store.close();
    remove();
  }
});

test('SqliteStore commits writes accepted before close()', async () => {
  const { dir, remove } = tempDir();
  try {
    let store = await SqliteStore.open(dir);
    const pending = store.create('/late', 'v');
    await store.close();
    await pending;
    await assert.rejects(store.create('/after', 'v'), /closed/);
    store = await SqliteStore.open(dir);
    assert.equal((await store.get('/late'))?.value, 'v');
    await store.close();
  } finally {
    remove();
  }
});

test('SqliteStore refuses a second open of the same directory while the first is open', async () => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir);
  try {
    await assert.rejects(SqliteStore.open(dir), /cannot open store .*locked/);
  } finally {
    await store.close();
    remove();
  }
});

test('SqliteStore keeps every acknowledged write when the process is killed with SIGKILL', async () => {
  const { dir, remove } = tempDir();
  try {
    const acked = await writeUntilKilled(dir, 400);
    assert.ok(acked.length >= 400, `only ${acked.length} writes acknowledged`);
    const store = await SqliteStore.open(dir);
    try {
      const missing: string[] = [];
      for (const key of acked) if ((await store.get(key)) === undefined) missing.push(key);
      assert.deepEqual(missing, []);
      const rev = await store.currentRevision();
      assert.ok(rev >= acked.length);
      assert.equal((await store.create('/after-crash', 'v')).modRevision, rev + 1);
    } finally {
      await store.close();
    }
  } finally {
    remove();
  }
});

test('SqliteStore reads show a write only once its result came back from the writer', async () => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir);
  const peek = new Database(join(dir, 'state.db'), { readonly: true });
  try {
    const a = await store.create('/v/a', 'a1');
    const b = await store.create('/v/b', 'b1');
    const ac = new AbortController();
    const events: WatchEvent[] = [];
    const watching = (async () => {
      for await (const ev of store.watch('/v/', { after: b.modRevision, signal: ac.signal })) events.push(ev);
    })();
    const writes = [store.update('/v/a', 'a2', a.modRevision), store.delete('/v/b'), store.create('/v/c', 'c1')];
    await new Promise<void>((resolve) => setImmediate(resolve)); // the batch is now with the writer
    // Wait for the commit without yielding to the event loop, so its result cannot be processed yet.
    const until = Date.now() + 5000;
    while ((peek.prepare('SELECT MAX(rev) FROM log').pluck().get() as number) < b.modRevision + 3) {
      assert.ok(Date.now() < until, 'the writer did not commit');
    }
    assert.equal(await store.currentRevision(), b.modRevision);
    assert.deepEqual(await store.get('/v/a'), a);
    assert.deepEqual(await store.get('/v/b'), b);
    assert.equal(await store.get('/v/c'), undefined);
    const list = await store.list('/v/');
    assert.deepEqual(list, { kvs: [a, b], revision: b.modRevision, more: false });
    assert.deepEqual((await store.list('/v/', { limit: 1 })).kvs, [a]);
    assert.deepEqual((await store.list('/v/', { revision: a.modRevision })).kvs, [a]);
    assert.equal(events.length, 0);

    const [a2, bDeleted, c] = (await Promise.all(writes)) as [KeyValue, KeyValue, KeyValue];
    assert.equal(await store.currentRevision(), c.modRevision);
    assert.deepEqual((await store.list('/v/')).kvs, [a2, c]);
    assert.equal(await store.get('/v/b'), undefined);
    assert.deepEqual(
      events.map((e) => [e.type, e.revision]),
      [['put', a2.modRevision], ['delete', bDeleted.modRevision], ['put', c.modRevision]],
    );
    ac.abort();
    await watching;
  } finally {
    peek.close();
    await store.close();
    remove();
  }
});

test('SqliteStore rejects the writes of a batch the writer could not commit, and carries on', async () => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir);
  try {
    await store.create('/ok/0', 'v');
    // A trigger stands in for an I/O error: the whole transaction fails and rolls back.
    const db = new Database(join(dir, 'state.db'), { timeout: 5000 });
    db.exec(`CREATE TRIGGER boom BEFORE INSERT ON current WHEN NEW.key = '/boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`);
    db.close();
    const results = await Promise.allSettled([store.create('/ok/1', 'v'), store.create('/boom', 'v')]);
    for (const r of results) assert.ok(r.status === 'rejected' && /disk on fire/.test(String(r.reason)));
    assert.equal(await store.currentRevision(), 1);
    assert.equal(await store.get('/ok/1'), undefined);
    assert.equal((await store.create('/ok/2', 'v')).modRevision, 2);
  } finally {
    await store.close();
    remove();
  }
});

test('SqliteStore fails pending and later writes when its writer thread dies, without crashing', async () => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir);
  const warnings: Error[] = [];
  const onWarning = (w: Error): void => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    await store.create('/a', 'v');
    const pending = store.create('/b', 'v');
    await (store as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await assert.rejects(pending, /store writer exited unexpectedly/);
    await assert.rejects(store.create('/c', 'v'), /store writer exited unexpectedly/);
    assert.equal((await store.get('/a'))?.value, 'v'); // reads still work
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.ok(warnings.some((w) => /store writer exited/.test(w.message)));
  } finally {
    process.off('warning', onWarning);
    await store.close();
    remove();
  }
});

test('openStore() opens a sqlite store at <dataDir>/state.db and requires dataDir', async () => {
  const { dir, remove } = tempDir();
  try {
    const store = await openStore({ kind: 'sqlite', dataDir: join(dir, 'nested') });
    assert.ok(store instanceof SqliteStore);
    await store.close();
    await assert.rejects(openStore({ kind: 'sqlite' }), /dataDir/);
  } finally {
    remove();
  }
});

test('prefixEnd() returns the least string above every key with the prefix', () => {
  assert.equal(prefixEnd('/a/'), '/a0');
  assert.equal(prefixEnd(''), undefined);
  assert.equal(prefixEnd('/\uD7FF'), '/\uE000');
  assert.equal(prefixEnd('/\u{10FFFF}'), '0');
});

/**
 * Runs 16 concurrent writers in a child process that prints each key once its create() resolved,
 * SIGKILLs it once `atLeast` keys were acknowledged, and returns the acknowledged keys.
 */
async function writeUntilKilled(dir: string, atLeast: number): Promise<string[]> {
  const selfPath = fileURLToPath(import.meta.url);
  const compiled = selfPath.endsWith('.js'); // dist/ runs plain node; the source tree runs under tsx
  const driver = join(selfPath, '..', compiled ? 'sqlite.js' : 'sqlite.ts');
  const script = join(dir, 'writer.mjs');
  writeFileSync(
    script,
    `import { SqliteStore } from ${JSON.stringify(driver)};
const store = await SqliteStore.open(${JSON.stringify(dir)});
const value = 'x'.repeat(512);
for (let w = 0; w < 16; w++) {
  (async () => {
    for (let i = 0; ; i++) {
      const key = '/crash/' + w + '/' + i;
      await store.create(key, value);
      process.stdout.write(key + '\\n');
    }
  })();
}
`,
  );
  const child = spawn(process.execPath, [...(compiled ? [] : ['--import', 'tsx']), script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!; // an unterminated line was not fully reported: ignore it
    acked.push(...lines);
    if (acked.length >= atLeast && !child.killed) child.kill('SIGKILL');
  });
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.on('exit', (c, s) => resolve([c, s])),
  );
  assert.equal(signal, 'SIGKILL', `writer exited early with code ${code}`);
  return acked;
}

test('SqliteStore checkpoints the WAL on its own thread, so commits never run a checkpoint themselves', async () => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir);
  try {
    // Thousands of WAL pages. SQLite's automatic checkpoint (inside the commit that crosses 1,000
    // pages) would leave the frames of the commits after it unchecked until the next crossing;
    // the checkpointer copies every committed frame soon after the writes stop.
    const value = 'v'.repeat(4000);
    for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 30 }, (_, j) => store.create(`/cp/${i}-${j}`, value)));
    // Read without checkpointing: the wal-index header in the -shm file (SQLite's file format:
    // mxFrame, the last valid frame, at byte 16; nBackfill, frames copied to the database, at 96).
    const shm = join(dir, 'state.db-shm');
    const counts = () => {
      const b = readFileSync(shm);
      return { mxFrame: b.readUInt32LE(16), nBackfill: b.readUInt32LE(96) };
    };
    const deadline = Date.now() + 5000;
    let c = counts();
    while (c.nBackfill !== c.mxFrame && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      c = counts();
    }
    assert.ok(c.mxFrame > 0, 'the last writes are in the WAL');
    assert.equal(c.nBackfill, c.mxFrame, 'every committed frame was checkpointed');
    assert.equal((await store.get('/cp/19-29'))?.value, value);
  } finally {
    await store.close();
    remove();
  }
});

test('SqliteStore loses no write to its checkpointer while a reader holds an old snapshot through a long burst', async () => {
  const { dir, remove } = tempDir();
  const store = await SqliteStore.open(dir);
  // A reader that keeps its snapshot: a RESTART checkpoint waits for it, and must not hold the
  // writer back so long that commits fail with "database is locked".
  const reader = new Database(join(dir, 'state.db'), { readonly: true });
  try {
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT count(*) FROM current').get();
    const value = 'w'.repeat(4000);
    let failed = 0;
    const started = Date.now();
    // About 40 MiB of WAL (values go to two tables), in batches back to back for at least 2 s.
    for (let i = 0; i < 100 || Date.now() - started < 2000; i++) {
      const results = await Promise.allSettled(Array.from({ length: 50 }, (_, j) => store.create(`/burst/${i}-${j}`, value)));
      failed += results.filter((r) => r.status === 'rejected').length;
    }
    assert.equal(failed, 0);
    reader.prepare('COMMIT').run();
    // Then updates and deletes (each reads before it writes) back to back while the checkpointer
    // rewinds the WAL: a read turned into a write must never meet a checkpoint it deadlocks with.
    const keys = Array.from({ length: 50 }, (_, j) => `/churn/${j}`);
    const revs = new Map<string, number>();
    for (const k of keys) revs.set(k, (await store.create(k, value)).modRevision);
    const churnStarted = Date.now();
    for (let round = 0; round < 100 || Date.now() - churnStarted < 2000; round++) {
      const ops = keys.map(async (k) => {
        const kv = round % 10 === 9 ? (await store.delete(k), await store.create(k, value)) : await store.update(k, `${value}${round}`, revs.get(k)!);
        revs.set(k, kv.modRevision);
      });
      failed += (await Promise.allSettled(ops)).filter((r) => r.status === 'rejected').length;
    }
    assert.equal(failed, 0);
  } finally {
    if (reader.inTransaction) reader.prepare('COMMIT').run();
    reader.close();
    await store.close();
    remove();
  }
});
