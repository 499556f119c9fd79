// The watch cache, like kube-apiserver's cacher: the whole store mirrored in memory, read once at
// start and followed by one store watch. Lists, gets and watches are served from here; each object
// version is parsed and serialized once and the bytes are shared by every reader and watcher.
// It keeps a bounded window of recent events so watches can resume from a resourceVersion; older
// ones get 410 Expired. Deliberately absent: writes (the registry writes to the store and waits
// here for its own revision, which gives read-your-writes).

import { deepFreeze } from '../api/freeze.js';
import type { KObject } from '../api/resource.js';
import type { KeyValue, Store, WatchEvent } from '../store/store.js';
import { withResourceVersion } from './stored-json.js';

export interface CachedObject {
  key: string;
  rv: number;
  /** Parsed object with metadata.resourceVersion set. Shared, and deep-frozen: never mutate it. */
  obj: KObject;
  /** JSON of obj. */
  json: string;
  /** UTF-8 length of json, measured by the first large list that needs it. */
  jsonBytes?: number;
  /** JSON of obj.metadata, filled in by the first table that needs it. */
  metaJson?: string;
}

export interface CacheEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  /** For DELETED: the last state, with resourceVersion = the deletion revision. */
  object: CachedObject;
  prev?: CachedObject;
}

export type CacheListener = (ev: CacheEvent) => void;

export interface WatchCacheOptions {
  /** Events kept for resuming watches. */
  historySize?: number;
}

/**
 * A superseded version keeps only its JSON: its parsed object is dropped (whoever holds it keeps
 * it) and parsed again, frozen, if a resuming watcher or a previous-version check asks. The
 * history of 20,000 events otherwise keeps 20,000 object graphs alive, which at 10,000 pods is
 * most of the heap and of the time spent collecting it.
 */
function releaseParsed(c: CachedObject): void {
  let parsed: KObject | undefined;
  Object.defineProperty(c, 'obj', {
    configurable: true,
    enumerable: true,
    get: () => (parsed ??= deepFreeze(JSON.parse(c.json) as KObject)),
  });
}

/** `/<group>/<plural>/` of a key `/<group>/<plural>/[<ns>/]<name>`. */
export function resourcePrefixOf(key: string): string {
  const i = key.indexOf('/', 1);
  const j = key.indexOf('/', i + 1);
  return key.slice(0, j + 1);
}

export class WatchCache {
  private readonly resources = new Map<string, Map<string, CachedObject>>();
  private readonly sorted = new Map<string, CachedObject[]>();
  private readonly history: CacheEvent[] = [];
  private historyStart = 0; // index of the oldest event in the ring
  private readonly historySize: number;
  /** Oldest revision a watch may resume from. */
  private oldestResumable = 0;
  /** Listeners of every event, of one resource, and of one resource's objects with a field value. */
  private readonly listeners = new Set<CacheListener>();
  private readonly byResource = new Map<string, Set<CacheListener>>();
  private readonly byTrigger = new Map<string, Map<string, Trigger>>();
  private readonly waiters: { rv: number; resolve: () => void }[] = [];
  private readonly hints = new Map<string, { value: string; obj: KObject }>();
  private abort = new AbortController();
  private running: Promise<void> | undefined;
  revision = 0;
  /** Set when the store watch failed; the cache then refuses to serve. */
  failure: Error | undefined;

  constructor(
    private readonly store: Store,
    opts: WatchCacheOptions = {},
  ) {
    this.historySize = opts.historySize ?? 20000;
  }

