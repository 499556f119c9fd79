// The scheduling queue (kube-scheduler's PriorityQueue, reduced to what berth needs): pending pod
// keys ordered by spec.priority, then by when they (re)entered the queue; pods that failed wait in
// an unschedulable set until a cluster change may help them (moveAll) or the periodic flush, and
// then serve a per-pod exponential back-off before the next attempt, so a busy cluster cannot spin
// on a pod that does not fit. A pod being scheduled or bound is "in flight": events about it do
// not queue it twice; its attempt decides what happens next.
// Deliberately absent: queueing hints per plugin (a change moves every unschedulable pod, or every
// one that uses volumes for a volume change) and nominated pods (no preemption).

interface Entry {
  key: string;
  priority: number;
  seq: number;
  where: 'active' | 'backoff' | 'unschedulable' | 'inflight';
  attempts: number;
  lastFailure: number;
  signature: string;
  usesVolumes: boolean;
  timer?: NodeJS.Timeout;
}

export interface QueueOptions {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Monotonic milliseconds (performance.now by default). */
  clock?: () => number;
}

export interface PodInfo {
  priority: number;
  /** What of the pod a retry depends on (spec, labels); a change makes it worth trying again now. */
  signature: string;
  usesVolumes: boolean;
}

const before = (a: Entry, b: Entry): boolean => a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq);

export class SchedulingQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly heap: Entry[] = [];
  private waiters: (() => void)[] = [];
  private seq = 0;
  private stopped = false;

  constructor(private readonly opts: QueueOptions) {}

  private now(): number {
    return (this.opts.clock ?? (() => performance.now()))();
  }

  get size(): number {
    return this.entries.size;
  }

  /** A pod that needs scheduling was added or changed. */
  add(key: string, info: PodInfo): void {
    const e = this.entries.get(key);
    if (!e) {
      const entry: Entry = { key, ...info, seq: 0, where: 'active', attempts: 0, lastFailure: 0 };
      this.entries.set(key, entry);
      this.activate(entry);
      return;
    }
    const changed = e.signature !== info.signature;
    e.priority = info.priority;
    e.signature = info.signature;
    e.usesVolumes = info.usesVolumes;
    if (e.where === 'unschedulable' && changed) this.wake(e);
  }

  remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    if (e.timer) clearTimeout(e.timer);
    // An active entry stays in the heap until popped, then is skipped (lazy deletion).
    e.where = 'inflight';
  }

  /** The next pod to schedule (it is then in flight), or undefined. */
  pop(): string | undefined {
    for (;;) {
      const e = this.heapPop();
      if (!e) return undefined;
      if (this.entries.get(e.key) !== e || e.where !== 'active') continue;
      e.where = 'inflight';
      return e.key;
    }
  }

  /** Takes a pod out of turn (tests, callers that schedule one pod now); it is then in flight. */
  take(key: string, info: PodInfo): void {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { key, ...info, seq: 0, where: 'inflight', attempts: 0, lastFailure: 0 }));
    if (e.timer) clearTimeout(e.timer);
    e.timer = undefined;
    e.where = 'inflight';
  }

  /** Resolves when a pod is ready to be popped (or the queue stopped). */
  async next(): Promise<void> {
    if (this.hasActive() || this.stopped) return;
    await new Promise<void>((r) => this.waiters.push(r));
  }

  private hasActive(): boolean {
    while (this.heap.length) {
      const e = this.heap[0];
      if (this.entries.get(e.key) === e && e.where === 'active') return true;
      this.heapPop();
    }
    return false;
  }

  isInFlight(key: string): boolean {
    return this.entries.get(key)?.where === 'inflight';
  }

  /** The attempt ended with the pod scheduled (or no longer ours). */
  done(key: string): void {
    this.remove(key);
  }

  /** The attempt found no node: wait for a change in the cluster. */
  unschedulable(key: string, info: PodInfo): void {
    const e = this.entries.get(key);
    if (!e) return;
    const changed = e.signature !== info.signature;
    Object.assign(e, info);
    e.attempts++;
    e.lastFailure = this.now();
    e.where = 'unschedulable';
    if (changed) this.wake(e);
  }

  /** The attempt failed for a transient reason (a write, a timeout): try again after the back-off. */
  retry(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.attempts++;
    e.lastFailure = this.now();
    e.where = 'unschedulable';
    this.wake(e);
  }

  /** A cluster change: every unschedulable pod (or those using volumes) gets another attempt. */
  moveAll(onlyVolumes = false): void {
    for (const e of this.entries.values()) if (e.where === 'unschedulable' && (!onlyVolumes || e.usesVolumes)) this.wake(e);
  }

  /** The periodic flush: pods that waited at least `ms` since their last failure are tried again. */
  flush(ms: number): void {
    const now = this.now();
    for (const e of this.entries.values()) if (e.where === 'unschedulable' && now - e.lastFailure >= ms) this.wake(e);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) if (e.timer) clearTimeout(e.timer);
    for (const w of this.waiters.splice(0)) w();
  }

  private backoff(e: Entry): number {
    return Math.min(this.opts.initialBackoffMs * 2 ** Math.max(0, e.attempts - 1), this.opts.maxBackoffMs);
  }

  /** Unschedulable → active now, or when its back-off expires. */
  private wake(e: Entry): void {
    if (e.where !== 'unschedulable' || this.stopped) return;
    const wait = e.lastFailure + this.backoff(e) - this.now();
    if (wait <= 0) {
      this.activate(e);
      return;
    }
    e.where = 'backoff';
    e.timer = setTimeout(() => {
      e.timer = undefined;
      if (this.entries.get(e.key) === e && e.where === 'backoff') this.activate(e);
    }, wait);
    e.timer.unref?.();
  }

  private activate(e: Entry): void {
    if (this.stopped) return;
    e.where = 'active';
    e.seq = this.seq++;
    this.heapPush(e);
    for (const w of this.waiters.splice(0)) w();
  }

  private heapPush(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private heapPop(): Entry | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
