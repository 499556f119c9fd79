// The binding cycle of one assumed pod (kube-scheduler's bindingCycle), run asynchronously so the
// decision loop goes on with the next pod: PreBind (VolumeBinding: write the volume bindings and
// provisioning requests, wait until the claims are bound), then Bind (POST pods/<name>/binding,
// carrying the pod's uid so a recreated pod of the same name is not bound by mistake), then the
// Scheduled event. Any failure forgets the assumption, releases the volume assumptions (and
// withdraws an unused provisioning request), records FailedScheduling with SchedulerError, and
// hands the pod back to the queue for a retry after its back-off. A pod deleted meanwhile is
// simply dropped. Binding writes in flight are bounded so a burst cannot flood the API server.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import type { Client } from '../client/client.js';
import { resourcePath } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import { PODS } from '../client/resources.js';
import type { PodVolumes } from './plugins/volume-binding.js';
import type { SchedulerCache } from './scheduler-cache.js';
import type { SchedulingQueue } from './scheduling-queue.js';
import { DEFAULT_SCHEDULER, recordFailure, recordScheduled } from './scheduling-failure.js';
import type { VolumeBinder } from './volume-binder.js';
import type { VolumeCache } from './volume-cache.js';

export interface BindingDeps {
  client: Client;
  events: EventRecorder;
  now: () => Date;
  log?: (l: string) => void;
  cache: SchedulerCache;
  view: VolumeCache;
  binder: VolumeBinder;
  queue: SchedulingQueue;
  /** The current pod from the informer (for the failure condition's resourceVersion). */
  pod(key: string): KObject | undefined;
  /** Resources were given back (an assumption forgotten): pending pods may fit now. */
  released(): void;
}

/** A counting semaphore for the binding writes in flight. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

export interface Assumed {
  key: string;
  pod: KObject;
  node: string;
  volumes?: PodVolumes;
}

export class BindingCycle {
  private readonly slots: Slots;
  private stopped = false;
  /** pod key → the abort of its cycle (its pod went away). */
  private readonly running = new Map<string, { uid: string; abort: AbortController }>();

  constructor(
    private readonly deps: BindingDeps,
    private readonly opts: { bindTimeoutMs: number; maxBindingsInFlight: number },
  ) {
    this.slots = new Slots(opts.maxBindingsInFlight);
  }

  stop(): void {
    this.stopped = true;
  }

  /** The pod is gone (or replaced by another of the same name): stop waiting for its volumes. */
  abandon(key: string, uid: string | undefined): void {
    const r = this.running.get(key);
    if (r && r.uid !== uid) r.abort.abort();
  }

  async run(a: Assumed): Promise<void> {
    const { deps } = this;
    const m = a.pod.metadata ?? {};
    let stage = 'PreBind';
    const abort = new AbortController();
    this.running.set(a.key, { uid: m.uid ?? '', abort });
    try {
      if (a.volumes) {
        const node = deps.cache.node(a.node)?.node;
        if (!node) throw new Error(`node "${a.node}" not found`);
        await deps.binder.bind(a.volumes, { node, timeoutMs: this.opts.bindTimeoutMs, signal: abort.signal });
      }
      stage = 'Bind';
      await this.slots.acquire();
      try {
        await deps.client.writesOnly().raw({
          method: 'POST',
          path: resourcePath(PODS, m.namespace, m.name, 'binding'),
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name: m.name, namespace: m.namespace, uid: m.uid },
            target: { apiVersion: 'v1', kind: 'Node', name: a.node },
          }),
        });
      } finally {
        this.slots.release();
      }
      recordScheduled(deps.events, { pod: a.pod, node: a.node });
      deps.log?.(`${DEFAULT_SCHEDULER} BIND ${a.key} => ${a.node}`);
      deps.queue.done(a.key);
    } catch (e) {
      await this.failed(a, { stage, error: e });
    } finally {
      if (this.running.get(a.key)?.abort === abort) this.running.delete(a.key);
      if (a.volumes) deps.view.release(a.key, a.volumes);
    }
  }

  private async failed(a: Assumed, opts: { stage: string; error: unknown }): Promise<void> {
    const { deps } = this;
    const { stage, error: e } = opts;
    if (deps.cache.forget(a.key, a.pod.metadata?.uid ?? '')) deps.released();
    if (this.stopped) return;
    if (a.volumes && stage === 'PreBind') {
      await deps.binder.withdraw(a.volumes).catch((err) => deps.log?.(`${DEFAULT_SCHEDULER} UNRESERVE ${a.key} => ${(err as Error).message}`));
    }
    const current = deps.pod(a.key);
    const gone = !current || current.metadata?.uid !== a.pod.metadata?.uid || !!current.metadata?.deletionTimestamp || (isApiError(e) && e.code === 404);
    // Bound meanwhile (a conflict on the binding means someone assigned it): nothing left to do.
    if (gone || current.spec?.nodeName) {
      deps.queue.done(a.key);
      return;
    }
    const message =
      stage === 'PreBind'
        ? `running PreBind plugin "VolumeBinding": binding volumes: ${(e as Error).message}`
        : `running Bind plugin "DefaultBinder": ${(e as Error).message}`;
    await recordFailure(deps, current, { reason: 'SchedulerError', message });
    deps.queue.retry(a.key);
  }
}
