// The load generator as a worker thread: `ApiLoad` (runner side) starts the worker and asks it to run
// one phase at a time; the worker side runs the phase from bench/api-phases.ts and answers with the
// figures plus its own event-loop utilisation, which tells whether the client was the bottleneck.
// A worker keeps the load off the runner's thread, which samples CPU and RSS while a phase runs.
// Deliberately absent: the phases themselves (api-phases.ts) and any reporting.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { collectGarbage } from '../src/util/idle-gc.js';
import { createPods, getPods, listTimed, watchFanout } from './api-phases.js';
import type { CreatesOptions, CreatesResult, GetsOptions, GetsResult, ListOptions, ListResult, WatchOptions, WatchResult } from './api-phases.js';

interface Phases {
  creates: [CreatesOptions, CreatesResult];
  gets: [GetsOptions, GetsResult];
  list: [ListOptions, ListResult];
  watch: [WatchOptions, WatchResult];
}
type PhaseName = keyof Phases;

interface Ask {
  id: number;
  phase: PhaseName;
  opts: unknown;
}
interface Answer {
  id: number;
  result?: unknown;
  error?: string;
  /** Share of the phase's wall time the worker's event loop was busy (0..1). */
  elu: number;
  /** How late the worker's event loop ran a 1 ms timer (p99, max): a late client inflates every latency. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export interface PhaseRun<R> {
  result: R;
  clientEventLoopUtilisation: number;
  clientLoopDelayP99Ms: number;
  clientLoopDelayMaxMs: number;
}

export class ApiLoad {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void }>();

  constructor(url: string) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { role: 'berth-bench-api-load', url } });
    this.worker.on('message', (a: Answer) => {
      const w = this.waiting.get(a.id);
      this.waiting.delete(a.id);
      w?.resolve(a);
    });
    this.worker.on('error', (e) => {
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    });
  }

  async run<K extends PhaseName>(phase: K, opts: Phases[K][0]): Promise<PhaseRun<Phases[K][1]>> {
    const id = this.nextId++;
    const answer = await new Promise<Answer>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, phase, opts } satisfies Ask);
    });
    if (answer.error) throw new Error(`load phase ${phase} failed: ${answer.error}`);
    return {
      result: answer.result as Phases[K][1],
      clientEventLoopUtilisation: Math.round(answer.elu * 1000) / 1000,
      clientLoopDelayP99Ms: answer.loopDelayP99Ms,
      clientLoopDelayMaxMs: answer.loopDelayMaxMs,
    };
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Milliseconds beyond the 1 ms timer interval, from the histogram's nanoseconds. */
function lateness(ns: number): number {
  return Math.max(0, Math.round((ns / 1e6 - 1) * 100) / 100);
}

async function runPhase(url: string, ask: Ask): Promise<unknown> {
  switch (ask.phase) {
    case 'creates':
      return createPods(url, ask.opts as CreatesOptions);
    case 'gets':
      return getPods(url, ask.opts as GetsOptions);
    case 'list':
      return listTimed(url, ask.opts as ListOptions);
    case 'watch':
      return watchFanout(url, ask.opts as WatchOptions);
  }
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'berth-bench-api-load') {
  const { url } = workerData as { url: string };
  const port = parentPort!;
  port.on('message', (ask: Ask) => {
    // The garbage of the last phase (a LIST's 30 MB bodies) goes now, not in a collection that
    // V8's memory reducer would start in the middle of this phase and time as the server's latency.
    collectGarbage('major');
    const before = performance.eventLoopUtilization();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const answer = (a: { result?: unknown; error?: string }): void => {
      delay.disable();
      port.postMessage({
        id: ask.id,
        ...a,
        elu: performance.eventLoopUtilization(before).utilization,
        // The histogram holds the intervals of a 1 ms timer; what is beyond 1 ms is lateness.
        loopDelayP99Ms: lateness(delay.percentile(99)),
        loopDelayMaxMs: lateness(delay.max),
      } satisfies Answer);
    };
    runPhase(url, ask).then(
      (result) => answer({ result }),
      (e: Error) => answer({ error: e.stack ?? String(e) }),
    );
  });
}
