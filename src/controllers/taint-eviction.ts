// Taint eviction controller (pkg/controller/tainteviction, component `taint-eviction-controller`):
// deletes pods from nodes with NoExecute taints they do not tolerate. For each pod bound to a node
// with NoExecute taints, the first toleration matching each taint decides (GetMatchingTolerations):
// a taint no toleration matches evicts the pod at once; otherwise the pod goes at the earliest
// end of its tolerationSeconds (counted from the taint's timeAdded), and never when every matching
// toleration lacks tolerationSeconds. An eviction records TaintManagerEviction "Marking for deletion
// Pod <ns>/<name>", sets the DisruptionTarget condition (DeletionByTaintManager, "Taint manager:
// deleting due to NoExecute taint") and makes an ordinary graceful DELETE: a pod whose agent is
// gone stays Terminating until someone confirms or force-deletes it, so a StatefulSet does not
// replace it while it may still be running. A scheduled eviction is cancelled ("Cancelling deletion
// of Pod <ns>/<name>") when the taint goes or the pod's tolerations change to tolerate it for good.
//
// The decision is a function of stored timestamps and the clock, so it survives restarts: the
// countdown starts at the latest of the taint's timeAdded (never later than when this controller
// first saw the taint, so a clock ahead of ours cannot postpone it; that moment for a taint without
// timeAdded), the time the pod was bound (a pod placed on an already tainted node gets its whole
// toleration, as in Kubernetes), and the start of this controller (it does not evict on evidence
// it did not watch: a node that recovered while the control plane was down gets time to say so).
// Deliberately absent: Kubernetes' per-node worker sharding (a WorkQueue keyed by pod serializes
// each pod) and its metrics.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import type { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { NODES, PODS } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from './deps.js';
import { PodsByNode } from './node-lifecycle/pods-by-node.js';
import { rfc3339 } from './node-lifecycle/node-health.js';
import { deletePod, podRef, setPodCondition, updatePodStatus } from './node-lifecycle/pod-writes.js';
import type { Taint } from './node-lifecycle/taints.js';
import { matchingTolerations, noExecuteTaints, podTolerations } from './node-lifecycle/taints.js';

export const TAINT_EVICTION_COMPONENT = 'taint-eviction-controller';

const taintId = (t: Taint) => `${t.key}\u0000${t.value ?? ''}`;

function timeMs(v: unknown): number {
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(ms) ? -Infinity : ms;
}

/** When the pod was bound: its PodScheduled condition's transition, else its creation. */
function boundAtMs(pod: KObject): number {
  const scheduled = (pod.status?.conditions ?? []).find((c: any) => c?.type === 'PodScheduled' && c?.status === 'True');
  const t = timeMs(scheduled?.lastTransitionTime);
  return t !== -Infinity ? t : timeMs(pod.metadata?.creationTimestamp);
}

export class TaintEvictionController {
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly podsByNode = new PodsByNode();
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  private readonly scheduled = new Map<string, { atMs: number; timer: NodeJS.Timeout }>();
  /** node → its NoExecute taints (key, value) → when this controller first saw each. */
  private readonly taintSeen = new Map<string, Map<string, number>>();
  /** What each node's and pod's decision depends on, to wake pods only when that changes. */
  private readonly nodeSig = new Map<string, string>();
  private readonly podSig = new Map<string, string>();
  private startedAtMs: number;
  private stopped = false;

