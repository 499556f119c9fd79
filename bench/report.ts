// The benchmark's output: a fixed-width table (metric, value, target, pass/fail, ratio to the raw
// store of the same run) on stdout, and the full figures as JSON in bench/results/latest.json with
// the machine and a timestamp. Deliberately absent: measuring anything, and failing the process on a
// missed target (a benchmark reports; it does not assert).

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { dirname } from 'node:path';

export interface Row {
  metric: string;
  value: string;
  target?: string;
  /** Undefined for lines that are information only. */
  pass?: boolean;
  /** API figure over the raw-store figure of the same run, e.g. "0.42x of 5200/s". */
  ratio?: string;
}

export function machine(): Record<string, unknown> {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryGB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
  };
}

/** "value / base" formatted for a ratio column; lower-is-better and higher-is-better alike. */
export function ratio(value: number, base: number, baseLabel: string): string {
  if (!base) return `- (raw ${baseLabel})`;
  const r = value / base;
  return `${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}x of raw ${baseLabel}`;
}

export function printTable(title: string, rows: Row[], labels: Partial<Row> = {}): void {
  const head: Row = { metric: 'metric', value: 'value', target: 'target', ratio: 'vs raw store (same run)', ...labels };
  const graded = rows.some((r) => r.pass !== undefined);
  const verdict = (r: Row): string => (r === head ? (graded ? 'result' : '') : r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL');
  const all = [head, ...rows];
  const w = {
    metric: Math.max(...all.map((r) => r.metric.length)),
    value: Math.max(...all.map((r) => r.value.length)),
    target: Math.max(...all.map((r) => (r.target ?? '').length)),
  };
  const line = (r: Row): string =>
    [r.metric.padEnd(w.metric), r.value.padStart(w.value), (r.target ?? '').padEnd(w.target), ...(graded ? [verdict(r).padEnd(6)] : []), r.ratio ?? '']
      .join('  ')
      .trimEnd();
  process.stdout.write(`\n${title}\n${line(head)}\n${'-'.repeat(line(head).length + 12)}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

export function writeResults(path: string, doc: Record<string, unknown>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ timestamp: new Date().toISOString(), machine: machine(), ...doc }, null, 2)}\n`);
}
