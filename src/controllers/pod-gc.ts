// Pod garbage collector (pkg/controller/podgc, component `pod-garbage-collector`): force-deletes
// (grace period 0) pods nobody else will ever finish:
// - orphaned: bound to a node that does not exist. After a quarantine (quarantineMs) the node is
//   looked up live, never on the cache's word; if it is really gone, each pod gets phase Failed
//   and DisruptionTarget (DeletionByPodGC, "PodGC: node no longer exists"), then is deleted.
// - terminating on an out-of-service node: a pod being deleted on a node that is not Ready and
//   carries the node.kubernetes.io/out-of-service taint (gcTerminating; the NodeOutOfServiceVolumeDetach
//   feature, GA in 1.28): the administrator has declared the node dead.
// - terminating and never scheduled (gcUnscheduledTerminating).
// - terminated (phase neither Pending, Running nor Unknown) beyond terminatedPodThreshold
//   (--terminated-pod-gc-threshold, 12500; 0 turns it off), evicted ones first, then oldest first.
// Pods that are not yet Succeeded or Failed are set to Failed first (markFailedAndDeletePod), so a
// pod never ends its life looking Running. Deletions carry the pod's uid as a precondition.
//
// Faster than Kubernetes by design: no 20 s loop over all pods; pods and nodes are looked at when
// they change. The quarantine defaults to 5 s instead of Kubernetes' 40 s: it only exists to let an
// informer catch up with a node created just before its pods (berth's informers lag by
// milliseconds) and the live GET decides anyway; a longer wait only keeps a StatefulSet pod of a
// deleted node Terminating longer.
// Deliberately absent: Kubernetes' metrics.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import type { Informer } from '../client/informer.js';
import { objectKey } from '../client/informer.js';
import { NODES, PODS } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from './deps.js';
import { readyStatus, rfc3339 } from './node-lifecycle/node-health.js';
import { PodsByNode } from './node-lifecycle/pods-by-node.js';
import type { PodCondition } from './node-lifecycle/pod-writes.js';
import { deletePod, setPodCondition, updatePodStatus } from './node-lifecycle/pod-writes.js';
import { TAINT_OUT_OF_SERVICE, hasTaintKey } from './node-lifecycle/taints.js';

export const POD_GC_COMPONENT = 'pod-garbage-collector';

export interface PodGcOptions {
  /** How long a missing node may take to appear before it is looked up (default 5 s). */
  quarantineMs?: number;
  /** --terminated-pod-gc-threshold (default 12500; 0 disables). */
  terminatedPodThreshold?: number;
  workers?: number;
}