  constructor(
    private readonly deps: ControllerDeps,
    opts: { workers?: number } = {},
  ) {
    this.startedAtMs = deps.now().getTime();
    this.events = deps.events(TAINT_EVICTION_COMPONENT);
    this.nodes = deps.informers.for(NODES);
    this.pods = deps.informers.for(PODS);
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: TAINT_EVICTION_COMPONENT, log: deps.log, workers: opts.workers ?? 8 });
    this.nodes.onChange((name, node) => this.nodeChanged(name, node));
    this.pods.onChange((key, pod) => {
      this.podsByNode.update(key, pod);
      const sig = pod ? JSON.stringify([pod.metadata?.uid, pod.spec?.nodeName ?? '', podTolerations(pod), !!pod.metadata?.deletionTimestamp]) : '';
      if (sig === (this.podSig.get(key) ?? '')) return;
      if (pod) this.podSig.set(key, sig);
      else this.podSig.delete(key);
      this.queue.add(key);
    });
  }

  start(): void {
    this.startedAtMs = this.deps.now().getTime();
    this.queue.run();
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
    for (const s of this.scheduled.values()) clearTimeout(s.timer);
    this.scheduled.clear();
  }

  private nodeChanged(name: string, node: KObject | undefined): void {
    const taints = noExecuteTaints(node);
    const now = this.deps.now().getTime();
    const prevSeen = this.taintSeen.get(name);
    const seen = new Map<string, number>();
    for (const t of taints) seen.set(taintId(t), prevSeen?.get(taintId(t)) ?? now);
    if (seen.size) this.taintSeen.set(name, seen);
    else this.taintSeen.delete(name);
    const sig = node ? JSON.stringify(taints.map((t) => [t.key, t.value ?? '', t.timeAdded ?? ''])) : '';
    if (sig === (this.nodeSig.get(name) ?? '')) return;
    if (node) this.nodeSig.set(name, sig);
    else this.nodeSig.delete(name);
    for (const key of this.podsByNode.podsOn(name)) this.queue.add(key);
  }

  /**
   * When the taint's countdown started: timeAdded, but never after this controller first saw it.
   * timeAdded has whole seconds, so it stands for any moment of its second: within that second the
   * moment this controller saw the taint is the better reading (never early).
   */
  private taintStartMs(node: string, t: Taint, opts: { nowMs: number }): number {
    const seen = this.taintSeen.get(node)?.get(taintId(t)) ?? opts.nowMs;
    const added = timeMs(t.timeAdded);
    return added === -Infinity ? seen : Math.min(added + 999, seen);
  }

  /** When the pod must go (ms; <= now means at once), Infinity when it tolerates the taints for good. */
  evictionTime(pod: KObject, node: KObject | undefined, opts: { nowMs: number }): number {
    const { nowMs } = opts;
    const taints = noExecuteTaints(node);
    if (!taints.length) return Infinity;
    const used = matchingTolerations(taints, podTolerations(pod));
    if (!used) return nowMs;
    const floor = Math.max(this.startedAtMs, boundAtMs(pod));
    let at = Infinity;
    taints.forEach((taint, i) => {
      const secs = used[i].tolerationSeconds;
      if (secs === undefined || secs === null) return;
      const start = Math.min(nowMs, Math.max(floor, this.taintStartMs(node!.metadata!.name!, taint, { nowMs })));
      at = Math.min(at, secs <= 0 ? nowMs : start + secs * 1000);
    });
    return at;
  }

  async reconcile(key: string): Promise<void> {
    const pod = this.pods.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || pod.metadata?.deletionTimestamp) {
      // A pod already being deleted needs no eviction; one that is gone gets Kubernetes' event.
      this.cancel(key, { event: !pod });
      return;
    }
    const nowMs = this.deps.now().getTime();
    const at = this.evictionTime(pod, this.nodes.get(nodeName), { nowMs });
    if (at === Infinity) this.cancel(key, { event: true });
    else if (at > nowMs) this.schedule(key, at);
    else await this.evict(key, pod);
  }

  private schedule(key: string, atMs: number): void {
    const cur = this.scheduled.get(key);
    if (this.stopped || cur?.atMs === atMs) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => {
      this.scheduled.delete(key);
      this.queue.add(key);
    }, Math.max(0, atMs - this.deps.now().getTime()) + 1);
    timer.unref();
    this.scheduled.set(key, { atMs, timer });
    this.deps.log?.(`taint-eviction ${key} => eviction scheduled at ${new Date(atMs).toISOString()}`);
  }

  private cancel(key: string, opts: { event: boolean }): void {
    const cur = this.scheduled.get(key);
    if (!cur) return;
    clearTimeout(cur.timer);
    this.scheduled.delete(key);
    if (!opts.event) return;
    const [namespace, name] = key.split('/');
    this.events.event(podRef(this.pods.get(key) ?? { metadata: { namespace, name } }), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private async evict(key: string, cached: KObject): Promise<void> {
    this.cancel(key, { event: false });
    const { namespace, name, uid } = cached.metadata!;
    // Decide again on the live pod: its tolerations may have changed since the cache saw it.
    let pod: KObject;
    try {
      pod = await this.deps.client.get(PODS, namespace, name!);
    } catch (e) {
      if (isApiError(e) && e.code === 404) return;
      throw e;
    }
    if (pod.metadata?.uid !== uid || pod.metadata?.deletionTimestamp) return;
    const nowMs = this.deps.now().getTime();
    if (this.evictionTime(pod, this.nodes.get(pod.spec?.nodeName ?? ''), { nowMs }) > nowMs) {
      this.queue.add(key);
      return;
    }
    this.events.event(podRef(pod), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' };
    const change = (p: KObject) => setPodCondition(p.status, condition, { nowIso: rfc3339(nowMs) });
    const marked = await updatePodStatus(this.deps.client, pod, { change });
    if (!marked) return;
    if (await deletePod(this.deps.client, marked)) this.deps.log?.(`taint-eviction ${key}, NoExecute taint on ${pod.spec?.nodeName} => deleted`);
  }
}
