// Summarises a V8 .cpuprofile (from `node --cpu-prof`) into the functions where the time went: self
// time, and inclusive time for berth's own functions, each as file:line mapped back to the .ts source
// through the build's source maps. `node dist/bench/profile-top.js FILE [N]` prints it; bench/run.ts
// calls `profileTop` after a `--cpu-prof` run. Deliberately absent: flame graphs and timelines.

import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { REPO } from './server-process.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  fn: string;
  where: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  idlePercent: number;
  self: HotSpot[];
  /** Percentages are of busy (non-idle) time. */
  busyMs: number;
  /** Inclusive time of functions in berth's own sources (src/), callers included once. */
  inclusiveBerth: HotSpot[];
}

const maps = new Map<string, SourceMap | undefined>();

function sourceMapFor(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    const mapFile = `${file}.map`;
    maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined);
  }
  return maps.get(file);
}

function locate(cf: CallFrame): string {
  if (!cf.url) return '(native)';
  if (!cf.url.startsWith('file://')) return `${cf.url}:${cf.lineNumber + 1}`;
  const file = fileURLToPath(cf.url);
  const entry = sourceMapFor(file)?.findEntry(cf.lineNumber, cf.columnNumber) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (entry?.originalSource) {
    const src = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
    return `${relative(REPO, src)}:${(entry.originalLine ?? 0) + 1}`;
  }
  return `${relative(REPO, file)}:${cf.lineNumber + 1}`;
}

export interface ProfileWindow {
  /** Milliseconds after the profile started (about when the process was spawned). */
  fromMs: number;
  toMs: number;
}

export function readProfile(path: string): Profile {
  return JSON.parse(readFileSync(path, 'utf8')) as Profile;
}

/** The hot spots of the whole profile, or of the samples inside one time window. */
export function profileTop(p: Profile, opts: { n?: number; window?: ProfileWindow } = {}): ProfileSummary {
  const n = opts.n ?? 15;
  const from = opts.window ? opts.window.fromMs * 1000 : -Infinity;
  const to = opts.window ? opts.window.toMs * 1000 : Infinity;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const selfById = new Map<number, number>();
  let total = 0;
  let at = 0;
  p.samples.forEach((id, i) => {
    at += p.timeDeltas[i] ?? 0;
    if (at < from || at > to) return;
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    selfById.set(id, (selfById.get(id) ?? 0) + dt);
  });
  const key = (cf: CallFrame): string => `${cf.functionName || '(anonymous)'}\u0000${locate(cf)}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  for (const [id, ms] of selfById) {
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') idle += ms;
    const k = key(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      if (!cf.url.includes('/dist/src/')) continue;
      const ck = key(cf);
      if (seen.has(ck)) continue;
      seen.add(ck);
      inclusive.set(ck, (inclusive.get(ck) ?? 0) + ms);
    }
  }
  self.delete(key({ functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 }));
  const busy = total - idle;
  const top = (m: Map<string, number>): HotSpot[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, ms]) => {
        const [fn, where] = k.split('\u0000') as [string, string];
        return { fn, where, ms: Math.round(ms), percent: Math.round((1000 * ms) / busy) / 10 };
      });
  return { totalMs: Math.round(total), busyMs: Math.round(busy), idlePercent: Math.round((1000 * idle) / total) / 10, self: top(self), inclusiveBerth: top(inclusive) };
}

export function printProfile(s: ProfileSummary, title = 'server CPU profile'): void {
  const line = (h: HotSpot): string => `  ${`${h.percent.toFixed(1)}%`.padStart(6)} ${`${h.ms}ms`.padStart(8)}  ${h.fn}  ${h.where}`;
  process.stdout.write(`\n${title}: ${s.totalMs} ms sampled, ${s.idlePercent}% idle; shares below are of the ${s.busyMs} ms busy\n  top self time:\n`);
  for (const h of s.self) process.stdout.write(`${line(h)}\n`);
  process.stdout.write('  top inclusive time in berth sources:\n');
  for (const h of s.inclusiveBerth) process.stdout.write(`${line(h)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-top.js FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  printProfile(profileTop(readProfile(file), { n: Number(process.argv[3] ?? 15) }));
}
