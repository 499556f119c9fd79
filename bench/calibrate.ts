// The machine's speed at the moment, as the time a fixed single-threaded JavaScript workload takes
// (allocation, JSON, strings: what the server spends its time on). On a shared VM this moves by
// ±40% from minute to minute; printed before and after the phases, it tells a slow run from a slow
// berth. Deliberately absent: scaling any figure by it (the targets are absolute).

import { performance } from 'node:perf_hooks';

/** Milliseconds for the fixed workload (best of three short runs, so one preemption does not count). */
export function calibrationMs(): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    let batch: { i: number; name: string; labels: Record<string, string> }[] = [];
    let bytes = 0;
    for (let i = 0; i < 400_000; i++) {
      const o = { i, name: `pod-${i}`, labels: { app: 'bench', n: String(i % 97) } };
      batch.push(o);
      if (batch.length === 1000) batch = [];
      bytes += JSON.stringify(o).length;
    }
    best = Math.min(best, performance.now() - t0);
    if (bytes === 0) throw new Error('unreachable: keeps the loop from being optimised away');
  }
  return Math.round(best);
}
