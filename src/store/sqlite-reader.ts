// The sqlite driver's read side: the main thread's read-only connection to `state.db`, its prepared
// statements, and the mapping of `current` and `log` rows to KeyValues and WatchEvents. WAL readers
// never wait for the writer, so this connection can see commits whose results have not come back to
// the store yet. The store says when that may be the case (`ReadView.mayBeAhead`); a read then runs
// in one snapshot and subtracts every change newer than the revision the store shows, so reads show
// exactly the writes whose results came back.
// Deliberately absent: writing, the Store contract's argument checks (future or compacted revisions,
// a closed store) and any notion of batches or watchers; the store (sqlite.ts) owns those and tells
// this class which revision to show.

import Database from 'better-sqlite3';
import type { KeyValue, WatchEvent } from './store.js';
import { compareKeys, freezeEvent, listAtRevision } from './watch-hub.js';
import { LOG_COLUMNS } from './sqlite-schema.js';
import type { CurrentRow, LogRow } from './sqlite-schema.js';

/** What the store shows at the moment of a read. */
export interface ReadView {
  /** Revision of the last write whose result came back: reads show exactly the writes up to it. */
  rev: number;
  /** Whether the connection may see commits newer than rev (a batch in flight, or a dead writer). */
  mayBeAhead: boolean;
}

export class SqliteReader {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Runs fn in one read transaction: every statement in it sees the same snapshot. */
  private readonly inSnapshot: (fn: () => unknown) => unknown;

  /** Opens a read-only connection to `file`, which the writer has already created. */
  constructor(file: string) {
    const db = new Database(file, { timeout: 1000 });
    try {
      db.pragma('query_only = ON');
      db.pragma('cache_size = -32768');
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    this.inSnapshot = db.transaction((fn: () => unknown) => fn());
  }

  /** The value of key as of view.rev. */
  get(key: string, view: ReadView): KeyValue | undefined {
    if (!view.mayBeAhead) return this.readCurrent(key);
    return this.inSnapshot(() => {
      // The first change after our revision carries the value we must show (absent for a create).
      const change = this.stmt(`SELECT ${LOG_COLUMNS} FROM log WHERE rev > ? AND key = ? ORDER BY rev LIMIT 1`).get(
        view.rev,
        key,
      ) as LogRow | undefined;
      return change ? toEvent(change).prevKv : this.readCurrent(key);
    }) as KeyValue | undefined;
  }

  /**
   * The keys under prefix after `after` as of revision `at` (at most view.rev, and not compacted:
   * the store checks), at most limit (0: all).
   */
  list(
    prefix: string,
    view: ReadView,
    { at, after, limit }: { at: number; after: string | undefined; limit: number },
  ): { kvs: KeyValue[]; more: boolean } {
    if (at === view.rev && !view.mayBeAhead) return this.listCurrent(prefix, after, limit);
    return this.inSnapshot(() => {
      // Read the changes before opening the cursor: the connection is busy while a cursor is open.
      const changes = this.changes(prefix, { after: at, upTo: Infinity });
      if (changes.length === 0) return this.listCurrent(prefix, after, limit);
      const query = this.currentQuery(prefix, { after, limit: -1 });
      const rows = query.stmt.iterate(...query.args) as IterableIterator<CurrentRow>;
      return listAtRevision(mapRows(rows), changes, { after, limit });
    }) as { kvs: KeyValue[]; more: boolean };
  }

  /** Log events under prefix with after < rev <= upTo, ascending, at most limit (< 0: all). */
  changes(prefix: string, { after, upTo, limit = -1 }: { after: number; upTo: number; limit?: number }): WatchEvent[] {
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

  close(): void {
    this.db.close();
  }

  private readCurrent(key: string): KeyValue | undefined {
    const row = this.stmt('SELECT key, value, create_rev, mod_rev FROM current WHERE key = ?').get(key) as CurrentRow | undefined;
    return row && toKv(row);
  }

  /** The current rows under prefix after `after`, at most limit (0: all), when they are all at the revision shown. */
  private listCurrent(prefix: string, after: string | undefined, limit: number): { kvs: KeyValue[]; more: boolean } {
    const query = this.currentQuery(prefix, { after, limit: limit > 0 ? limit + 1 : -1 });
    const rows = query.stmt.all(...query.args) as CurrentRow[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    return { kvs: rows.map(toKv), more };
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
