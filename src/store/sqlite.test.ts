// Runs the store conformance suite against the sqlite driver, plus what only a durable driver has:
// restart recovery, durability of acknowledged writes across kill -9, group commit, and the
// exclusive lock on the data directory. Deliberately absent: power-loss simulation (SQLite's own
// test suite covers fsync ordering; we check that we ask for it: WAL + synchronous=FULL).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStoreConformance } from './conformance.js';
import { SqliteStore, prefixEnd } from './sqlite.js';
import { openStore } from './open.js';
import { ConflictError, KeyExistsError } from './store.js';

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
