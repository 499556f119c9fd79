// The sqlite driver's checkpointer: a worker thread (started by the writer) with its own connection
// that copies committed WAL frames into the database file every CHECKPOINT_INTERVAL_MS. SQLite's
// automatic checkpoint runs inside the commit that crosses 1,000 pages, so that one write (and every
// watch event behind it) waited for a whole checkpoint; here the writer's commits never do. A
// PASSIVE checkpoint takes no lock writers need. Under writes that never pause the WAL is never
// wholly copied, so it would never be rewound and would grow (a big WAL slows every read, which
// searches its index); so once it passes RESTART_FRAMES, a RESTART checkpoint follows the PASSIVE
// one at once: it holds writers back only while it copies the frames committed since (about a
// millisecond's worth) and lets the next commit start the WAL over.
// Deliberately absent: deciding anything about the data (the writer owns every write).

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointerInit {
  file: string;
}

const CHECKPOINT_INTERVAL_MS = 100;
/** 4,096 pages of 4 KiB: a 16 MiB WAL. */
const RESTART_FRAMES = 4096;

if (!parentPort) throw new Error('sqlite-checkpointer must run as a worker thread');
const port = parentPort;
const { file } = workerData as CheckpointerInit;
// A RESTART waits (this busy timeout) for the writer and for readers while it holds writers back:
// it gives up after a moment rather than stall commits; the next tick tries again.
const db = new Database(file, { timeout: 20 });
// The checkpoint fsyncs the database file before the WAL may be reused.
db.pragma('synchronous = FULL');

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

const timer = setInterval(() => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
    // Only once everything is copied (no reader keeps old frames alive), so that a RESTART has only
    // the frames of the last moment to copy and the rewind to wait for.
    if (row && row.log > RESTART_FRAMES && row.checkpointed === row.log) db.pragma('wal_checkpoint(RESTART)');
  } catch {
    // SQLITE_BUSY or a transient I/O error: the next tick tries again; the WAL keeps every commit.
  }
}, CHECKPOINT_INTERVAL_MS);

port.on('message', (msg: { type: 'stop' }) => {
  if (msg.type !== 'stop') return;
  clearInterval(timer);
  db.close();
  port.close();
});
port.postMessage({ type: 'ready' });
