// The sqlite driver's writer: a worker thread that owns the store's only write connection, so the
// commit's fsync blocks this thread instead of the main event loop. It recovers the revision from
// disk at open, applies each batch the store sends as one transaction (synchronous=FULL: the WAL is
// fsync'd before COMMIT returns), checks each op's precondition in order inside it, assigns the
// revisions, and answers with one result per op. It also runs compaction (it writes).
// Deliberately absent: batching policy (the store decides what goes in a batch and sends one at a
// time) and any knowledge of watches or readers.

import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { setImmediate as nextCheckPhase } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { LOG_COLUMNS, SCHEMA, toWireError } from './sqlite-schema.js';
import { startWorker } from '../util/worker-entry.js';
import type { CheckpointerInit } from './sqlite-checkpointer.js';
import type { CurrentRow, FromWriter, Op, OpResult, ToWriter, WriterInit } from './sqlite-schema.js';

const COMPACT_CHUNK = 2000;

if (!parentPort) throw new Error('sqlite-writer must run as a worker thread');
const port: MessagePort = parentPort;
const post = (msg: FromWriter): void => port.postMessage(msg);
const { file } = workerData as WriterInit;

let db: Database.Database | undefined;
try {
  // The checkpointer's RESTART is the only other lock holder, and it lets go within tens of ms;
  // a commit waits that long rather than fail.
  db = new Database(file, { timeout: 10_000 });
  if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal') throw new Error('WAL mode unavailable');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -32768');
  db.exec(SCHEMA);
} catch (err) {
  try {
    db?.close();
  } catch {
    // already failing: report the first error
  }
  db = undefined;
  post({ type: 'open-failed', error: toWireError(err) });
}

if (db) serve(db);

function serve(db: Database.Database): void {
  const metaGet = db.prepare('SELECT value FROM meta WHERE name = ?').pluck();
  const metaSet = db.prepare('INSERT INTO meta(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
  const maxRev = db.prepare('SELECT MAX(rev) FROM log').pluck();
  const minRev = db.prepare('SELECT MIN(rev) FROM log').pluck();
  const deleteRange = db.prepare('DELETE FROM log WHERE rev > ? AND rev <= ?');
  const insertLog = db.prepare(`INSERT INTO log(${LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  // The insert is the existence check: one index probe instead of a read and then a write.
  const insertCurrent = db.prepare(
    'INSERT INTO current(key, value, create_rev, mod_rev) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO NOTHING',
  );
  const getCurrent = db.prepare('SELECT key, value, create_rev, mod_rev FROM current WHERE key = ?');
  const updateCurrent = db.prepare('UPDATE current SET value = ?, mod_rev = ? WHERE key = ?');
  const deleteCurrent = db.prepare('DELETE FROM current WHERE key = ?');

  const compacted = (metaGet.get('compacted') as number | undefined) ?? 0;
  // Compaction never removes rows above the compacted revision, so this is the last committed write.
  let rev = Math.max((maxRev.get() as number | null) ?? 0, compacted);
  let closing = false;
  const checkpointer = startCheckpointer(db);

  const apply = (op: Op): OpResult => {
    const next = rev + 1;
    if (op.kind === 'create') {
      if (insertCurrent.run(op.key, op.value, next, next).changes === 0) return { fail: 'exists' };
      insertLog.run(next, op.key, 0, op.value, next, null, null, null);
      rev = next;
      return { rev: next };
    }
    const row = getCurrent.get(op.key) as CurrentRow | undefined;
    if (!row) return { fail: 'notfound' };
    const prev = { value: row.value, createRevision: row.create_rev, modRevision: row.mod_rev };
    if (op.expected !== undefined && prev.modRevision !== op.expected) return { fail: 'conflict', current: prev };
    if (op.kind === 'update') {
      updateCurrent.run(op.value, next, op.key);
      insertLog.run(next, op.key, 0, op.value, prev.createRevision, prev.value, prev.createRevision, prev.modRevision);
    } else {
      deleteCurrent.run(op.key);
      insertLog.run(next, op.key, 1, null, prev.createRevision, prev.value, prev.createRevision, prev.modRevision);
    }
    rev = next;
    return { rev: next, prev };
  };
  const applyBatch = db.transaction((ops: Op[]): OpResult[] => ops.map(apply));

  const compact = async (id: number, revision: number): Promise<void> => {
    try {
      // Record the mark first: readers check it before trusting history, and rows left below it by
      // a crash mid-delete are invisible and removed by the next compaction.
      metaSet.run('compacted', revision);
      let lo = ((minRev.get() as number | null) ?? revision) - 1;
      // Delete in chunks, yielding between them, so batches that arrive meanwhile are not held up long.
      while (lo < revision) {
        const hi = Math.min(lo + COMPACT_CHUNK, revision);
        deleteRange.run(lo, hi);
        lo = hi;
        if (lo < revision) {
          await nextCheckPhase();
          if (closing) return; // the store resolves outstanding compactions itself when we exit
        }
      }
      post({ type: 'compacted', id });
    } catch (err) {
      post({ type: 'compact-failed', id, error: toWireError(err) });
    }
  };

  port.on('message', (msg: ToWriter) => {
    if (closing) return;
    switch (msg.type) {
      case 'batch': {
        const start = rev;
        let results: OpResult[];
        try {
          // IMMEDIATE: the write lock first (waiting for a checkpoint that holds it), never a read
          // turned into a write, which SQLite refuses at once when a RESTART checkpoint waits for readers.
          results = applyBatch.immediate(msg.ops);
        } catch (err) {
          // The transaction rolled back (I/O error, disk full): nothing in this batch happened.
          rev = start;
          post({ type: 'batch-failed', id: msg.id, error: toWireError(err) });
          return;
        }
        post({ type: 'committed', id: msg.id, results });
        return;
      }
      case 'compact':
        void compact(msg.id, msg.revision);
        return;
      case 'close':
        closing = true;
        void checkpointer.stop().finally(() => {
          try {
            db.close(); // the last connection to close checkpoints the WAL: here, not on the main thread
          } finally {
            port.close(); // nothing else keeps this thread alive: it exits
          }
        });
        return;
    }
  });

  post({ type: 'ready', rev, compacted });
}

/**
 * Moves checkpoints off the commit path (sqlite-checkpointer.ts). Until its thread is up, and if it
 * ever fails, SQLite's automatic checkpoint in this connection's commits stays on.
 */
function startCheckpointer(db: Database.Database): { stop(): Promise<void> } {
  const init: CheckpointerInit = { file: db.name };
  const worker = startWorker(new URL('./sqlite-checkpointer.js', import.meta.url), init);
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!stopping && db.open) db.pragma('wal_autocheckpoint = 1000');
      resolve();
    }),
  );
  worker.once('message', (m: { type: string }) => {
    if (m.type === 'ready' && !stopping && db.open) db.pragma('wal_autocheckpoint = 0');
  });
  worker.on('error', () => undefined); // reported through 'exit': the automatic checkpoint returns
  return {
    stop() {
      stopping = true;
      worker.postMessage({ type: 'stop' });
      return exited;
    },
  };
}
