// Raw store benchmark: create throughput and latency from concurrent writers, and get latency both on
// an idle store and while writers are busy. It is the baseline the API benchmarks report ratios against.
// Deliberately absent: printing, opening or closing the store (the caller owns it), and pass/fail
// thresholds (the runner compares numbers to goals).

import { performance } from 'node:perf_hooks';
import type { Store } from '../src/store/store.js';

export interface RawStoreBenchOptions {
  /** Total creates across all writers. Default 10,000. */
  creates?: number;
  /** Concurrent writers, each awaiting its previous create. Default 16. */
  concurrency?: number;
  /** Gets measured in each get phase. Default 5,000. */
  gets?: number;
  /** Size of each value in bytes (about a small Kubernetes object). Default 1,000. */
  valueBytes?: number;
  /** Key prefix, so several runs can share a store. Default `/bench/<timestamp>/`. */
  prefix?: string;
}

export interface RawStoreBenchResult {
  creates: number;
  concurrency: number;
  createsPerSecond: number;
  createP50Ms: number;
  createP99Ms: number;
  /** Gets on a store with no writes in flight. */
  getP50Ms: number;
  getP99Ms: number;
  /** Gets issued while `concurrency` writers keep creating: what a reader sees during a write storm. */
  getUnderWritesP99Ms: number;
}

export async function benchRawStore(store: Store, opts: RawStoreBenchOptions = {}): Promise<RawStoreBenchResult> {
  const creates = opts.creates ?? 10_000;
  const concurrency = opts.concurrency ?? 16;
  const gets = opts.gets ?? 5_000;
  const value = 'x'.repeat(opts.valueBytes ?? 1_000);
  const prefix = opts.prefix ?? `/bench/${Date.now()}/`;

  const createLatencies: number[] = [];
  let next = 0;
  const writer = async (): Promise<void> => {
    for (let i = next++; i < creates; i = next++) {
      const t0 = performance.now();
      await store.create(`${prefix}${i}`, value);
      createLatencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, writer));
  const seconds = (performance.now() - started) / 1000;

  // A fixed stride walks the key space out of insertion order, so gets do not ride one hot page.
  const keys = Array.from({ length: gets }, (_, i) => `${prefix}${(i * 7919) % creates}`);
  const idle = await timeGets(store, keys);

  // Reads during a write storm: writers keep going until the reader is done.
  let stop = false;
  let extra = 0;
  const stormWriter = async (): Promise<void> => {
    while (!stop) {
      await store.create(`${prefix}storm/${extra++}`, value);
      // An in-process store resolves in a microtask; without this the reader would never get a turn.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const storm = Array.from({ length: concurrency }, stormWriter);
  const busy = await timeGets(store, keys, { yieldEach: true });
  stop = true;
  await Promise.all(storm);

  createLatencies.sort((a, b) => a - b);
  return {
    creates,
    concurrency,
    createsPerSecond: Math.round(creates / seconds),
    createP50Ms: round(quantile(createLatencies, 0.5)),
    createP99Ms: round(quantile(createLatencies, 0.99)),
    getP50Ms: round(quantile(idle, 0.5)),
    getP99Ms: round(quantile(idle, 0.99)),
    getUnderWritesP99Ms: round(quantile(busy, 0.99)),
  };
}

/**
 * Sequential gets, so each latency is one get. With `yieldEach` every get first waits for a turn of
 * the event loop and the clock starts before that wait: a commit running on the loop (sqlite fsyncs
 * on the main thread) delays a read exactly like this, so the wait is part of the latency.
 */
async function timeGets(store: Store, keys: string[], opts: { yieldEach?: boolean } = {}): Promise<number[]> {
  const out: number[] = [];
  for (const key of keys) {
    const t0 = performance.now();
    if (opts.yieldEach) await new Promise<void>((resolve) => setImmediate(resolve));
    const kv = await store.get(key);
    out.push(performance.now() - t0);
    if (!kv) throw new Error(`benchRawStore: ${key} is missing`);
  }
  return out.sort((a, b) => a - b);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
