// Records core/v1 Events about objects, as client-go's EventRecorder does: the first occurrence
// creates `<name>.<hex time>` in the object's namespace (`default` for cluster-scoped objects);
// a repeat of the same type, reason and message for the same object bumps count and
// lastTimestamp; similar events are combined and floods dropped (event-correlator.ts). Recording
// never blocks or fails the caller: errors are logged and dropped.

import type { KObject } from '../api/resource.js';
import type { Client } from './client.js';
import { EVENTS } from './resources.js';
import { EventCorrelator } from './event-correlator.js';

export type EventType = 'Normal' | 'Warning';

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

const MAX_REMEMBERED = 4096;

/** One sequence for every recorder in the process: two recorders in one millisecond never collide. */
let sequence = 0;

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly pending = new Set<Promise<void>>();
  private readonly correlator = new EventCorrelator();

  constructor(
    private readonly client: Client,
    private readonly opts: { component: string; host?: string; now?: () => Date; log?: (l: string) => void },
  ) {}

  event(obj: KObject, type: EventType, reason: string, message: string): void {
    const p = this.record(obj, type, reason, message).catch((e) => {
      this.opts.log?.(`event ${reason} for ${obj.kind} ${obj.metadata?.name} => dropped (${(e as Error).message})`);
    });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Resolves when every event recorded so far has been written (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private async record(obj: KObject, type: EventType, reason: string, given: string): Promise<void> {
    const m = obj.metadata ?? {};
    const at = (this.opts.now ?? (() => new Date()))();
    const now = rfc3339(at);
    const c = this.correlator.correlate({ object: m.uid ?? `${obj.kind}/${m.namespace}/${m.name}`, type, reason, message: given }, at.getTime());
    if (c.skip) return;
    const { key, message } = c;
    const prev = this.seen.get(key);
    if (prev) {
      prev.count++;
      this.seen.delete(key);
      this.seen.set(key, prev);
      try {
        await this.client.writesOnly().patch(EVENTS, prev.namespace, prev.name, { count: prev.count, lastTimestamp: now });
        return;
      } catch {
        // The event expired or was deleted: record it afresh.
        this.seen.delete(key);
      }
    }
    const namespace = m.namespace || 'default';
    const [group, version] = (obj.apiVersion ?? 'v1').includes('/') ? obj.apiVersion!.split('/') : ['', obj.apiVersion ?? 'v1'];
    // Like client-go's `<name>.<UnixNano in hex>`; a sequence number fills the nanoseconds so two
    // events in one millisecond never share a name (the product is beyond 2^53: BigInt).
    const name = () => `${m.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(sequence++ % 1_000_000)).toString(16)}`;
    const ev: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: name(), namespace },
      involvedObject: {
        kind: obj.kind,
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
        apiVersion: group ? `${group}/${version}` : version,
        resourceVersion: m.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.opts.component, ...(this.opts.host ? { host: this.opts.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.host ?? '',
    };
    try {
      await this.client.writesOnly().create(EVENTS, namespace, ev);
    } catch (e) {
      // Another process's event took the name in the same instant: take the next one.
      if ((e as { code?: number }).code !== 409) throw e;
      ev.metadata!.name = name();
      await this.client.writesOnly().create(EVENTS, namespace, ev);
    }
    this.seen.set(key, { name: ev.metadata!.name!, namespace, count: 1 });
    if (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
  }
}
