// The embedded, durable store driver on better-sqlite3: `<dataDir>/state.db` in WAL mode with
// synchronous=FULL, so a write is fsync'd before its promise resolves. Writes are group-committed:
// every write queued before the next check phase of the event loop goes into one transaction and one
// fsync; each op's precondition is checked inside it, in order, and a failed precondition fails only
// that op. Watch events are published after the commit.
// Deliberately absent: a writer thread (fsync is ~0.5 ms here, so commits run on the main thread and
// block it that long), multi-process access (the file is locked exclusively), and any schema beyond
// what the Store contract needs.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextCheckPhase } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from './store.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from './store.js';
import { WatchHub, compareKeys, freezeEvent, listAtRevision, startAutoCompaction } from './watch-hub.js';
import type { CompactionPolicy } from './watch-hub.js';

export interface SqliteStoreOptions extends CompactionPolicy {
  /** Events read per history page when a watch replays (tests shrink it to exercise paging). */
  watchPageSize?: number;
}

/** Counters that let tests and benchmarks see group commit at work. */
export interface SqliteStoreStats {
  /** Write transactions committed (each is one fsync of the WAL). */
  commits: number;
  /** Write operations that went through those transactions, successful or not. */
  writes: number;
  largestBatch: number;
}

// One log row per revision. Deletes keep the value in the prev_* columns (value is NULL), and every
// row carries the value it replaced, so prevKv and lists at a past revision never need a second
// lookup, and compaction is a plain range delete.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  value TEXT,
  create_rev INTEGER NOT NULL,
  prev_value TEXT,
  prev_create_rev INTEGER,
  prev_mod_rev INTEGER
);
CREATE TABLE IF NOT EXISTS current (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  create_rev INTEGER NOT NULL,
  mod_rev INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

const LOG_COLUMNS = 'rev, key, deleted, value, create_rev, prev_value, prev_create_rev, prev_mod_rev';
const COMPACT_CHUNK = 2000;

interface CurrentRow {
  key: string;
  value: string;
  create_rev: number;
  mod_rev: number;
}
interface LogRow {
  rev: number;
  key: string;
  deleted: number;
  value: string | null;
  create_rev: number;
  prev_value: string | null;
  prev_create_rev: number | null;
  prev_mod_rev: number | null;
}

type Op =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

interface Pending {
  op: Op;
  resolve(kv: KeyValue): void;
  reject(err: unknown): void;
}

export class SqliteStore implements Store {
  /** Opens (creating if needed) `<dataDir>/state.db` and recovers the revision from disk. */
  static async open(dataDir: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteStore(join(dataDir, 'state.db'), opts);
  }

  private readonly db: Database.Database;
  private readonly hub: WatchHub;
  private readonly stopCompaction: () => void;
  private readonly statements = new Map<string, Database.Statement>();
  private queue: Pending[] = [];
  private flushScheduled = false;
  private rev: number;
  private compacted: number;
  private closed = false;
  private readonly counters: SqliteStoreStats = { commits: 0, writes: 0, largestBatch: 0 };
  private readonly applyBatch: (batch: Pending[]) => { results: (KeyValue | Error)[]; events: WatchEvent[] };

  private constructor(file: string, opts: SqliteStoreOptions) {
    this.db = new Database(file, { timeout: 1000 });
    try {
      // Exclusive locking before WAL: no shared-memory index, and a second process (or a second
      // berth on the same --data-dir) fails to open instead of corrupting the revision sequence.
      this.db.pragma('locking_mode = EXCLUSIVE');
      if (this.db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') throw new Error('WAL mode unavailable');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('cache_size = -32768');
      this.db.exec(SCHEMA);
      this.db.exec('BEGIN IMMEDIATE; COMMIT'); // take the exclusive lock now, not at the first write
    } catch (err) {
      this.db.close();
      throw new Error(`cannot open store ${file}: ${(err as Error).message}`, { cause: err });
    }
    const meta = this.db.prepare('SELECT value FROM meta WHERE name = ?').pluck();
    this.compacted = (meta.get('compacted') as number | undefined) ?? 0;
    const maxRev = (this.db.prepare('SELECT MAX(rev) FROM log').pluck().get() as number | null) ?? 0;
    // Compaction never removes rows above the compacted revision, so this is the last acknowledged write.
    this.rev = Math.max(maxRev, this.compacted);
    this.applyBatch = this.db.transaction((batch: Pending[]) => {
      const results: (KeyValue | Error)[] = [];
      const events: WatchEvent[] = [];
      for (const p of batch) {
        try {
          const ev = this.apply(p.op);
          events.push(ev);
          results.push(ev.kv);
        } catch (err) {
          if (!isPreconditionError(err)) throw err;
          results.push(err);
        }
      }
      return { results, events };
    });
    this.hub = new WatchHub(
      {
        readHistory: (prefix, range) => this.readHistory(prefix, range),
        compactedRevision: () => this.compacted,
      },
      opts.watchPageSize,
    );
    this.stopCompaction = startAutoCompaction(this, opts);
  }

  stats(): SqliteStoreStats {
    return { ...this.counters };
  }

  /** Registered live watchers (for leak tests). */
  watcherCount(): number {
    return this.hub.size;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    const row = this.stmt('SELECT key, value, create_rev, mod_rev FROM current WHERE key = ?').get(key) as
      | CurrentRow
      | undefined;
    return row && toKv(row);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const limit = opts.limit ?? 0;
    const at = opts.revision;
    if (at !== undefined && at > this.rev) {
      throw new RangeError(`revision ${at} is in the future (current ${this.rev})`);
    }
    if (at !== undefined && at < this.rev) {
      if (at < this.compacted) throw new CompactedError(at, this.compacted);
      // Read the changes before opening the cursor: the connection is busy while a cursor is open.
      const changes = this.readHistory(prefix, { after: at, limit: -1 });
      const query = this.currentQuery(prefix, { after: opts.after, limit: -1 });
      const rows = query.stmt.iterate(...query.args) as IterableIterator<CurrentRow>;
      const page = listAtRevision(mapRows(rows), changes, { after: opts.after, limit });
      return { ...page, revision: at };
    }
    const query = this.currentQuery(prefix, { after: opts.after, limit: limit > 0 ? limit + 1 : -1 });
    const rows = query.stmt.all(...query.args) as CurrentRow[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { kvs: rows.map(toKv), revision: this.rev, more };
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.enqueue({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'update', key, value, expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    return this.enqueue({ kind: 'delete', key, expected: expectedModRevision });
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    this.checkOpen();
    return this.hub.watch(prefix, opts);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new RangeError(`cannot compact to ${revision}: current revision is ${this.rev}`);
    if (revision <= this.compacted) return;
    // Record the mark first: readers check it before trusting history, and rows left below it by a
    // crash mid-delete are invisible and removed by the next compaction.
    this.stmt('INSERT INTO meta(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(
      'compacted',
      revision,
    );
    this.compacted = revision;
    let lo = ((this.stmt('SELECT MIN(rev) FROM log').pluck().get() as number | null) ?? revision) - 1;
    // Delete in chunks, yielding between them, so a large compaction never stalls writers for long.
    while (lo < revision && !this.closed) {
      const hi = Math.min(lo + COMPACT_CHUNK, revision);
      this.stmt('DELETE FROM log WHERE rev > ? AND rev <= ?').run(lo, hi);
      lo = hi;
      if (lo < revision) await nextCheckPhase();
    }
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush(); // writes already accepted get committed, not dropped
    this.closed = true;
    this.stopCompaction();
    this.hub.closeAll();
    this.db.close();
  }

  private enqueue(op: Op): Promise<KeyValue> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // The check phase runs after this turn's I/O callbacks and microtasks, so every request
        // that arrived in the same poll (and every writer woken by the previous commit) joins.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0 || this.closed) return;
    this.queue = [];
    const startRev = this.rev;
    let outcome: { results: (KeyValue | Error)[]; events: WatchEvent[] };
    try {
      outcome = this.applyBatch(batch);
    } catch (err) {
      // The transaction rolled back (I/O error, disk full): nothing in this batch happened.
      this.rev = startRev;
      for (const p of batch) p.reject(err);
      return;
    }
    this.counters.commits++;
    this.counters.writes += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    this.hub.publish(outcome.events);
    outcome.results.forEach((r, i) => (r instanceof Error ? batch[i]!.reject(r) : batch[i]!.resolve(r)));
  }

  /** Applies one op inside the batch transaction; throws a precondition error to fail only this op. */
  private apply(op: Op): WatchEvent {
    const rev = this.rev + 1;
    const insertLog = this.stmt(`INSERT INTO log(${LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    let ev: WatchEvent;
    if (op.kind === 'create') {
      // The insert is the existence check: one index probe instead of a read and then a write.
      const inserted = this.stmt(
        'INSERT INTO current(key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO NOTHING',
      ).run(op.key, op.value, rev, rev);
      if (inserted.changes === 0) throw new KeyExistsError(op.key);
      insertLog.run(rev, op.key, 0, op.value, rev, null, null, null);
      ev = { type: 'put', kv: { key: op.key, value: op.value, createRevision: rev, modRevision: rev }, revision: rev };
    } else {
      const prevRow = this.stmt('SELECT key, value, create_rev, mod_rev FROM current WHERE key = ?').get(op.key) as
        | CurrentRow
        | undefined;
      const prev = prevRow && toKv(prevRow);
      if (!prev) throw new KeyNotFoundError(op.key);
      if (op.expected !== undefined && prev.modRevision !== op.expected) throw new ConflictError(op.key, prev);
      if (op.kind === 'update') {
        this.stmt('UPDATE current SET value = ?, mod_rev = ? WHERE key = ?').run(op.value, rev, op.key);
        insertLog.run(rev, op.key, 0, op.value, prev.createRevision, prev.value, prev.createRevision, prev.modRevision);
        const kv = { key: op.key, value: op.value, createRevision: prev.createRevision, modRevision: rev };
        ev = { type: 'put', kv, prevKv: prev, revision: rev };
      } else {
        this.stmt('DELETE FROM current WHERE key = ?').run(op.key);
        insertLog.run(rev, op.key, 1, null, prev.createRevision, prev.value, prev.createRevision, prev.modRevision);
        ev = { type: 'delete', kv: { ...prev, modRevision: rev }, prevKv: prev, revision: rev };
      }
    }
    this.rev = rev;
    return freezeEvent(ev);
  }

  private readHistory(prefix: string, { after, limit }: { after: number; limit: number }): WatchEvent[] {
    const end = prefixEnd(prefix);
    const sql = `SELECT ${LOG_COLUMNS} FROM log WHERE rev > ? AND key >= ?${end === undefined ? '' : ' AND key < ?'} ORDER BY rev LIMIT ?`;
    const args = end === undefined ? [after, prefix, limit] : [after, prefix, end, limit];
    return (this.stmt(sql).all(...args) as LogRow[]).map(toEvent);
  }

  /** The query for current rows under prefix with key > after, in key order (limit < 0: all). */
  private currentQuery(
    prefix: string,
    { after, limit }: { after: string | undefined; limit: number },
  ): { stmt: Database.Statement; args: unknown[] } {
    const useAfter = after !== undefined && compareKeys(after, prefix) >= 0;
    const end = prefixEnd(prefix);
    const sql =
      'SELECT key, value, create_rev, mod_rev FROM current WHERE ' +
      (useAfter ? 'key > ?' : 'key >= ?') +
      (end === undefined ? '' : ' AND key < ?') +
      ' ORDER BY key LIMIT ?';
    const args: unknown[] = [useAfter ? after : prefix];
    if (end !== undefined) args.push(end);
    args.push(limit);
    return { stmt: this.stmt(sql), args };
  }

  /** Prepared statements are cached by their SQL; the set is small and fixed. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

function isPreconditionError(err: unknown): err is Error {
  return err instanceof KeyExistsError || err instanceof KeyNotFoundError || err instanceof ConflictError;
}

function toKv(row: CurrentRow): KeyValue {
  return Object.freeze({ key: row.key, value: row.value, createRevision: row.create_rev, modRevision: row.mod_rev });
}

function* mapRows(rows: Iterable<CurrentRow>): Generator<KeyValue> {
  for (const row of rows) yield toKv(row);
}

function toEvent(row: LogRow): WatchEvent {
  const prevKv =
    row.prev_mod_rev === null
      ? undefined
      : { key: row.key, value: row.prev_value!, createRevision: row.prev_create_rev!, modRevision: row.prev_mod_rev };
  if (row.deleted) {
    return freezeEvent({ type: 'delete', kv: { ...prevKv!, modRevision: row.rev }, prevKv, revision: row.rev });
  }
  const kv = { key: row.key, value: row.value!, createRevision: row.create_rev, modRevision: row.rev };
  return freezeEvent(prevKv ? { type: 'put', kv, prevKv, revision: row.rev } : { type: 'put', kv, revision: row.rev });
}

/**
 * The smallest string above every key that starts with prefix, in code-point (= SQLite BINARY) order,
 * so prefix scans are index ranges. Undefined when no such bound exists (empty prefix).
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = Array.from(prefix);
  while (cps.length > 0) {
    const cp = cps.pop()!.codePointAt(0)!;
    if (cp < 0x10ffff) return cps.join('') + String.fromCodePoint(cp + 1 === 0xd800 ? 0xe000 : cp + 1);
  }
  return undefined;
}
