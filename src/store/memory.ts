// The in-process store driver: current state in a Map plus a sorted key index, history as an array of
// events indexed by revision. Used by unit tests and `--store memory`; semantics match the sqlite
// driver exactly (the conformance suite runs against both).
// Deliberately absent: persistence, size limits, and batching (writes apply synchronously, so there
// is nothing to group).

import { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from './store.js';
import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions } from './store.js';
import { WatchHub, compareKeys, freezeEvent, listAtRevision, startAutoCompaction } from './watch-hub.js';
import type { CompactionPolicy, HistorySource } from './watch-hub.js';

export interface MemoryStoreOptions extends CompactionPolicy {
  /** Events read per history page when a watch replays (tests shrink it to exercise paging). */
  watchPageSize?: number;
}

export class MemoryStore implements Store {
  private readonly kvs = new Map<string, KeyValue>();
  /** All current keys in compareKeys order, so prefix lists never sort. */
  private readonly keys: string[] = [];
  /** Every event above `compacted`, in order: log[i].revision === compacted + 1 + i. */
  private log: WatchEvent[] = [];
  private rev = 0;
  private compacted = 0;
  private closed = false;
  private readonly hub: WatchHub;
  private readonly stopCompaction: () => void;

  constructor(opts: MemoryStoreOptions = {}) {
    const source: HistorySource = {
      readHistory: (prefix, range) => this.readHistory(prefix, range),
      compactedRevision: () => this.compacted,
    };
    this.hub = new WatchHub(source, opts.watchPageSize);
    this.stopCompaction = startAutoCompaction(this, opts);
  }

  /** Registered live watchers (for leak tests). */
  watcherCount(): number {
    return this.hub.size;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    return this.kvs.get(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const limit = opts.limit ?? 0;
    if (opts.revision !== undefined && opts.revision < this.rev) {
      const at = opts.revision;
      if (at < this.compacted) throw new CompactedError(at, this.compacted);
      const changes = this.readHistory(prefix, { after: at, limit: -1 });
      const page = listAtRevision(this.currentFrom(prefix, opts.after), changes, { after: opts.after, limit });
      return { ...page, revision: at };
    }
    if (opts.revision !== undefined && opts.revision > this.rev) {
      throw new RangeError(`revision ${opts.revision} is in the future (current ${this.rev})`);
    }
    const kvs: KeyValue[] = [];
    let more = false;
    for (const kv of this.currentFrom(prefix, opts.after)) {
      if (limit > 0 && kvs.length === limit) {
        more = true;
        break;
      }
      kvs.push(kv);
    }
    return { kvs, revision: this.rev, more };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    if (this.kvs.has(key)) throw new KeyExistsError(key);
    const rev = this.rev + 1;
    const kv = Object.freeze({ key, value, createRevision: rev, modRevision: rev });
    this.keys.splice(this.lowerBound(key), 0, key);
    this.commit(kv, { type: 'put', kv, revision: rev });
    return kv;
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const prev = this.kvs.get(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (prev.modRevision !== expectedModRevision) throw new ConflictError(key, prev);
    const rev = this.rev + 1;
    const kv = Object.freeze({ key, value, createRevision: prev.createRevision, modRevision: rev });
    this.commit(kv, { type: 'put', kv, prevKv: prev, revision: rev });
    return kv;
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const prev = this.kvs.get(key);
    if (!prev) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && prev.modRevision !== expectedModRevision) {
      throw new ConflictError(key, prev);
    }
    const rev = this.rev + 1;
    const kv = Object.freeze({ ...prev, modRevision: rev });
    this.keys.splice(this.lowerBound(key), 1);
    this.commit(undefined, { type: 'delete', kv, prevKv: prev, revision: rev });
    return kv;
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    this.checkOpen();
    return this.hub.watch(prefix, opts);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new RangeError(`cannot compact to ${revision}: current revision is ${this.rev}`);
    if (revision <= this.compacted) return;
    this.log = this.log.slice(revision - this.compacted);
    this.compacted = revision;
  }

  async currentRevision(): Promise<number> {
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopCompaction();
    this.hub.closeAll();
  }

  /** Events above `after` under prefix. Synchronous, which keeps the hub's replay→live hand-off simple. */
  private readHistory(prefix: string, { after, limit }: { after: number; limit: number }): WatchEvent[] {
    const out: WatchEvent[] = [];
    for (let i = Math.max(0, after - this.compacted); i < this.log.length; i++) {
      const ev = this.log[i]!;
      if (!ev.kv.key.startsWith(prefix)) continue;
      out.push(ev);
      if (out.length === limit) break;
    }
    return out;
  }

  private commit(kv: KeyValue | undefined, ev: WatchEvent): void {
    if (kv) this.kvs.set(ev.kv.key, kv);
    else this.kvs.delete(ev.kv.key);
    this.rev = ev.revision;
    const frozen = freezeEvent(ev);
    this.log.push(frozen);
    this.hub.publish([frozen]);
  }

  /** Current kvs under prefix with key > after, in key order. */
  private *currentFrom(prefix: string, after: string | undefined): Generator<KeyValue> {
    let i: number;
    if (after !== undefined && compareKeys(after, prefix) >= 0) {
      i = this.lowerBound(after);
      if (this.keys[i] === after) i++;
    } else {
      i = this.lowerBound(prefix);
    }
    for (; i < this.keys.length; i++) {
      const key = this.keys[i]!;
      if (!key.startsWith(prefix)) return;
      yield this.kvs.get(key)!;
    }
  }

  /** Index of the first key >= key. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}
