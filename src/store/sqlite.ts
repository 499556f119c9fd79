// The embedded, durable store driver on better-sqlite3: `<dataDir>/state.db` in WAL mode with
// synchronous=FULL, so a write is fsync'd before its promise resolves. Writes run on a worker thread
// (sqlite-writer.ts) that owns the only write connection, so a commit's fsync never blocks this
// thread's event loop. Writes are group-committed: every write queued before the next check phase of
// the event loop, or while the previous batch commits, goes to the writer as one batch, which it
// applies in one transaction and one fsync; each op's precondition is checked inside it, in order,
// and a failed precondition fails only that op. One batch is in flight at a time, so results come
// back in revision order; this thread then advances its revision, publishes the watch events and
// settles the promises, in that order. Reads (get, list, watch history) use a second connection on
// this thread (WAL readers never wait for the writer) and show exactly the writes whose results have
// come back: while a batch is in flight, a read runs in one snapshot and subtracts anything newer.
// `<dataDir>/state.db.lock`, held with an exclusive SQLite lock, keeps a second store (this process
// or another) off the same directory.
// Deliberately absent: multi-process access, and any schema beyond what the Store contract needs.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from './store.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from './store.js';
import { WatchHub, compareKeys, freezeEvent, listAtRevision, startAutoCompaction } from './watch-hub.js';
import type { CompactionPolicy } from './watch-hub.js';
import { LOG_COLUMNS } from './sqlite-schema.js';
import type { CurrentRow, FromWriter, LogRow, Op, OpResult, ToWriter, WireError, WriterInit } from './sqlite-schema.js';

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

interface Pending {
  op: Op;
  resolve(kv: KeyValue): void;
  reject(err: unknown): void;
}

interface Settle {
  resolve(): void;
  reject(err: unknown): void;
}

