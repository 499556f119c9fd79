// How the sqlite driver comes up on a data directory: take the directory's lock, start the writer
// worker (compiled, or from source under tsx), wait for it to open `state.db` and report the
// revisions it recovered, then open the main thread's read connection, in that order, closing
// whatever came up if a later step fails. Also turns errors that crossed the thread boundary back
// into Error objects (start-up and the store's write pipeline both receive them).
// Deliberately absent: anything that happens once the store runs (batching, reads, watches, close);
// sqlite.ts owns the parts this returns from then on.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../util/worker-entry.js';
import Database from 'better-sqlite3';
import { SqliteReader } from './sqlite-reader.js';
import type { FromWriter, WireError, WriterInit } from './sqlite-schema.js';

/** Everything an open store runs on; the store closes each of them. */
export interface SqliteParts {
  /** Holds `state.db.lock` for as long as it stays open. */
  lock: Database.Database;
  /** The writer thread, ready: it has opened `state.db`. */
  worker: Worker;
  reader: SqliteReader;
  /** The revision of the last committed write, recovered from disk. */
  rev: number;
  compacted: number;
}

/** Opens (creating if needed) `<dataDir>/state.db`; the writer recovers the revision from disk. */
export async function openDataDir(dataDir: string): Promise<SqliteParts> {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'state.db');
  let lock: Database.Database | undefined;
  let worker: Worker | undefined;
  let reader: SqliteReader | undefined;
  try {
    lock = lockDataDir(`${file}.lock`);
    worker = startWriter(file);
    const { rev, compacted } = await writerReady(worker);
    reader = new SqliteReader(file); // after the writer: it creates the file, the schema and the WAL
    return { lock, worker, reader, rev, compacted };
  } catch (err) {
    reader?.close();
    await worker?.terminate();
    lock?.close();
    throw new Error(`cannot open store ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** An error that crossed the thread boundary, as an Error again (message and SQLite code). */
export function fromWire(e: WireError): Error {
  const err = new Error(e.message);
  if (e.code) Object.assign(err, { code: e.code });
  return err;
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

/** Starts the writer (sqlite-writer.ts) on its own thread. */
function startWriter(file: string): Worker {
  const init: WriterInit = { file };
  return startWorker(new URL('./sqlite-writer.js', import.meta.url), init);
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
