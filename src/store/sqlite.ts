// The embedded, durable store driver on better-sqlite3: `<dataDir>/state.db` in WAL mode with
// synchronous=FULL, so a write is fsync'd before its promise resolves. This file is the Store: it
// wires the writer worker (sqlite-writer.ts), the main thread's reader (sqlite-reader.ts) and the
// watch hub, and owns the write pipeline. Writes run on the worker, which owns the only write
// connection, so a commit's fsync never blocks this thread's event loop. Writes are group-committed:
// every write queued before the next check phase of the event loop, or while the previous batch
// commits, goes to the writer as one batch, which it applies in one transaction and one fsync; each
// op's precondition is checked inside it, in order, and a failed precondition fails only that op.
// One batch is in flight at a time, so results come back in revision order; this thread then
// advances its revision, publishes the watch events and settles the promises, in that order. Reads
// show exactly the writes whose results have come back: this file tells the reader that revision and
// whether its connection may already see more.
// `<dataDir>/state.db.lock`, held with an exclusive SQLite lock, keeps a second store (this process
// or another) off the same directory.
// Deliberately absent: SQL and row mapping (sqlite-reader.ts, sqlite-writer.ts), the start-up
// sequence (sqlite-open.ts), multi-process access, and any schema beyond what the Store contract needs.

import type { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from './store.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from './store.js';
import { WatchHub, freezeEvent, startAutoCompaction } from './watch-hub.js';
import type { CompactionPolicy } from './watch-hub.js';
import { fromWire, openDataDir } from './sqlite-open.js';
import type { SqliteParts } from './sqlite-open.js';
import type { ReadView, SqliteReader } from './sqlite-reader.js';
import type { FromWriter, Op, OpResult, ToWriter } from './sqlite-schema.js';

/** Batches in flight to the writer at once (see `inflight`). */
const MAX_INFLIGHT = 2;

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
    return new SqliteStore(await openDataDir(dataDir), opts);
  }

  private readonly lock: Database.Database;
  private readonly worker: Worker;
  private readonly reader: SqliteReader;
  private readonly hub: WatchHub;
  private readonly stopCompaction: () => void;
  private queue: Pending[] = [];
  private flushScheduled = false;
  /** The batch the writer is committing; its writes may already be visible to the reader. */
  /**
   * Batches sent to the writer and not yet answered, oldest first. Two may be in flight so the
   * writer starts the next transaction as soon as one commits, without waiting for this thread.
   */
  private inflight: { id: number; batch: Pending[] }[] = [];
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

  private constructor({ lock, worker, reader, rev, compacted }: SqliteParts, opts: SqliteStoreOptions) {
    this.lock = lock;
    this.worker = worker;
    this.reader = reader;
    this.rev = rev;
    this.compacted = compacted;
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
    return this.reader.get(key, this.view());
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const limit = opts.limit ?? 0;
    const at = opts.revision ?? this.rev;
    if (at > this.rev) throw new RangeError(`revision ${at} is in the future (current ${this.rev})`);
    if (at < this.compacted) throw new CompactedError(at, this.compacted);
    return { ...this.reader.list(prefix, this.view(), { at, after: opts.after, limit }), revision: at };
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
    if (this.flushScheduled || this.inflight.length >= MAX_INFLIGHT || this.queue.length === 0) return;
    this.flushScheduled = true;
    // The check phase runs after this turn's I/O callbacks and microtasks, so every request that
    // arrived in the same poll (and every writer woken by the previous commit) joins the batch.
    setImmediate(() => this.flush());
  }

  /** Sends everything queued as one batch, unless MAX_INFLIGHT batches are committing (it then goes next). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inflight.length >= MAX_INFLIGHT || this.queue.length === 0 || this.failure) return;
    const batch = this.queue;
    this.queue = [];
    const id = ++this.nextId;
    this.inflight.push({ id, batch });
    this.updateRef();
    this.send({ type: 'batch', id, ops: batch.map((p) => p.op) });
  }

  private onWriterMessage(msg: FromWriter): void {
    switch (msg.type) {
      case 'committed':
      case 'batch-failed': {
        const inflight = this.inflight[0];
        if (!inflight || inflight.id !== msg.id) {
          this.fail(new Error(`store writer answered batch ${msg.id}, expected ${inflight?.id}`));
          return;
        }
        this.inflight.shift();
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
    const pending = [...this.inflight.flatMap((b) => b.batch), ...this.queue];
    this.queue = [];
    // A batch that was committing may or may not be on disk; `view()` keeps reads at this.rev.
    this.inflight = [];
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
    return (this.inflight.length === 0 && this.queue.length === 0) || this.failure !== undefined;
  }

  /** The writer keeps the process alive only while it owes us an answer, like any pending I/O. */
  private updateRef(): void {
    const busy = !this.exited && (this.inflight.length > 0 || this.compactions.size > 0 || this.closing);
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

  /** What reads show: the writes whose results came back, though the connection may see more. */
  private view(): ReadView {
    return { rev: this.rev, mayBeAhead: this.inflight.length > 0 || this.failure !== undefined };
  }

  /** History for watches: only revisions whose results came back, so events are never seen early. */
  private readHistory(prefix: string, { after, limit }: { after: number; limit: number }): WatchEvent[] {
    this.checkOpen();
    return this.reader.changes(prefix, { after, upTo: this.rev, limit });
  }

  private checkOpen(): void {
    if (this.readsClosed) throw new Error('store is closed');
  }
}
