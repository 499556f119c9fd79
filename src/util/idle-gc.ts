// Young-generation collections in the gaps between requests. V8 starts a scavenge when new space
// is about 80% full, whatever the process is doing, so at a light load a request now and then
// waits out a 2-8 ms pause (on this project's 2-core VM), and every watch event behind it with it.
// When the server goes quiet with new space past half full, this collector runs the scavenge
// itself once the event loop has sat idle for a moment; V8's own trigger then rarely fires while a
// request is being served. Under steady load the loop is never idle and V8 collects as before.
// Deliberately absent: major collections (V8 marks the old generation concurrently already).

import { performance } from 'node:perf_hooks';
import { setFlagsFromString, getHeapSpaceStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface IdleCollectorOptions {
  /** How long the event loop must have been idle (and no request in flight) before collecting. */
  idleMs?: number;
  /** Collect once new space is at least this full (V8's own trigger is at about 0.8). */
  fraction?: number;
  /** For tests: the collection and the new-space reading. */
  collect?: () => void;
  newSpace?: () => { used: number; capacity: number };
}

export interface IdleCollectorStats {
  /** Collections this collector ran. */
  collections: number;
  /** Windows that ended with the loop busy or a request in flight, so nothing was collected. */
  skipped: number;
}

/** The event loop's utilisation over a window must stay under this for the window to count as idle. */
const IDLE_UTILISATION = 0.1;

export class IdleCollector {
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  private readonly fraction: number;
  private readonly collect: () => void;
  private readonly newSpace: () => { used: number; capacity: number };
  readonly stats: IdleCollectorStats = { collections: 0, skipped: 0 };

  constructor(opts: IdleCollectorOptions = {}) {
    this.idleMs = opts.idleMs ?? 2;
    this.fraction = opts.fraction ?? 0.5;
    this.collect = opts.collect ?? (() => collectGarbage('minor'));
    this.newSpace = opts.newSpace ?? newSpaceUsage;
  }

  /** A request started. */
  begin(): void {
    this.inFlight++;
  }

  /** A request finished: if that left nothing in flight, a collection may follow the quiet. */
  end(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.arm();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) return;
    const { used, capacity } = this.newSpace();
    if (used < capacity * this.fraction) return;
    const from = performance.eventLoopUtilization();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A request arrived, or the loop did other work (controllers, agents) through the window:
      // not a gap. The next request to finish arms again.
      if (this.inFlight > 0 || performance.eventLoopUtilization(from).utilization > IDLE_UTILISATION) {
        this.stats.skipped++;
        return;
      }
      this.collect();
      this.stats.collections++;
    }, this.idleMs);
    this.timer.unref();
  }
}

function newSpaceUsage(): { used: number; capacity: number } {
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  return s ? { used: s.space_used_size, capacity: s.space_used_size + s.space_available_size } : { used: 0, capacity: Infinity };
}

type Gc = (o?: { type: 'minor' }) => void;
let v8gc: Gc | undefined;

/**
 * V8's gc(), obtained without a command-line flag: 'minor' collects the young generation only,
 * 'major' the whole heap (Node 20's V8 answers gc({ type: 'major' }) with a scavenge, so no argument).
 */
export function collectGarbage(type: 'minor' | 'major'): void {
  if (!v8gc) {
    setFlagsFromString('--expose-gc');
    v8gc = runInNewContext('gc') as Gc;
  }
  if (type === 'minor') v8gc({ type });
  else v8gc();
}