export class SqliteStore implements Store {
  /** Opens (creating if needed) `<dataDir>/state.db`; the writer recovers the revision from disk. */
  static async open(dataDir: string, opts: SqliteStoreOptions = {}): Promise<SqliteStore> {
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'state.db');
    let lock: Database.Database | undefined;
    let worker: Worker | undefined;
    let reader: Database.Database | undefined;
    try {
      lock = lockDataDir(`${file}.lock`);
      worker = startWriter(file);
      const { rev, compacted } = await writerReady(worker);
      reader = new Database(file, { timeout: 1000 });
      reader.pragma('query_only = ON');
      reader.pragma('cache_size = -32768');
      return new SqliteStore(lock, worker, reader, rev, compacted, opts);
    } catch (err) {
      reader?.close();
      await worker?.terminate();
      lock?.close();
      throw new Error(`cannot open store ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  private readonly hub: WatchHub;
  private readonly stopCompaction: () => void;
  private readonly statements = new Map<string, Database.Statement>();
  /** Runs fn in one read transaction: every statement in it sees the same snapshot. */
  private readonly inSnapshot: (fn: () => unknown) => unknown;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** The batch the writer is committing; its writes may already be visible to the reader. */
  private inflight: { id: number; batch: Pending[] } | undefined;
  private readonly compactions = new Map<number, Settle>();
  private nextId = 0;
  /** Revision of the last write whose result came back: what reads show and watches have seen. */
  private rev: number;
  private compacted: number;
  /** Set when the writer died: every later write fails with it. */
  private failure: Error | undefined;
  /** Set by close(): no new writes; the queue drains, then everything shuts. */
  private closing = false;
  private closed: Promise<void> | undefined;
  private readsClosed = false;
  private drainWaiters: (() => void)[] = [];
  private exited = false;
  private readonly writerExit: Promise<void>;
  private reffed = true;
  private readonly counters: SqliteStoreStats = { commits: 0, writes: 0, largestBatch: 0 };

  private constructor(
    private readonly lock: Database.Database,
    private readonly worker: Worker,
    private readonly reader: Database.Database,
    rev: number,
    compacted: number,
    opts: SqliteStoreOptions,
  ) {
    this.rev = rev;
    this.compacted = compacted;
    this.inSnapshot = reader.transaction((fn: () => unknown) => fn());
    worker.on('message', (msg: FromWriter) => this.onWriterMessage(msg));
    worker.on('messageerror', (err) => this.fail(new Error('store writer sent an unreadable message', { cause: err })));
    worker.on('error', (err) => this.fail(new Error(`store writer failed: ${err.message}`, { cause: err })));
    this.writerExit = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.exited = true;
        if (!this.closing) this.fail(new Error(`store writer exited unexpectedly (code ${code})`));
        // Compactions cut short by close() are done as far as anyone can tell: the mark is durable.
        for (const c of this.compactions.values()) c.resolve();
        this.compactions.clear();
        resolve();
      }),
    );
    this.updateRef();
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
    if (!this.mayBeAhead()) return this.readCurrent(key);
    return this.inSnapshot(() => {
      // The first change after our revision carries the value we must show (absent for a create).
      const change = this.stmt(`SELECT ${LOG_COLUMNS} FROM log WHERE rev > ? AND key = ? ORDER BY rev LIMIT 1`).get(
        this.rev,
        key,
      ) as LogRow | undefined;
      return change ? toEvent(change).prevKv : this.readCurrent(key);
    }) as KeyValue | undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const limit = opts.limit ?? 0;
    const at = opts.revision ?? this.rev;
    if (at > this.rev) throw new RangeError(`revision ${at} is in the future (current ${this.rev})`);
    if (at < this.compacted) throw new CompactedError(at, this.compacted);
    if (at === this.rev && !this.mayBeAhead()) return { ...this.listCurrent(prefix, opts.after, limit), revision: at };
    return this.inSnapshot(() => {
      // Read the changes before opening the cursor: the connection is busy while a cursor is open.
      const changes = this.readChanges(prefix, at, Infinity);
      if (changes.length === 0) return { ...this.listCurrent(prefix, opts.after, limit), revision: at };
      const query = this.currentQuery(prefix, { after: opts.after, limit: -1 });
      const rows = query.stmt.iterate(...query.args) as IterableIterator<CurrentRow>;
      return { ...listAtRevision(mapRows(rows), changes, { after: opts.after, limit }), revision: at };
    }) as ListResult;
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
    if (this.failure) throw this.failure;
    // Readers check the mark before trusting history, so raise it before the writer deletes anything.
    this.compacted = revision;
    const id = ++this.nextId;
    const done = new Promise<void>((resolve, reject) => this.compactions.set(id, { resolve, reject }));
    this.updateRef();
    this.send({ type: 'compact', id, revision });
    return done;
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  /** Commits the writes already accepted, ends watches, stops the writer and closes the files. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closing = true;
      this.closed = this.shutdown();
    }
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.updateRef();
    this.flush(); // writes already accepted get committed, not dropped
    await new Promise<void>((resolve) => {
      if (this.isDrained()) resolve();
      else this.drainWaiters.push(resolve);
    });
    this.readsClosed = true;
    this.stopCompaction();
    this.hub.closeAll();
    this.reader.close(); // first, so the writer's connection is the last and checkpoints off this thread
    if (!this.exited) this.send({ type: 'close' });
    await this.writerExit;
    this.lock.close();
  }

  private enqueue(op: Op): Promise<KeyValue> {
    if (this.closing) return Promise.reject(new Error('store is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inflight || this.queue.length === 0) return;
    this.flushScheduled = true;
    // The check phase runs after this turn's I/O callbacks and microtasks, so every request that
    // arrived in the same poll (and every writer woken by the previous commit) joins the batch.
    setImmediate(() => this.flush());
  }

  /** Sends everything queued as one batch, unless a batch is still committing (it then goes next). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inflight || this.queue.length === 0 || this.failure) return;
    const batch = this.queue;
    this.queue = [];
    this.inflight = { id: ++this.nextId, batch };
    this.updateRef();
    this.send({ type: 'batch', id: this.inflight.id, ops: batch.map((p) => p.op) });
  }

  private onWriterMessage(msg: FromWriter): void {
    switch (msg.type) {
      case 'committed':
      case 'batch-failed': {
        const inflight = this.inflight;
        if (!inflight || inflight.id !== msg.id) {
          this.fail(new Error(`store writer answered batch ${msg.id}, expected ${inflight?.id}`));
          return;
        }
        this.inflight = undefined;
        const { batch } = inflight;
        if (msg.type === 'committed') this.committed(batch, msg.results);
        else {
          // The transaction rolled back (I/O error, disk full): nothing in this batch happened.
          const err = fromWire(msg.error);
          for (const p of batch) p.reject(err);
        }
        this.scheduleFlush();
        this.afterSettle();
        return;
      }
      case 'compacted':
      case 'compact-failed': {
        const c = this.compactions.get(msg.id);
        this.compactions.delete(msg.id);
        if (msg.type === 'compacted') c?.resolve();
        else c?.reject(fromWire(msg.error));
        this.afterSettle();
        return;
      }
      default:
        this.fail(new Error(`store writer sent an unexpected ${msg.type} message`));
    }
  }

  /** The batch is durable: advance the revision, publish its events, then settle each op. */
  private committed(batch: Pending[], results: OpResult[]): void {
    const events: WatchEvent[] = [];
    const outcomes: (KeyValue | Error)[] = [];
    batch.forEach((p, i) => {
      const r = results[i]!;
      const { op } = p;
      if ('fail' in r) {
        if (r.fail === 'conflict') outcomes.push(new ConflictError(op.key, Object.freeze({ key: op.key, ...r.current })));
        else outcomes.push(r.fail === 'exists' ? new KeyExistsError(op.key) : new KeyNotFoundError(op.key));
        return;
      }
      const revision = r.rev;
      let ev: WatchEvent;
      if (op.kind === 'create') {
        ev = { type: 'put', kv: { key: op.key, value: op.value, createRevision: revision, modRevision: revision }, revision };
      } else {
        const prevKv = { key: op.key, ...r.prev! };
        ev =
          op.kind === 'update'
            ? { type: 'put', kv: { key: op.key, value: op.value, createRevision: prevKv.createRevision, modRevision: revision }, prevKv, revision }
            : { type: 'delete', kv: { ...prevKv, modRevision: revision }, prevKv, revision };
      }
      this.rev = revision;
      events.push(freezeEvent(ev));
      outcomes.push(ev.kv);
    });
    this.counters.commits++;
    this.counters.writes += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    this.hub.publish(events);
    outcomes.forEach((r, i) => (r instanceof Error ? batch[i]!.reject(r) : batch[i]!.resolve(r)));
  }

  /** The writer is gone or misbehaving: fail what it holds and every later write. */
  private fail(err: Error): void {
    if (!this.failure) {
      this.failure = err;
      if (!this.closing) process.emitWarning(err);
    }
    const pending = [...(this.inflight?.batch ?? []), ...this.queue];
    this.queue = [];
    // A batch that was committing may or may not be on disk; `mayBeAhead` keeps reads at this.rev.
    this.inflight = undefined;
    for (const p of pending) p.reject(err);
    for (const c of this.compactions.values()) c.reject(err);
    this.compactions.clear();
    this.afterSettle();
  }

  private afterSettle(): void {
    if (this.isDrained()) for (const w of this.drainWaiters.splice(0)) w();
    this.updateRef();
  }

  private isDrained(): boolean {
    return (!this.inflight && this.queue.length === 0) || this.failure !== undefined;
  }

  /** The writer keeps the process alive only while it owes us an answer, like any pending I/O. */
  private updateRef(): void {
    const busy = !this.exited && (this.inflight !== undefined || this.compactions.size > 0 || this.closing);
    if (busy === this.reffed) return;
    this.reffed = busy;
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  private send(msg: ToWriter): void {
    try {
      this.worker.postMessage(msg);
    } catch (err) {
      this.fail(new Error(`cannot reach the store writer: ${(err as Error).message}`, { cause: err }));
    }
  }

  /** Whether the read connection may see commits whose results have not come back yet. */
  private mayBeAhead(): boolean {
    return this.inflight !== undefined || this.failure !== undefined;
  }

  private readCurrent(key: string): KeyValue | undefined {
    const row = this.stmt('SELECT key, value, create_rev, mod_rev FROM current WHERE key = ?').get(key) as CurrentRow | undefined;
    return row && toKv(row);
  }

  /** The current rows under prefix after `after`, at most limit (0: all), when they are all at this.rev. */
  private listCurrent(prefix: string, after: string | undefined, limit: number): { kvs: KeyValue[]; more: boolean } {
    const query = this.currentQuery(prefix, { after, limit: limit > 0 ? limit + 1 : -1 });
    const rows = query.stmt.all(...query.args) as CurrentRow[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { kvs: rows.map(toKv), more };
  }

  /** History for watches: only revisions whose results came back, so events are never seen early. */
  private readHistory(prefix: string, { after, limit }: { after: number; limit: number }): WatchEvent[] {
    this.checkOpen();
    return this.readChanges(prefix, after, this.rev, limit);
  }

  /** Log events under prefix with after < rev <= upTo, ascending, at most limit (< 0: all). */
  private readChanges(prefix: string, after: number, upTo: number, limit = -1): WatchEvent[] {
    const end = prefixEnd(prefix);
    const bounded = Number.isFinite(upTo);
    const sql =
      `SELECT ${LOG_COLUMNS} FROM log WHERE rev > ?${bounded ? ' AND rev <= ?' : ''} AND key >= ?` +
      `${end === undefined ? '' : ' AND key < ?'} ORDER BY rev LIMIT ?`;
    const args: unknown[] = [after];
    if (bounded) args.push(upTo);
    args.push(prefix);
    if (end !== undefined) args.push(end);
    args.push(limit);
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
      s = this.reader.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private checkOpen(): void {
    if (this.readsClosed) throw new Error('store is closed');
  }
}

/**
 * Holds `path` (a small SQLite file) with an exclusive lock for as long as the returned connection
 * stays open: a second store on the same directory, in this process or another, fails with
 * "database is locked". The data file itself cannot be locked this way: its reader and writer
 * connections share it.
 */
function lockDataDir(path: string): Database.Database {
  const db = new Database(path, { timeout: 1000 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY'); // it holds no data: no journal file beside it
    db.exec('BEGIN EXCLUSIVE; COMMIT'); // exclusive locking mode keeps the lock after the commit
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Starts the writer. Compiled, it is `sqlite-writer.js` beside this file. From source (tests under
 * tsx) it is the `.ts` file, loaded through tsx's API: on Node 20, `--import tsx` in a worker's
 * execArgv does not apply to the worker's entry module.
 */
function startWriter(file: string): Worker {
  const init: WriterInit = { file };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sqlite-writer.js', import.meta.url), { workerData: init });
  const entry = new URL('./sqlite-writer.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** Waits for the writer to open the database and report the recovered revisions. */
function writerReady(worker: Worker): Promise<{ rev: number; compacted: number }> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (msg: FromWriter): void => {
      done();
      if (msg.type === 'ready') resolve({ rev: msg.rev, compacted: msg.compacted });
      else if (msg.type === 'open-failed') reject(fromWire(msg.error));
      else reject(new Error(`store writer sent ${msg.type} before opening`));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`store writer exited with code ${code} before opening`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function fromWire(e: WireError): Error {
  const err = new Error(e.message);
  if (e.code) Object.assign(err, { code: e.code });
  return err;
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
