// Read-your-writes for a controller whose caches lag its own requests: the objects the API returned
// from this controller's creates, updates and deletes, laid over an informer until the informer
// shows that revision or a newer one. Without it, a sync that runs right after another (the usual
// case: every write of a sync wakes the set again) would see a pod it just created as missing, a
// pod it just deleted as alive, or a status it just wrote as stale, and repeat the write.
//
// Safe by construction: resourceVersions are store revisions (strictly increasing, decimal), so
// "the cache caught up" is a number comparison; an entry older than ttlMs is dropped even if the
// cache never showed it (a re-list can skip intermediate states).
// Deliberately not a cache of its own: it answers only for keys this controller wrote.

import type { KObject } from '../../api/resource.js';

interface Entry {
  /** What the object is known to be at least as new as; undefined once it is gone. */
  obj: KObject | undefined;
  rv: number;
  at: number;
  /** Made by this controller: its absence from the cache means "not shown yet", not "gone". */
  created: boolean;
}

const rvOf = (o: KObject | undefined): number => {
  const n = Number(o?.metadata?.resourceVersion);
  return Number.isFinite(n) ? n : -1;
};

export class RecentWrites {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: { now: () => number; ttlMs?: number }) {}

  /** Records an object this controller created, as the API returned it. */
  created(key: string, obj: KObject): void {
    this.entries.set(key, { obj, rv: rvOf(obj), at: this.opts.now(), created: true });
  }

  /** Records an object as the API returned it from an update, patch or graceful delete. */
  wrote(key: string, obj: KObject): void {
    this.entries.set(key, { obj, rv: rvOf(obj), at: this.opts.now(), created: false });
  }

  /** Records that the object at key, last seen at `seen`, no longer exists. */
  removed(key: string, seen: KObject | undefined): void {
    this.entries.set(key, { obj: undefined, rv: rvOf(seen) + 1, at: this.opts.now(), created: false });
  }

  /** The freshest known state of key given what the cache holds. */
  view(key: string, cached: KObject | undefined): KObject | undefined {
    const e = this.entries.get(key);
    if (!e) return cached;
    if (this.opts.now() - e.at > (this.opts.ttlMs ?? 30_000)) {
      this.entries.delete(key);
      return cached;
    }
    if (!cached) {
      // Not in the cache: a create it has not shown yet, or a deletion it already applied.
      if (e.created && e.obj) return e.obj;
      this.entries.delete(key);
      return undefined;
    }
    if (rvOf(cached) >= e.rv) {
      this.entries.delete(key);
      return cached;
    }
    return e.obj;
  }

  /** Keys written recently (objects the cache may not list yet); expired entries are dropped. */
  keys(): string[] {
    const now = this.opts.now();
    const ttl = this.opts.ttlMs ?? 30_000;
    for (const [k, e] of this.entries) if (now - e.at > ttl) this.entries.delete(k);
    return [...this.entries.keys()];
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
