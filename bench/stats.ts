// Latency arithmetic shared by the benchmark phases: quantiles over millisecond samples and the
// summary shape every phase reports. Deliberately absent: any timing or I/O (callers measure).

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Quantile of an ascending array (nearest rank, like bench/store.ts so ratios compare like with like). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Sorts `samples` in place and summarises them. */
export function summarise(samples: number[]): LatencySummary {
  samples.sort((a, b) => a - b);
  return {
    count: samples.length,
    p50Ms: round(quantile(samples, 0.5)),
    p90Ms: round(quantile(samples, 0.9)),
    p99Ms: round(quantile(samples, 0.99)),
    maxMs: round(samples.length ? samples[samples.length - 1]! : 0),
  };
}
