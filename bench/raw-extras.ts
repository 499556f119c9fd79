// Raw-store baselines that bench/store.ts does not measure but the API figures need a ratio against:
// a list of N keys (the store side of LIST) and the delay from a create call to its watch event on
// one in-process watcher, paced like the API's watch writes (the store side of watch fan-out).
// Deliberately absent: opening or closing the store, and the create/get baselines (benchRawStore).

import { performance } from 'node:perf_hooks';
import type { Store } from '../src/store/store.js';
import { summarise } from './stats.js';
import type { LatencySummary } from './stats.js';

/** Lists the first `count` keys under `prefix`, `runs` times. */
export async function benchRawList(store: Store, opts: { prefix: string; count: number; runs: number }): Promise<{ keys: number; latency: LatencySummary }> {
  const lat: number[] = [];
  let keys = 0;
  for (let i = 0; i < opts.runs; i++) {
    const t0 = performance.now();
    const r = await store.list(opts.prefix, { limit: opts.count });
    lat.push(performance.now() - t0);
    keys = r.kvs.length;
  }
  return { keys, latency: summarise(lat) };
}

/**
 * Creates under a fresh prefix, one every `intervalMs` like the API watch phase (a durable commit
 * after an idle gap costs more than one in a busy stream, so the pacing must match); each sample is
 * event arrival minus the create call.
 */
export async function benchRawWatch(
  store: Store,
  opts: { prefix: string; writes: number; valueBytes: number; intervalMs: number },
): Promise<LatencySummary> {
  const value = 'x'.repeat(opts.valueBytes);
  const ac = new AbortController();
  const sent = new Map<string, number>();
  const lat: number[] = [];
  const after = await store.currentRevision();
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const reader = (async () => {
    for await (const ev of store.watch(opts.prefix, { after, signal: ac.signal })) {
      const t = sent.get(ev.kv.key);
      if (t !== undefined) lat.push(performance.now() - t);
      if (lat.length === opts.writes) done();
    }
  })().catch(() => undefined);
  const t0 = performance.now();
  for (let i = 0; i < opts.writes; i++) {
    const wait = t0 + i * opts.intervalMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const key = `${opts.prefix}${i}`;
    sent.set(key, performance.now());
    await store.create(key, value);
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 5000))]);
  ac.abort();
  await reader;
  return summarise(lat);
}
