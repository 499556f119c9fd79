// A work queue of keys for level-based controllers: a key is processed by one worker at a time,
// duplicates collapse while queued, and a failed key is retried with exponential back-off.

export type Reconcile = (key: string) => Promise<void | { requeueAfterMs: number }>;

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly order: string[] = [];
  private wakers: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly reconcile: Reconcile,
    private readonly opts: { workers?: number; log?: (l: string) => void; name?: string } = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.order.push(key);
    this.wakers.shift()?.();
  }

  addAfter(key: string, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  run(): Promise<void>[] {
    return Array.from({ length: this.opts.workers ?? 2 }, () => this.worker());
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.wakers.splice(0)) w();
  }

  private async worker(): Promise<void> {
    while (!this.stopped) {
      const key = this.order.shift();
      if (key === undefined) {
        await new Promise<void>((r) => this.wakers.push(r));
        continue;
      }
      this.queued.delete(key);
      this.active.add(key);
      try {
        const res = await this.reconcile(key);
        this.failures.delete(key);
        if (res && res.requeueAfterMs >= 0) this.addAfter(key, res.requeueAfterMs);
      } catch (e) {
        const n = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, n);
        this.opts.log?.(`${this.opts.name ?? 'controller'} ${key} => error (${(e as Error).message}), retry ${n}`);
        this.addAfter(key, Math.min(5 * 2 ** n, 60_000));
      } finally {
        this.active.delete(key);
        if (this.dirty.delete(key)) this.add(key);
      }
    }
  }
}
