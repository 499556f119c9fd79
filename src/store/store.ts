// The store contract: a revisioned key-value store with watch, in the shape of etcd.
// It knows nothing about Kubernetes: keys are opaque strings, values opaque strings (serialized
// objects). Every successful write gets the next store revision; revisions strictly increase across
// the whole store and survive restarts. Drivers: memory (tests), sqlite (embedded, durable).
// Deliberately absent: leases/TTLs, transactions over several keys, and any notion of a resource.

/** One key at one revision. */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (its current incarnation). */
  createRevision: number;
  /** Revision of the write that produced this value. */
  modRevision: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For put: the new value. For delete: the last value, with modRevision = the deleting revision. */
  kv: KeyValue;
  /** The value before this event (absent for a create). */
  prevKv?: KeyValue;
  /** The revision of the write that caused this event. */
  revision: number;
}

export interface ListOptions {
  /** At most this many results (0 or undefined: all). */
  limit?: number;
  /** Only keys strictly greater than this one (for continuation). */
  after?: string;
  /** Read as of this revision (must not be compacted); default: current. */
  revision?: number;
}

export interface ListResult {
  kvs: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys match beyond the last one returned. */
  more: boolean;
}

export interface WatchOptions {
  /** Deliver events with revision > after. Throws CompactedError if after < compacted revision. */
  after: number;
  signal: AbortSignal;
}

export interface Store {
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Fails with KeyExistsError if the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap on modRevision. Fails with NotFoundError or ConflictError (carrying the current kv). */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes; if expectedModRevision is given it must match. Returns the deleted kv with the delete revision as modRevision. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Events in revision order, each exactly once. Ends when signal aborts. */
  watch(prefix: string, opts: WatchOptions): AsyncIterable<WatchEvent>;
  /** Forget history at and below revision (current values are kept). */
  compact(revision: number): Promise<void>;
  currentRevision(): Promise<number>;
  /** Revision below which history is gone (0 if none compacted). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
  }
}
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}
export class ConflictError extends Error {
  constructor(
    readonly key: string,
    readonly current: KeyValue,
  ) {
    super(`conflict on ${key}: current modRevision ${current.modRevision}`);
  }
}
export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`revision ${requested} has been compacted (compacted up to ${compacted})`);
  }
}
