// What the sqlite driver's two threads share: the schema, the row shapes, and the messages between
// the store (main thread: reads, watch fan-out) and its writer worker (sqlite-writer.ts: the only
// write connection). Deliberately absent: any logic; both sides own their behaviour.

// One log row per revision. Deletes keep the value in the prev_* columns (value is NULL), and every
// row carries the value it replaced, so prevKv and lists at a past revision never need a second
// lookup, and compaction is a plain range delete.
export const SCHEMA = `
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

export const LOG_COLUMNS = 'rev, key, deleted, value, create_rev, prev_value, prev_create_rev, prev_mod_rev';

export interface CurrentRow {
  key: string;
  value: string;
  create_rev: number;
  mod_rev: number;
}

export interface LogRow {
  rev: number;
  key: string;
  deleted: number;
  value: string | null;
  create_rev: number;
  prev_value: string | null;
  prev_create_rev: number | null;
  prev_mod_rev: number | null;
}

export type Op =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

/** A key's value as the writer found it (the key itself is in the op). */
export interface FoundValue {
  value: string;
  createRevision: number;
  modRevision: number;
}

/**
 * One op's outcome inside a committed batch: its revision (plus, for update and delete, the value it
 * replaced), or the precondition that failed (conflict carries the current value).
 */
export type OpResult = { rev: number; prev?: FoundValue } | { fail: 'exists' | 'notfound' } | { fail: 'conflict'; current: FoundValue };

export interface WriterInit {
  file: string;
}

/** An error crossing the thread boundary (Error objects lose their class and SQLite code). */
export interface WireError {
  message: string;
  code?: string;
}

export type ToWriter =
  | { type: 'batch'; id: number; ops: Op[] }
  | { type: 'compact'; id: number; revision: number }
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready'; rev: number; compacted: number }
  | { type: 'open-failed'; error: WireError }
  | { type: 'committed'; id: number; results: OpResult[] }
  | { type: 'batch-failed'; id: number; error: WireError }
  | { type: 'compacted'; id: number }
  | { type: 'compact-failed'; id: number; error: WireError };

export function toWireError(err: unknown): WireError {
  const e = err as { message?: unknown; code?: unknown };
  return {
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
  };
}