  async start(): Promise<void> {
    const all = await this.store.list('/');
    for (const kv of all.kvs) {
      const c = this.fromKv(kv);
      this.mapFor(kv.key).set(kv.key, c);
    }
    this.revision = all.revision;
    this.oldestResumable = all.revision;
    this.running = this.follow(all.revision);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private async follow(after: number): Promise<void> {
    try {
      for await (const ev of this.store.watch('/', { after, signal: this.abort.signal })) {
        this.apply(ev);
      }
    } catch (e) {
      if (!this.abort.signal.aborted) {
        this.failure = e as Error;
        throw e;
      }
    }
  }

  private mapFor(key: string): Map<string, CachedObject> {
    const p = resourcePrefixOf(key);
    let m = this.resources.get(p);
    if (!m) {
      m = new Map();
      this.resources.set(p, m);
    }
    return m;
  }

  private fromKv(kv: KeyValue, rv = kv.modRevision): CachedObject {
    const hint = this.hints.get(kv.key);
    let obj: KObject;
    if (hint && hint.value === kv.value) {
      this.hints.delete(kv.key);
      obj = hint.obj;
    } else {
      obj = JSON.parse(kv.value) as KObject;
    }
    obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
    // Shared by reference with in-process watchers (the watch handler's object mode).
    deepFreeze(obj);
    return { key: kv.key, rv, obj, json: withResourceVersion(kv.value, rv) };
  }

  /**
   * Hands over the object a writer is about to store as `value`, so the cache need not parse it
   * again when the write's event arrives. The writer must not touch obj afterwards.
   */
  expect(key: string, value: string, obj: KObject): void {
    this.hints.set(key, { value, obj });
  }

  /** Withdraws a hint whose write failed. */
  unexpect(key: string, value: string): void {
    if (this.hints.get(key)?.value === value) this.hints.delete(key);
  }

  private apply(ev: WatchEvent): void {
    const m = this.mapFor(ev.kv.key);
    const prev = m.get(ev.kv.key);
    let cev: CacheEvent;
    if (ev.type === 'put') {
      const c = this.fromKv(ev.kv);
      m.set(c.key, c);
      cev = { type: prev ? 'MODIFIED' : 'ADDED', rv: ev.revision, object: c, prev };
    } else {
      m.delete(ev.kv.key);
      const last = prev ?? this.fromKv(ev.kv, ev.revision);
      const obj = deepFreeze({ ...last.obj, metadata: { ...last.obj.metadata, resourceVersion: String(ev.revision) } });
      const c: CachedObject = { key: ev.kv.key, rv: ev.revision, obj, json: JSON.stringify(obj) };
      cev = { type: 'DELETED', rv: ev.revision, object: c, prev };
    }
    this.sorted.delete(resourcePrefixOf(ev.kv.key));
    this.revision = ev.revision;
    this.record(cev);
    this.notify(cev);
    if (prev) releaseParsed(prev);
    this.wake();
  }

  private record(ev: CacheEvent): void {
    if (this.history.length < this.historySize) {
      this.history.push(ev);
    } else {
      const dropped = this.history[this.historyStart];
      this.history[this.historyStart] = ev;
      this.historyStart = (this.historyStart + 1) % this.historySize;
      this.oldestResumable = dropped.rv;
    }
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].rv <= this.revision) {
        this.waiters[i].resolve();
        this.waiters.splice(i, 1);
      }
    }
  }

  /** Resolves once the cache has seen revision rv. */
  waitFor(rv: number): Promise<void> {
    if (rv <= this.revision) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => this.waiters.push({ rv, resolve }));
  }

  get(key: string): CachedObject | undefined {
    return this.resources.get(resourcePrefixOf(key))?.get(key);
  }

  /** Objects under a prefix in key order. The prefix must cover at least `/<group>/<plural>/`. */
  list(prefix: string): CachedObject[] {
    const rp = resourcePrefixOf(prefix);
    let all = this.sorted.get(rp);
    if (!all) {
      const m = this.resources.get(rp);
      all = m ? [...m.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) : [];
      this.sorted.set(rp, all);
    }
    if (prefix === rp) return all;
    return all.filter((c) => c.key.startsWith(prefix));
  }

  /** Number of objects under a resource prefix. */
  count(prefix: string): number {
    return this.resources.get(resourcePrefixOf(prefix))?.size ?? 0;
  }

  /**
   * Events after rv, oldest first, or undefined when rv is too old to resume from.
   * Call subscribe in the same tick to get the rest without gaps.
   */
  eventsSince(rv: number): CacheEvent[] | undefined {
    if (rv < this.oldestResumable) return undefined;
    const out: CacheEvent[] = [];
    const n = this.history.length;
    for (let i = 0; i < n; i++) {
      const ev = this.history[(this.historyStart + i) % n];
      if (ev.rv > rv) out.push(ev);
    }
    return out;
  }

  get oldestRevision(): number {
    return this.oldestResumable;
  }

  /**
   * Delivers every later event to l, or with a scope only the events of one resource
   * (`/<group>/<plural>/`), and with a trigger only those whose object had or has that field value
   * (kube-apiserver's indexed watchers: a node agent's watch on spec.nodeName=<node> does not see
   * the pods of the other 999 nodes).
   */
  subscribe(l: CacheListener, scope?: WatchScope): () => void {
    if (!scope) {
      this.listeners.add(l);
      return () => this.listeners.delete(l);
    }
    const rp = resourcePrefixOf(scope.resource);
    if (!scope.trigger) {
      let set = this.byResource.get(rp);
      if (!set) this.byResource.set(rp, (set = new Set()));
      set.add(l);
      return () => {
        set!.delete(l);
        if (!set!.size && this.byResource.get(rp) === set) this.byResource.delete(rp);
      };
    }
    const { field, value, of } = scope.trigger;
    let fields = this.byTrigger.get(rp);
    if (!fields) this.byTrigger.set(rp, (fields = new Map()));
    let t = fields.get(field);
    if (!t) fields.set(field, (t = { of, values: new Map() }));
    let set = t.values.get(value);
    if (!set) t.values.set(value, (set = new Set()));
    set.add(l);
    const trigger = t;
    return () => {
      set!.delete(l);
      if (set!.size) return;
      trigger.values.delete(value);
      if (trigger.values.size) return;
      fields!.delete(field);
      if (!fields!.size) this.byTrigger.delete(rp);
    };
  }

  private notify(ev: CacheEvent): void {
    for (const l of this.listeners) l(ev);
    const rp = resourcePrefixOf(ev.object.key);
    const rs = this.byResource.get(rp);
    if (rs) for (const l of rs) l(ev);
    const fields = this.byTrigger.get(rp);
    if (!fields) return;
    for (const t of fields.values()) {
      const now = t.of(ev.object.obj);
      const before = ev.prev ? t.of(ev.prev.obj) : now;
      const a = t.values.get(now);
      if (a) for (const l of a) l(ev);
      if (before !== now) {
        const b = t.values.get(before);
        if (b) for (const l of b) l(ev);
      }
    }
  }
}

export interface WatchScope {
  /** A key prefix covering at least `/<group>/<plural>/`. */
  resource: string;
  trigger?: { field: string; value: string; of: (obj: KObject) => string };
}

interface Trigger {
  of: (obj: KObject) => string;
  values: Map<string, Set<CacheListener>>;
}