/** isPodTerminated in podgc: any phase but Pending, Running and Unknown. */
export function isTerminatedPhase(pod: KObject): boolean {
  const phase = pod.status?.phase ?? '';
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

/** The node's administrator declared it dead: not Ready and tainted out-of-service. */
function outOfService(node: KObject | undefined): boolean {
  return !!node && readyStatus(node) !== 'True' && hasTaintKey(node, TAINT_OUT_OF_SERVICE);
}

/** byEvictionAndCreationTimestamp: evicted pods first, then by creation time, then by name. */
function gcOrder(a: KObject, b: KObject): number {
  const ea = a.status?.reason === 'Evicted';
  const eb = b.status?.reason === 'Evicted';
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

const TERMINATED_KEY = '\u0000terminated';

export class PodGarbageCollector {
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly podsByNode = new PodsByNode();
  private readonly terminated = new Set<string>();
  /** Nodes whose quarantine is running (their check is already scheduled). */
  private readonly quarantined = new Set<string>();
  private readonly podQueue: WorkQueue;
  private readonly nodeQueue: WorkQueue;
  private readonly quarantineMs: number;
  private readonly threshold: number;

  constructor(
    private readonly deps: ControllerDeps,
    opts: PodGcOptions = {},
  ) {
    this.quarantineMs = opts.quarantineMs ?? 5_000;
    this.threshold = opts.terminatedPodThreshold ?? 12_500;
    this.nodes = deps.informers.for(NODES);
    this.pods = deps.informers.for(PODS);
    const workers = opts.workers ?? 8;
    this.podQueue = new WorkQueue((k) => (k === TERMINATED_KEY ? this.gcTerminated() : this.reconcile(k)), { name: `${POD_GC_COMPONENT} pod`, log: deps.log, workers });
    this.nodeQueue = new WorkQueue((n) => this.reconcileNode(n), { name: `${POD_GC_COMPONENT} node`, log: deps.log, workers: 2 });
    this.pods.onChange((key, pod) => this.podChanged(key, pod));
    this.nodes.onChange((name, node) => {
      if (!node) {
        if (this.podsByNode.podsOn(name).length) this.quarantine(name);
        return;
      }
      if (outOfService(node)) for (const key of this.podsByNode.podsOn(name)) this.podQueue.add(key);
    });
  }

  start(): void {
    this.podQueue.run();
    this.nodeQueue.run();
  }

  stop(): void {
    this.podQueue.stop();
    this.nodeQueue.stop();
  }

  private podChanged(key: string, pod: KObject | undefined): void {
    this.podsByNode.update(key, pod);
    if (pod && isTerminatedPhase(pod)) {
      this.terminated.add(key);
      if (this.threshold > 0 && this.terminated.size > this.threshold) this.podQueue.add(TERMINATED_KEY);
    } else this.terminated.delete(key);
    if (!pod) return;
    const nodeName = pod.spec?.nodeName;
    if (nodeName && !this.nodes.get(nodeName)) this.quarantine(nodeName);
    if (pod.metadata?.deletionTimestamp && (!nodeName || outOfService(this.nodes.get(nodeName)))) this.podQueue.add(key);
  }

  private quarantine(node: string): void {
    if (this.quarantined.has(node)) return;
    this.quarantined.add(node);
    this.nodeQueue.addAfter(node, this.quarantineMs);
  }

  /** gcTerminating and gcUnscheduledTerminating for one pod. */
  async reconcile(key: string): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod?.metadata?.deletionTimestamp) return;
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return this.forceDelete(pod, { why: 'terminating and never scheduled' });
    if (outOfService(this.nodes.get(nodeName))) return this.forceDelete(pod, { why: `terminating on out-of-service node ${nodeName}` });
  }

  /** gcOrphaned for one node name, once its quarantine is over. */
  async reconcileNode(name: string): Promise<void> {
    this.quarantined.delete(name);
    if (this.nodes.get(name) || !this.podsByNode.podsOn(name).length) return;
    try {
      await this.deps.client.get(NODES, undefined, name);
      return;
    } catch (e) {
      if (!(isApiError(e) && e.code === 404)) throw e;
    }
    const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
    const pods = this.podsByNode
      .podsOn(name)
      .map((k) => this.pods.get(k))
      .filter((p): p is KObject => p?.spec?.nodeName === name);
    const results = await Promise.allSettled(pods.map((p) => this.forceDelete(p, { why: `node ${name} no longer exists`, condition })));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** gcTerminated: the oldest terminated pods beyond the threshold. */
  async gcTerminated(): Promise<void> {
    const excess = this.terminated.size - this.threshold;
    if (this.threshold <= 0 || excess <= 0) return;
    const pods = [...this.terminated]
      .map((k) => this.pods.get(k))
      .filter((p): p is KObject => !!p)
      .sort(gcOrder)
      .slice(0, excess);
    this.deps.log?.(`pod-gc => deleting ${pods.length} of ${this.terminated.size} terminated pods (threshold ${this.threshold})`);
    const results = await Promise.allSettled(pods.map((p) => this.forceDelete(p, { why: 'terminated pods above the threshold' })));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** markFailedAndDeletePodWithCondition. */
  private async forceDelete(pod: KObject, opts: { why: string; condition?: PodCondition }): Promise<void> {
    let target: KObject | undefined = pod;
    const phase = pod.status?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      const nowIso = rfc3339(this.deps.now().getTime());
      const change = (p: KObject) => {
        if (p.status.phase === 'Succeeded' || p.status.phase === 'Failed') return false;
        p.status.phase = 'Failed';
        if (opts.condition) setPodCondition(p.status, opts.condition, { nowIso });
        return true;
      };
      target = await updatePodStatus(this.deps.client, pod, { change });
      if (!target) return;
    }
    if (await deletePod(this.deps.client, target, { gracePeriodSeconds: 0 })) {
      this.deps.log?.(`pod-gc ${objectKey(pod)}, ${opts.why} => force-deleted`);
    }
  }
}
