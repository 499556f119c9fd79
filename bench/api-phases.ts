// The API load phases, each a function of a base URL and its options returning plain figures:
// concurrent creates, closed-loop and paced GETs, timed LISTs (JSON and Table), and watch fan-out
// latency. They run inside the load worker (bench/api-load.ts), never on the runner's thread.
// Deliberately absent: starting the server, CPU/RSS sampling and pass/fail (bench/run.ts owns those).

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadClient, openWatch } from './http-client.js';
import type { WatchStream } from './http-client.js';
import { benchPod } from './pod.js';
import { round, summarise } from './stats.js';
import type { LatencySummary } from './stats.js';

export interface CreatesOptions {
  namespace: string;
  count: number;
  concurrency: number;
  /** Names are `<namePrefix><i>`. */
  namePrefix: string;
}

export interface CreatesResult {
  count: number;
  concurrency: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary;
  errors: number;
  firstError?: string;
  requestBytes: number;
  responseBytes: number;
}

export async function createPods(url: string, o: CreatesOptions): Promise<CreatesResult> {
  const client = new LoadClient(url, { sockets: o.concurrency });
  const path = `/api/v1/namespaces/${o.namespace}/pods`;
  const lat: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let responseBytes = 0;
  const requestBytes = JSON.stringify(benchPod(`${o.namePrefix}0`, { namespace: o.namespace })).length;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < o.count; i = next++) {
      const body = JSON.stringify(benchPod(`${o.namePrefix}${i}`, { namespace: o.namespace }));
      const t0 = performance.now();
      const r = await client.request('POST', path, { body, expect: 201 });
      lat.push(performance.now() - t0);
      responseBytes = r.bytes;
      if (r.status !== 201) {
        errors++;
        firstError ??= `${r.status} ${r.body?.slice(0, 300)}`;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  client.close();
  return {
    count: o.count,
    concurrency: o.concurrency,
    seconds: round(seconds),
    perSecond: Math.round(o.count / seconds),
    latency: summarise(lat),
    errors,
    firstError,
    requestBytes,
    responseBytes,
  };
}

export interface GetsOptions {
  namespace: string;
  names: string[];
  concurrency: number;
  durationMs: number;
  /** Requests per second across all clients; unset = closed loop (each client sends when answered). */
  rate?: number;
}

export interface GetsResult {
  mode: 'closed-loop' | 'paced';
  targetRate?: number;
  concurrency: number;
  requests: number;
  perSecond: number;
  /** Paced: measured from each request's scheduled send time, so a server that falls behind pays for its queue. */
  latency: LatencySummary;
  errors: number;
  firstError?: string;
}

export async function getPods(url: string, o: GetsOptions): Promise<GetsResult> {
  const client = new LoadClient(url, { sockets: o.concurrency });
  const base = `/api/v1/namespaces/${o.namespace}/pods/`;
  const lat: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let seed = 12345;
  const pick = (): string => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return o.names[seed % o.names.length]!;
  };
  const start = performance.now();
  const end = start + o.durationMs;
  const interval = o.rate ? (1000 * o.concurrency) / o.rate : 0;
  const worker = async (w: number): Promise<void> => {
    let scheduled = start + (interval * w) / o.concurrency;
    let lastDone = 0;
    for (;;) {
      if (interval) {
        if (scheduled >= end) return;
        const wait = scheduled - performance.now();
        if (wait >= 1) await sleep(Math.floor(wait));
      }
      // A request held back because the server had not answered this connection's previous one
      // counts from its schedule (no coordinated omission); one sent early (timers have 1 ms
      // granularity) or late because this client's own timer fired late counts from the real send.
      const now = performance.now();
      const sent = interval && lastDone > scheduled ? scheduled : now;
      if (now >= end) return;
      const r = await client.request('GET', base + pick(), { expect: 200 });
      lastDone = performance.now();
      lat.push(lastDone - sent);
      if (r.status !== 200) {
        errors++;
        firstError ??= `${r.status} ${r.body?.slice(0, 300)}`;
      }
      scheduled += interval;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - start) / 1000;
  client.close();
  return {
    mode: o.rate ? 'paced' : 'closed-loop',
    targetRate: o.rate,
    concurrency: o.concurrency,
    requests: lat.length,
    perSecond: Math.round(lat.length / seconds),
    latency: summarise(lat),
    errors,
    firstError,
  };
}

export interface ListOptions {
  path: string;
  accept?: string;
  runs: number;
  /** Follow `continue` with this page size, as kubectl does by default (500). */
  pageSize?: number;
}

export interface ListResult {
  runs: number;
  items: number;
  bytes: number;
  pages: number;
  latency: LatencySummary;
}

export async function listTimed(url: string, o: ListOptions): Promise<ListResult> {
  const client = new LoadClient(url, { sockets: 1 });
  const lat: number[] = [];
  let items = 0;
  let bytes = 0;
  let pages = 0;
  for (let run = 0; run < o.runs; run++) {
    // The last run keeps its pages to count the items after the clock stops; paged runs read each
    // page's continue token, as kubectl must. Otherwise a run is timed to its last byte.
    const last = run === o.runs - 1;
    const bodies: string[] = [];
    let cont: string | undefined;
    let runBytes = 0;
    let runPages = 0;
    const t0 = performance.now();
    do {
      const q = new URLSearchParams();
      if (o.pageSize) q.set('limit', String(o.pageSize));
      if (cont) q.set('continue', cont);
      const qs = q.toString();
      const path = qs ? `${o.path}?${qs}` : o.path;
      const r = await client.request('GET', path, { accept: o.accept, keepBody: !!o.pageSize || last, expect: 200 });
      if (r.status !== 200) throw new Error(`LIST ${path} answered ${r.status}: ${r.body?.slice(0, 300)}`);
      runBytes += r.bytes;
      runPages++;
      cont = o.pageSize ? continueOf(r.body!) : undefined;
      if (last) bodies.push(r.body!);
    } while (cont);
    lat.push(performance.now() - t0);
    bytes = runBytes;
    pages = runPages;
    for (const b of bodies) {
      const doc = JSON.parse(b) as { items?: unknown[]; rows?: unknown[] };
      items += (doc.items ?? doc.rows ?? []).length;
    }
  }
  client.close();
  return { runs: o.runs, items, bytes, pages, latency: summarise(lat) };
}

/** A list's continue token, read from its metadata (which berth writes first) without parsing it all. */
function continueOf(body: string): string | undefined {
  const head = /"metadata":\{[^{}]*\}/.exec(body.slice(0, 8192));
  const meta = head ? (JSON.parse(head[0].slice('"metadata":'.length)) as { continue?: string }) : (JSON.parse(body) as { metadata?: { continue?: string } }).metadata;
  return meta?.continue || undefined;
}

export interface WatchOptions {
  namespace: string;
  watchers: number;
  writes: number;
  intervalMs: number;
}

export interface WatchResult {
  watchers: number;
  writes: number;
  intervalMs: number;
  /** Receive time at each watcher minus the time the write was sent, over all (write, watcher) pairs. */
  sinceSent: LatencySummary;
  /** The same minus the time the write was acknowledged: the fan-out alone (negative = before the ack). */
  sinceAcked: LatencySummary;
  /** Write round trips, for scale. */
  writeLatency: LatencySummary;
  /** Per write, its slowest watcher (since sent): what the last of the 100 watchers waited. */
  slowestWatcherPerWrite: LatencySummary;
  /** The five writes whose slowest watcher waited longest. */
  slowWrites: { seq: number; kind: 'create' | 'patch'; writeMs: number; slowestWatcherMs: number }[];
  missing: number;
  writeErrors: number;
  firstError?: string;
}

const SEQ_LABEL = 'bench.berth.dev/seq';

/**
 * Even writes create pod w-<i>, odd ones merge-patch the pod the previous write created, so the
 * watchers see ADDED and MODIFIED alike. Each write carries its sequence number as a label, which is
 * how a watcher's event is matched to the write that caused it.
 */
export async function watchFanout(url: string, o: WatchOptions): Promise<WatchResult> {
  const client = new LoadClient(url, { sockets: 2 });
  const base = `/api/v1/namespaces/${o.namespace}/pods`;
  const listed = await client.request('GET', `${base}?limit=1`, { keepBody: true, expect: 200 });
  const rv = (JSON.parse(listed.body!) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const streams: WatchStream[] = [];
  // Room for every event up front (a pod is about 3.5 KB): no allocation while the writes are timed.
  for (let i = 0; i < o.watchers; i++) streams.push(openWatch(url, `${base}?watch=true&resourceVersion=${rv}`, o.writes * 8192));
  const statuses = await Promise.all(streams.map((s) => s.opened));
  if (statuses.some((s) => s !== 200)) throw new Error(`watch answered ${statuses.find((s) => s !== 200)}`);
  await sleep(200);

  const sent: number[] = [];
  const acked: number[] = [];
  const writeLat: number[] = [];
  const inflight: Promise<void>[] = [];
  let writeErrors = 0;
  let firstError: string | undefined;
  const write = async (i: number): Promise<void> => {
    sent[i] = performance.now();
    const r =
      i % 2 === 0
        ? await client.request('POST', base, { body: JSON.stringify(podWithSeq(`w-${i}`, o.namespace, i)), expect: 201 })
        : await client.request('PATCH', `${base}/w-${i - 1}`, {
            body: JSON.stringify({ metadata: { labels: { [SEQ_LABEL]: String(i) } } }),
            contentType: 'application/merge-patch+json',
            expect: 200,
          });
    acked[i] = performance.now();
    writeLat.push(acked[i]! - sent[i]!);
    if (r.status >= 300) {
      writeErrors++;
      firstError ??= `write ${i} answered ${r.status}: ${r.body?.slice(0, 300)}`;
    }
  };
  const t0 = performance.now();
  for (let i = 0; i < o.writes; i++) {
    const due = t0 + i * o.intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    // A patch waits for the create of its pod: on another socket it could otherwise overtake it.
    inflight.push(i % 2 === 0 ? write(i) : inflight[i - 1]!.then(() => write(i)));
  }
  await Promise.all(inflight);
  const deadline = performance.now() + 5000;
  const seen = (): number => streams.reduce((n, s) => n + s.lines.length, 0);
  while (seen() < o.writes * o.watchers && performance.now() < deadline) await sleep(20);
  for (const s of streams) s.close();
  client.close();

  const sinceSent: number[] = [];
  const sinceAcked: number[] = [];
  const slowest: number[] = [];
  for (const s of streams) {
    for (const { at, line } of s.lines) {
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as { type: string; object?: { metadata?: { labels?: Record<string, string> } } };
      const seq = Number(ev.object?.metadata?.labels?.[SEQ_LABEL]);
      if (!Number.isInteger(seq) || sent[seq] === undefined) continue;
      sinceSent.push(at - sent[seq]!);
      slowest[seq] = Math.max(slowest[seq] ?? 0, at - sent[seq]!);
      sinceAcked.push(at - acked[seq]!);
    }
  }
  const slowWrites = slowest
    .map((ms, seq) => ({ seq, kind: seq % 2 === 0 ? ('create' as const) : ('patch' as const), writeMs: round(acked[seq]! - sent[seq]!), slowestWatcherMs: round(ms) }))
    .sort((a, b) => b.slowestWatcherMs - a.slowestWatcherMs)
    .slice(0, 5);
  return {
    watchers: o.watchers,
    writes: o.writes,
    intervalMs: o.intervalMs,
    sinceSent: summarise(sinceSent),
    sinceAcked: summarise(sinceAcked),
    writeLatency: summarise(writeLat),
    slowestWatcherPerWrite: summarise(slowest.filter((x) => x !== undefined)),
    slowWrites,
    missing: o.writes * o.watchers - sinceSent.length,
    writeErrors,
    firstError,
  };
}

function podWithSeq(name: string, namespace: string, seq: number): Record<string, unknown> {
  const pod = benchPod(name, { namespace, run: 'watch' }) as { metadata: { labels: Record<string, string> } };
  pod.metadata.labels[SEQ_LABEL] = String(seq);
  return pod;
}
