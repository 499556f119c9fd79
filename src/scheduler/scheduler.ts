// The scheduler (kube-scheduler, component `default-scheduler`): places every pod that has no
// spec.nodeName, names this scheduler (or none), is not terminating and has no scheduling gates.
// One decision loop takes pods from the scheduling queue in priority order and decides
// synchronously against the cache (schedule-one.ts); a fitting pod is assumed onto its node at
// once (so the next decision sees it) and its binding cycle (binding-cycle.ts: volumes, then the
// pods/binding write) runs concurrently, so many bindings are in flight while the loop goes on. A
// pod that fits nowhere gets FailedScheduling and the PodScheduled=False condition with
// Kubernetes' message, and waits until a node, an assigned pod, a claim, a volume or a class
// changes, or at most `retryMs` (5 minutes, as Kubernetes' podMaxInUnschedulablePodsDuration).
// Informer handlers only update the cache and the queue; every decision reads the caches.
// Deliberately absent: preemption, preferred pod (anti-)affinity, topology spread constraints,
// extenders, multiple profiles and leader election.

import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { KObject } from '../api/resource.js';
import type { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { NAMESPACES, NODES, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, STORAGE_CLASSES } from '../client/resources.js';
import type { ControllerDeps } from '../controllers/deps.js';
import { isPodTerminal } from '../controllers/util/pods.js';
import { BindingCycle } from './binding-cycle.js';
import { unschedulableMessage } from './fit-error.js';
import { podFootprint } from './node-info.js';
import { podVolumesFor } from './plugins/volume-binding.js';
import { Algorithm } from './schedule-one.js';
import { SchedulerCache } from './scheduler-cache.js';
import { DEFAULT_SCHEDULER, recordFailure } from './scheduling-failure.js';
import type { PodInfo } from './scheduling-queue.js';
import { SchedulingQueue } from './scheduling-queue.js';
import { VolumeBinder } from './volume-binder.js';
import { VolumeCache } from './volume-cache.js';

export interface SchedulerOptions {
  /** Pods naming this scheduler (default `default-scheduler`; pods naming none count as that). */
  schedulerName?: string;
  /** Unschedulable pods are tried again at least this often (default 10 s). */
  retryMs?: number;
  /** How long a binding cycle waits for the pod's claims to be bound (default 60 s). */
  bindTimeoutMs?: number;
  /** Back-off after a failed attempt: initial and maximum (defaults 250 ms and 10 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** pods/binding writes in flight at once (default 256). */
  maxBindingsInFlight?: number;
}

/** The decision loop yields to the event loop after this much work (ms). */
const SLICE_MS = 4;

export class Scheduler {
  readonly name: string;
  private readonly pods: Informer;
  private readonly namespaces: Informer;
  private readonly cache = new SchedulerCache();
  private readonly view: VolumeCache;
  private readonly queue: SchedulingQueue;
  private readonly algorithm = new Algorithm();
  private readonly binder: VolumeBinder;
  private readonly cycle: BindingCycle;
  private readonly events: EventRecorder;
  private readonly pending = new Set<Promise<void>>();
  private readonly retryMs: number;
  private running: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private move: { scheduled: boolean; all: boolean; volumes: boolean } = { scheduled: false, all: false, volumes: false };

  constructor(
    private readonly deps: ControllerDeps,
    opts: SchedulerOptions = {},
  ) {
    this.name = opts.schedulerName ?? DEFAULT_SCHEDULER;
    this.retryMs = opts.retryMs ?? 300_000;
    this.events = deps.events(this.name);
    const inf = deps.informers;
    this.pods = inf.for(PODS);
    this.namespaces = inf.for(NAMESPACES);
    const claims = inf.for(PERSISTENT_VOLUME_CLAIMS);
    const volumes = inf.for(PERSISTENT_VOLUMES);
    this.view = new VolumeCache(claims, volumes, inf.for(STORAGE_CLASSES));
    this.queue = new SchedulingQueue({ initialBackoffMs: opts.initialBackoffMs ?? 250, maxBackoffMs: opts.maxBackoffMs ?? 10_000 });
    this.binder = new VolumeBinder({ client: deps.client, events: this.events, view: this.view, log: deps.log });
    this.cycle = new BindingCycle(
      {
        client: deps.client,
        events: this.events,
        now: deps.now,
        log: deps.log,
        cache: this.cache,
        view: this.view,
        binder: this.binder,
        queue: this.queue,
        pod: (key) => this.pods.get(key),
        released: () => this.requestMove(false),
      },
      { bindTimeoutMs: opts.bindTimeoutMs ?? 60_000, maxBindingsInFlight: opts.maxBindingsInFlight ?? 256 },
    );
    inf.for(NODES).onChange((name, node) => {
      if (this.cache.setNode(name, node)) this.requestMove(false);
    });
    this.pods.onChange((key, pod) => this.podChanged(key, pod));
    claims.onChange((key) => {
      this.binder.changed(key);
      this.requestMove(true);
    });
    volumes.onChange((name, pv) => {
      for (const claimKey of this.view.volumeChanged(name, pv)) this.binder.changed(claimKey);
      this.requestMove(true);
    });
    inf.for(STORAGE_CLASSES).onChange(() => this.requestMove(true));
  }

  start(): void {
    this.running = this.loop();
    this.flushTimer = setInterval(() => this.queue.flush(this.retryMs), Math.max(50, Math.min(this.retryMs, 1000)));
    this.flushTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.queue.stop();
    this.cycle.stop();
    this.binder.stop();
    await this.running;
    await Promise.allSettled([...this.pending]);
    await this.events.flush();
  }

  /** Schedules one pod now (out of queue order) and resolves when its attempt has been written. */
  async reconcile(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !this.wants(pod)) return;
    this.queue.take(key, this.info(pod));
    await this.attempt(key);
  }

  private writer() {
    return { client: this.deps.client, events: this.events, now: this.deps.now, log: this.deps.log };
  }

  private responsible(pod: KObject): boolean {
    return (pod.spec?.schedulerName || DEFAULT_SCHEDULER) === this.name;
  }

  private wants(pod: KObject): boolean {
    return (
      !pod.spec?.nodeName && !pod.metadata?.deletionTimestamp && !isPodTerminal(pod) && this.responsible(pod) && !(pod.spec?.schedulingGates?.length > 0)
    );
  }

  private info(pod: KObject): PodInfo {
    return {
      priority: typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0,
      signature: signatureOf(pod),
      usesVolumes: (pod.spec?.volumes ?? []).some((v: any) => v?.persistentVolumeClaim || v?.ephemeral),
    };
  }

  private podChanged(key: string, pod: KObject | undefined): void {
    if (this.cache.podChanged(key, pod)) this.requestMove(false);
    if (!pod || pod.metadata?.deletionTimestamp) this.cycle.abandon(key, undefined);
    else this.cycle.abandon(key, pod.metadata?.uid);
    if (pod && this.wants(pod)) this.queue.add(key, this.info(pod));
    else this.queue.remove(key);
  }

  /** Coalesces the cluster changes of one turn of the event loop into one move of the unschedulable pods. */
  private requestMove(onlyVolumes: boolean): void {
    if (onlyVolumes) this.move.volumes = true;
    else this.move.all = true;
    if (this.move.scheduled) return;
    this.move.scheduled = true;
    setImmediate(() => {
      const all = this.move.all;
      this.move = { scheduled: false, all: false, volumes: false };
      this.queue.moveAll(!all);
    });
  }

  private async loop(): Promise<void> {
    let slice = performance.now();
    while (!this.stopped) {
      const key = this.queue.pop();
      if (key === undefined) {
        await this.queue.next();
        slice = performance.now();
        continue;
      }
      void this.attempt(key);
      if (performance.now() - slice > SLICE_MS) {
        await yieldToEvents();
        slice = performance.now();
      }
    }
  }

  /** One scheduling attempt; the decision is synchronous, the writes it starts are tracked. */
  private attempt(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod || !this.wants(pod)) {
      this.queue.done(key);
      return Promise.resolve();
    }
    const footprint = podFootprint(pod);
    const decision = this.algorithm.schedule({
      pod,
      footprint,
      cache: this.cache,
      volumes: this.view,
      namespaceLabels: (ns) => this.namespaces.get(ns)?.metadata?.labels,
    });
    let work: Promise<void>;
    if (decision.kind === 'fit') {
      const node = decision.node.name;
      const volumes = podVolumesFor(decision.states.get('VolumeBinding'), node);
      this.cache.assume(key, footprint, node);
      if (volumes) this.view.assume(key, volumes);
      work = this.cycle.run({ key, pod, node, volumes });
    } else if (decision.kind === 'unschedulable') {
      this.queue.unschedulable(key, this.info(pod));
      work = recordFailure(this.writer(), pod, { reason: 'Unschedulable', message: unschedulableMessage(pod, decision.diagnosis) });
    } else {
      this.queue.retry(key);
      work = recordFailure(this.writer(), pod, { reason: 'SchedulerError', message: decision.message });
    }
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
    return work;
  }
}

/**
 * What a pod's scheduling depends on, as text to compare. Informer objects are frozen and a status
 * write keeps the spec object it did not change, so the text is kept per spec object (and labels).
 */
const signatures = new WeakMap<object, { labels: unknown; text: string }>();
function signatureOf(pod: KObject): string {
  const spec = pod.spec as object | undefined;
  const labels = pod.metadata?.labels;
  const cacheable = !!spec && Object.isFrozen(spec) && (labels === undefined || Object.isFrozen(labels));
  const known = cacheable ? signatures.get(spec!) : undefined;
  if (known && known.labels === labels) return known.text;
  const text = JSON.stringify([spec, labels]);
  if (cacheable) signatures.set(spec!, { labels, text });
  return text;
}
