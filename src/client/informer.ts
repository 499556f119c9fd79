// An informer: list, then watch from the list's resourceVersion, keeping a local cache of the
// objects and calling a handler with each changed key. Re-watches when the stream ends and
// re-lists on 410 Expired. A handler registered with a resync period gets every cached object
// again on that period (client-go's AddEventHandlerWithResyncPeriod), so a level-based controller
// repairs whatever a lost event or a failed side effect left behind; the informer's own resyncMs is
// the period of handlers that name none. Objects in the cache are shared: handlers must not mutate
// them.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import type { Client, ResourceRef } from './client.js';

export type KeyHandler = (key: string, obj: KObject | undefined) => void;

export function objectKey(obj: KObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}

export class Informer {
  private readonly items = new Map<string, KObject>();
  private readonly handlers: { h: KeyHandler; resyncMs: number }[] = [];
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private synced!: Promise<void>;
  private markSynced!: () => void;

  constructor(
    private readonly client: Client,
    private readonly resource: ResourceRef,
    private readonly opts: { namespace?: string; retryMs?: number; resyncMs?: number; log?: (l: string) => void; freeze?: (o: KObject) => void } = {},
  ) {
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  /** Registers a handler; `resyncMs` (default: the informer's) hands it every cached object again on that period, 0 never. */
  onChange(h: KeyHandler, opts: { resyncMs?: number } = {}): void {
    this.handlers.push({ h, resyncMs: opts.resyncMs ?? this.opts.resyncMs ?? 0 });
  }

  get(key: string): KObject | undefined {
    return this.items.get(key);
  }

  list(): KObject[] {
    return [...this.items.values()];
  }

  start(): Promise<void> {
    this.running = this.run();
    for (const period of new Set(this.handlers.map((x) => x.resyncMs))) {
      if (!period) continue;
      const t = setInterval(() => this.resync(period), period);
      t.unref();
      this.abort.signal.addEventListener('abort', () => clearInterval(t));
    }
    return this.synced;
  }

  /** Hands every cached object again to the handlers with that resync period (all handlers without one). */
  resync(period?: number): void {
    const hs = this.handlers.filter((x) => period === undefined || x.resyncMs === period);
    for (const [k, o] of this.items) {
      this.opts.freeze?.(o);
      for (const x of hs) x.h(k, o);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => undefined);
  }

  private emit(key: string, obj: KObject | undefined): void {
    if (obj) this.opts.freeze?.(obj);
    for (const x of this.handlers) x.h(key, obj);
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let rv = '';
    while (!signal.aborted) {
      try {
        if (!rv) {
          const l = await this.client.list(this.resource, this.opts.namespace);
          const seen = new Set<string>();
          for (const o of l.items) {
            const k = objectKey(o);
            seen.add(k);
            this.items.set(k, o);
            this.emit(k, o);
          }
          for (const k of [...this.items.keys()]) {
            if (!seen.has(k)) {
              this.items.delete(k);
              this.emit(k, undefined);
            }
          }
          rv = l.resourceVersion;
          this.markSynced();
        }
        for await (const ev of this.client.watch(this.resource, this.opts.namespace, { resourceVersion: rv, allowWatchBookmarks: 'true' }, signal)) {
          if (ev.type === 'ERROR') {
            if ((ev.object as any).code === 410) rv = '';
            break;
          }
          rv = ev.object.metadata?.resourceVersion ?? rv;
          if (ev.type === 'BOOKMARK') continue;
          const k = objectKey(ev.object);
          if (ev.type === 'DELETED') this.items.delete(k);
          else this.items.set(k, ev.object);
          this.emit(k, ev.type === 'DELETED' ? undefined : ev.object);
        }
      } catch (e) {
        if (signal.aborted) return;
        if (isApiError(e) && e.code === 410) rv = '';
        this.opts.log?.(`informer ${this.resource.plural}: ${(e as Error).message}; retrying`);
        await new Promise((r) => setTimeout(r, this.opts.retryMs ?? 1000));
      }
    }
  }
}
