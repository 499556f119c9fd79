// Shared machinery for the store drivers: watch fan-out with exactly-once history→live hand-off,
// lists at a past revision rebuilt from the history log, key ordering, and periodic compaction.
// Deliberately absent: storage. Drivers own their current-state and history data and expose them
// through `HistorySource`; nothing here does I/O or knows about SQL.

import { CompactedError } from './store.js';
import type { KeyValue, Store, WatchEvent, WatchOptions } from './store.js';

/**
 * Orders keys by Unicode code point, which is UTF-8 byte order — the order SQLite's BINARY collation
 * uses. Plain `<` on JS strings compares UTF-16 units and disagrees for astral characters, so both
 * drivers sort with this to keep list pages identical across drivers.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (astral code points) must sort above U+E000..U+FFFF.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** What a driver exposes so the hub can replay history. Reads are synchronous by design: see WatchHub. */
export interface HistorySource {
  /** Events with revision > after whose key starts with prefix, ascending, at most `limit` (< 0: all). */
  readHistory(prefix: string, range: { after: number; limit: number }): WatchEvent[];
  compactedRevision(): number;
}

/** Freezes an event so one object can be shared by every watcher without defensive copies. */
export function freezeEvent(ev: WatchEvent): WatchEvent {
  Object.freeze(ev.kv);
  if (ev.prevKv) Object.freeze(ev.prevKv);
  return Object.freeze(ev);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Fans committed events out to watchers. Drivers call `publish` synchronously right after a commit,
 * in revision order. A watcher registers its live listener first and then replays history page by
 * page; live events arriving meanwhile are buffered and, at the switch, only those above the last
 * replayed revision are kept. Because a driver never has a committed-but-unpublished write visible
 * to a history read at a point where JS can run in between, this gives no gap and no duplicate; the
 * revision check makes it safe even if a driver one day publishes asynchronously.
 *
 * Each watcher buffers without bound: a slow consumer costs memory, never writer latency. The
 * API server runs a handful of store watches (its watch cache), so this is the right trade.
 */
export class WatchHub {
  private readonly streams = new Set<WatchStream>();

  constructor(
    readonly source: HistorySource,
    readonly pageSize = 512,
  ) {}

  /** Number of registered live listeners (tests use it to prove that watches clean up). */
  get size(): number {
    return this.streams.size;
  }

  publish(events: readonly WatchEvent[]): void {
    if (this.streams.size === 0) return;
    for (const ev of events) {
      for (const s of this.streams) {
        if (ev.kv.key.startsWith(s.prefix)) s.deliver(ev);
      }
    }
  }

  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent> {
    const stream = new WatchStream(this, prefix, opts);
    return { [Symbol.asyncIterator]: () => stream };
  }

  /** Ends every watch (store close). */
  closeAll(): void {
    for (const s of [...this.streams]) s.finish();
  }

  /** @internal */ add(s: WatchStream): void {
    this.streams.add(s);
  }
  /** @internal */ remove(s: WatchStream): void {
    this.streams.delete(s);
  }
}

interface Waiter {
  resolve(r: IteratorResult<WatchEvent>): void;
  reject(e: unknown): void;
}

class WatchStream implements AsyncIterator<WatchEvent> {
  private ready: WatchEvent[] = [];
  private head = 0;
  /** Live events that arrive while history is still being replayed; null once live. */
  private pendingLive: WatchEvent[] | null = [];
  /** Highest revision handed to `ready`; everything at or below it is a duplicate. */
  private cursor: number;
  private started = false;
  private finished = false;
  private waiters: Waiter[] = [];
  private readonly signal: AbortSignal;
  private readonly onAbort = (): void => this.finish();

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    opts: WatchOptions,
  ) {
    this.cursor = opts.after;
    this.signal = opts.signal;
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    if (this.finished) return Promise.resolve(DONE);
    if (!this.started) {
      this.started = true;
      if (this.signal.aborted) {
        this.finish();
        return Promise.resolve(DONE);
      }
      const compacted = this.hub.source.compactedRevision();
      if (this.cursor < compacted) {
        this.finish();
        return Promise.reject(new CompactedError(this.cursor, compacted));
      }
      // Listen before reading history: see the class comment on WatchHub.
      this.hub.add(this);
      this.signal.addEventListener('abort', this.onAbort, { once: true });
    }
    if (this.head === this.ready.length && this.pendingLive) {
      try {
        this.replayPage();
      } catch (err) {
        this.finish();
        return Promise.reject(err);
      }
    }
    if (this.head < this.ready.length) return Promise.resolve({ done: false, value: this.take() });
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<WatchEvent>> {
    this.finish();
    return Promise.resolve(DONE);
  }

  /** Called by the hub for each published event under this prefix. */
  deliver(ev: WatchEvent): void {
    if (this.pendingLive) {
      this.pendingLive.push(ev);
      return;
    }
    if (ev.revision <= this.cursor) return;
    this.cursor = ev.revision;
    const w = this.waiters.shift();
    if (w) w.resolve({ done: false, value: ev });
    else this.ready.push(ev);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.hub.remove(this);
    this.signal.removeEventListener('abort', this.onAbort);
    this.ready = [];
    this.head = 0;
    this.pendingLive = null;
    for (const w of this.waiters.splice(0)) w.resolve(DONE);
  }

  private replayPage(): void {
    const { source, pageSize } = this.hub;
    const compacted = source.compactedRevision();
    // Compaction may overtake a slow replay; continuing would silently skip events.
    if (this.cursor < compacted) throw new CompactedError(this.cursor, compacted);
    const page = source.readHistory(this.prefix, { after: this.cursor, limit: pageSize });
    for (const ev of page) this.push(ev);
    if (page.length < pageSize) {
      // History is exhausted up to now; everything later is in pendingLive.
      const live = this.pendingLive ?? [];
      this.pendingLive = null;
      for (const ev of live) this.push(ev);
    }
  }

  private push(ev: WatchEvent): void {
    if (ev.revision <= this.cursor) return;
    this.cursor = ev.revision;
    this.ready.push(ev);
  }

  private take(): WatchEvent {
    const ev = this.ready[this.head++]!;
    if (this.head === this.ready.length) {
      this.ready = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.ready.length) {
      // Drop the consumed front now and then so a long-lived backlog does not pin memory.
      this.ready = this.ready.slice(this.head);
      this.head = 0;
    }
    return ev;
  }
}

/**
 * Builds one page of a list as of revision R from the current state and the changes after R.
 * The earliest change to a key after R tells its value at R: its prevKv (absent for a create).
 * `current` yields the current keys under the prefix that sort after `after`, in key order;
 * `changes` yields the events after R under the prefix, ascending. Cost is O(changes since R +
 * page), so recent revisions (the usual paging case) are cheap.
 */
export function listAtRevision(
  current: Iterable<KeyValue>,
  changes: Iterable<WatchEvent>,
  opts: { after?: string; limit: number },
): { kvs: KeyValue[]; more: boolean } {
  const atRevision = new Map<string, KeyValue | undefined>();
  for (const ev of changes) {
    if (!atRevision.has(ev.kv.key)) atRevision.set(ev.kv.key, ev.prevKv);
  }
  const after = opts.after;
  const restored: KeyValue[] = [];
  for (const kv of atRevision.values()) {
    if (kv && (after === undefined || compareKeys(kv.key, after) > 0)) restored.push(kv);
  }
  restored.sort((a, b) => compareKeys(a.key, b.key));

  const want = opts.limit > 0 ? opts.limit + 1 : Infinity;
  const out: KeyValue[] = [];
  let r = 0;
  for (const kv of current) {
    if (out.length >= want) break;
    if (atRevision.has(kv.key)) continue;
    while (r < restored.length && out.length < want && compareKeys(restored[r]!.key, kv.key) < 0) {
      out.push(restored[r++]!);
    }
    if (out.length < want) out.push(kv);
  }
  while (r < restored.length && out.length < want) out.push(restored[r++]!);
  const more = out.length > opts.limit && opts.limit > 0;
  if (more) out.length = opts.limit;
  return { kvs: out, more };
}

export interface CompactionPolicy {
  /** How often to compact automatically, in ms; 0 disables. Default 60,000. */
  compactIntervalMs?: number;
  /** How many most recent revisions of history to keep. Default 10,000. */
  keepRevisions?: number;
  /** Told about a failed automatic compaction; the next tick retries. Default: ignore. */
  onCompactError?: (err: unknown) => void;
}

/** Compacts `store` periodically on an unref'd timer; returns the function that stops it. */
export function startAutoCompaction(
  store: Pick<Store, 'currentRevision' | 'compactedRevision' | 'compact'>,
  policy: CompactionPolicy,
): () => void {
  const interval = policy.compactIntervalMs ?? 60_000;
  const keep = policy.keepRevisions ?? 10_000;
  if (interval <= 0) return () => {};
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const target = (await store.currentRevision()) - keep;
      if (target > (await store.compactedRevision())) await store.compact(target);
    } catch (err) {
      policy.onCompactError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), interval);
  timer.unref();
  return () => clearInterval(timer);
}
