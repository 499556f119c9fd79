// Node lifecycle controller (pkg/controller/nodelifecycle, component `node-controller`): notices
// nodes that stopped showing signs of life and says so on the API, so that the scheduler, the
// taint eviction controller and the endpoints controllers react. Per node:
// - a sign of life is a renewed Lease (kube-node-lease/<node>) or a new Ready heartbeat, timed on
//   this controller's clock (node-health.ts). A node with none for nodeMonitorGracePeriodMs (40 s,
//   --node-monitor-grace-period; nodeStartupGracePeriodMs, 60 s, before its agent first posted a
//   Ready condition) gets Ready, MemoryPressure, DiskPressure and PIDPressure Unknown
//   ("NodeStatusUnknown", "Kubelet stopped posting node status."), the event NodeNotReady
//   ("Node <n> status is now: NodeNotReady") when it was Ready, and its pods' Ready condition
//   False with a Warning NodeNotReady "Node is not ready" event on each (MarkPodsNotReady). A pod
//   bound later to a node that is not Ready is marked too (processPod).
// - taints follow (node-taints.ts): NoSchedule per unhealthy condition; NoExecute unreachable
//   (Ready Unknown) or not-ready (Ready False), added at the zone's rate and not at all while every
//   zone is fully disrupted (zone-disruption.ts), removed as soon as the agent reports Ready True.
// - events RegisteredNode / RemovingNode ("Node <n> event: Registered Node <n> in Controller").
// Faster than Kubernetes by design: instead of a 5 s monitor loop over every node, each node is
// looked at when its Node or Lease changes and at its own deadline (last sign of life + grace).
// Deliberately different: marking pods not ready also happens when the controller itself turns a
// node from Ready False to Unknown (Kubernetes only does it from True): nobody else will update
// those pods. Deliberately absent: evicting pods (the taint eviction controller does it), CIDR
// allocation, and DaemonSet awareness (berth has no DaemonSets yet).

import type { KObject } from '../api/resource.js';
import type { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { LEASES, NODES, PODS } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from './deps.js';
import type { NodeHealth } from './node-lifecycle/node-health.js';
import { markConditionsUnknown, nodeCondition, observeHealth, readyStatus, rfc3339 } from './node-lifecycle/node-health.js';
import type { NoExecuteWish } from './node-lifecycle/node-taints.js';
import { desiredTaints, labelsToReconcile } from './node-lifecycle/node-taints.js';
import { PodsByNode } from './node-lifecycle/pods-by-node.js';
import { markPodNotReady, podRef } from './node-lifecycle/pod-writes.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE, hasTaint } from './node-lifecycle/taints.js';
import type { DisruptionOptions, ZoneState } from './node-lifecycle/zone-disruption.js';
import { ZoneTracker, zoneKey } from './node-lifecycle/zone-disruption.js';

export const NODE_LIFECYCLE_COMPONENT = 'node-controller';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLifecycleOptions extends Partial<DisruptionOptions> {
  /** --node-monitor-grace-period (Kubernetes 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** --node-startup-grace-period (Kubernetes 60 s): the grace of a node that never posted Ready. */
  nodeStartupGracePeriodMs?: number;
  workers?: number;
}

interface Tracked {
  uid?: string;
  health?: NodeHealth;
  /** The controller turned the node Unknown and its pods are still to be marked not ready. */
  podsPending: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

const nodeRef = (node: KObject): KObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata?.name, uid: node.metadata?.uid } });

export class NodeLifecycleController {
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly podsByNode = new PodsByNode();
  private readonly zones: ZoneTracker;
  private readonly nodeQueue: WorkQueue;
  private readonly podQueue: WorkQueue;
  private readonly zoneQueue: WorkQueue;
  private readonly tracked = new Map<string, Tracked>();
  private readonly events: EventRecorder;
  private readonly graceMs: number;
  private readonly startupGraceMs: number;
  private zoneStates = new Map<string, ZoneState>();
  private stopped = false;

  constructor(
    private readonly deps: ControllerDeps,
    opts: NodeLifecycleOptions = {},
  ) {
    this.graceMs = opts.nodeMonitorGracePeriodMs ?? 40_000;
    this.startupGraceMs = opts.nodeStartupGracePeriodMs ?? Math.max(60_000, this.graceMs);
    this.zones = new ZoneTracker({
      evictionRate: opts.evictionRate ?? 0.1,
      secondaryEvictionRate: opts.secondaryEvictionRate ?? 0.01,
      largeClusterThreshold: opts.largeClusterThreshold ?? 50,
      unhealthyZoneThreshold: opts.unhealthyZoneThreshold ?? 0.55,
    });
    this.events = deps.events(NODE_LIFECYCLE_COMPONENT);
    this.nodes = deps.informers.for(NODES);
    this.leases = deps.informers.for(LEASES);
    this.pods = deps.informers.for(PODS);
    const log = deps.log;
    const workers = opts.workers ?? 8;
    this.nodeQueue = new WorkQueue((k) => this.reconcile(k), { name: `${NODE_LIFECYCLE_COMPONENT} node`, log, workers });
    this.podQueue = new WorkQueue((k) => this.reconcilePod(k), { name: `${NODE_LIFECYCLE_COMPONENT} pod`, log, workers: 4 });
    this.zoneQueue = new WorkQueue(() => this.syncZones(), { name: `${NODE_LIFECYCLE_COMPONENT} zones`, log, workers: 1 });
    this.nodes.onChange((name, node) => {
      if (this.zones.update(name, node)) this.zoneQueue.add('zones');
      this.nodeQueue.add(name);
    });
    this.leases.onChange((key) => {
      const slash = key.indexOf('/');
      if (key.slice(0, slash) === NODE_LEASE_NAMESPACE) this.nodeQueue.add(key.slice(slash + 1));
    });
    this.pods.onChange((key, pod) => {
      const prev = this.podsByNode.update(key, pod);
      const node = pod?.spec?.nodeName;
      if (node && node !== prev) this.podQueue.add(key);
    });
  }

  start(): void {
    this.nodeQueue.run();
    this.podQueue.run();
    this.zoneQueue.run();
  }

  stop(): void {
    this.stopped = true;
    this.nodeQueue.stop();
    this.podQueue.stop();
    this.zoneQueue.stop();
    for (const t of this.tracked.values()) clearTimeout(t.timer);
  }

  /** Judges one node's health and brings its conditions, taints and pods in line. */
  async reconcile(name: string): Promise<void> {
    const cached = this.nodes.get(name);
    if (!cached) return this.forget(name);
    let t = this.tracked.get(name);
    if (!t) {
      this.tracked.set(name, (t = { uid: cached.metadata?.uid, podsPending: false }));
      this.events.event(nodeRef(cached), 'Normal', 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    }
    t.uid = cached.metadata?.uid;
    const nowMs = this.deps.now().getTime();
    const health = observeHealth(t.health, { node: cached, lease: this.leases.get(`${NODE_LEASE_NAMESPACE}/${name}`), nowMs });
    t.health = health;
    const deadline = health.probeMs + (health.hasReady ? this.graceMs : this.startupGraceMs);
    let node = cached;
    if (nowMs > deadline) {
      const next = structuredClone(cached);
      if (markConditionsUnknown(next, rfc3339(nowMs))) {
        const was = readyStatus(cached);
        node = await this.deps.client.update(NODES, next, 'status');
        this.deps.log?.(`node-lifecycle ${name}, no sign of life for ${nowMs - health.probeMs} ms => Ready Unknown`);
        if (this.zones.update(name, node)) this.zoneQueue.add('zones');
        if (was === 'True') this.events.event(nodeRef(node), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        t.podsPending = true;
      }
    } else {
      this.wakeAt(name, deadline);
    }
    await this.syncTaints(node, nowMs);
    if (readyStatus(node) === 'True') t.podsPending = false;
    else if (t.podsPending) {
      await this.markPodsNotReady(name, rfc3339(nowMs));
      t.podsPending = false;
    }
  }

  /** processPod: a pod newly bound to a node that is not Ready is marked not ready. */
  async reconcilePod(key: string): Promise<void> {
    const pod = this.pods.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !this.tracked.get(nodeName)?.health) return;
    const node = this.nodes.get(nodeName);
    if (!node || !nodeCondition(node, 'Ready') || readyStatus(node) === 'True') return;
    if (await markPodNotReady(this.deps.client, pod, { nowIso: rfc3339(this.deps.now().getTime()) })) {
      this.events.event(podRef(pod), 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }

  private forget(name: string): void {
    const t = this.tracked.get(name);
    if (!t) return;
    clearTimeout(t.timer);
    this.tracked.delete(name);
    const ref = { apiVersion: 'v1', kind: 'Node', metadata: { name, uid: t.uid } };
    this.events.event(ref, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
  }

  /** Looks at the node again just after its deadline (one timer per node). */
  private wakeAt(name: string, atMs: number): void {
    const t = this.tracked.get(name);
    if (!t || this.stopped || t.timerAt === atMs) return;
    clearTimeout(t.timer);
    t.timerAt = atMs;
    t.timer = setTimeout(
      () => {
        t.timer = undefined;
        t.timerAt = undefined;
        this.nodeQueue.add(name);
      },
      Math.max(0, atMs - this.deps.now().getTime()) + 1,
    );
    t.timer.unref();
  }

  /** The NoExecute taint the node should carry, taking a zone token when one is to be added. */
  private noExecuteWish(node: KObject, nowMs: number): { wish: NoExecuteWish; token: boolean } {
    // A node whose agent never posted Ready is in its startup grace: no verdict yet.
    if (!nodeCondition(node, 'Ready')) return { wish: 'keep', token: false };
    const status = readyStatus(node);
    if (status === 'True' || this.zones.allFullyDisrupted()) return { wish: 'none', token: false };
    const want = status === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
    const opposite = want === TAINT_NOT_READY ? TAINT_UNREACHABLE : TAINT_NOT_READY;
    // Already tainted, or the opposite taint is swapped at once (no token), as Kubernetes does.
    if (hasTaint(node, { key: want, effect: 'NoExecute' }) || hasTaint(node, { key: opposite, effect: 'NoExecute' })) {
      return { wish: want, token: false };
    }
    const wait = this.zones.acquire(zoneKey(node), nowMs);
    if (wait === 0) return { wish: want, token: true };
    if (wait !== Infinity) this.nodeQueue.addAfter(node.metadata!.name!, wait);
    return { wish: 'keep', token: false };
  }

  private async syncTaints(node: KObject, nowMs: number): Promise<void> {
    const name = node.metadata!.name!;
    const { wish, token } = this.noExecuteWish(node, nowMs);
    const taints = desiredTaints(node, { noExecute: wish, nowIso: rfc3339(nowMs) });
    const labels = labelsToReconcile(node);
    if (!taints && !labels) {
      if (token) this.zones.refund(zoneKey(node));
      return;
    }
    const next = structuredClone(node);
    if (taints) {
      next.spec ??= {};
      if (taints.length) next.spec.taints = taints;
      else delete next.spec.taints;
    }
    if (labels) next.metadata!.labels = { ...next.metadata!.labels, ...labels };
    try {
      await this.deps.client.update(NODES, next);
    } catch (e) {
      if (token) this.zones.refund(zoneKey(node));
      throw e;
    }
    const shown = (taints ?? []).map((t) => `${t.key}:${t.effect}`).join(',') || '<none>';
    this.deps.log?.(`node-lifecycle ${name}, Ready ${readyStatus(node)} => taints ${shown}${labels ? `, labels ${Object.keys(labels).join(',')}` : ''}`);
  }

  /** MarkPodsNotReady for every pod the cache knows on the node; a failure retries the node. */
  private async markPodsNotReady(name: string, nowIso: string): Promise<void> {
    const pods = this.podsByNode
      .podsOn(name)
      .map((k) => this.pods.get(k))
      .filter((p): p is KObject => !!p && p.spec?.nodeName === name);
    const results = await Promise.allSettled(
      pods.map(async (p) => {
        if (await markPodNotReady(this.deps.client, p, { nowIso })) this.events.event(podRef(p), 'Warning', 'NodeNotReady', 'Node is not ready');
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error(`unable to mark ${failed.length} pods NotReady on node ${name}: ${(failed[0].reason as Error).message}`);
    if (pods.length) this.deps.log?.(`node-lifecycle ${name} => ${pods.length} pods marked not ready`);
  }

  /** handleDisruption: entering and leaving the all-zones-disrupted mode, zone state changes. */
  private async syncZones(): Promise<void> {
    const states = this.zones.states();
    const allFull = this.zones.allFullyDisrupted(states);
    const prev = this.zoneStates;
    const wasAllFull = prev.size > 0 && [...prev.values()].every((s) => s === 'FullDisruption');
    this.zoneStates = states;
    if (allFull && !wasAllFull) {
      this.deps.log?.('node-lifecycle, every node is not Ready => disruption mode, no NoExecute taints');
      for (const n of this.zones.allNodes()) this.nodeQueue.add(n);
      return;
    }
    if (!allFull && wasAllFull) {
      // Nodes that were unreachable with everyone else get a fresh grace period, as in Kubernetes.
      const now = this.deps.now().getTime();
      for (const t of this.tracked.values()) if (t.health) t.health = { ...t.health, probeMs: now };
      this.deps.log?.('node-lifecycle, some nodes are Ready => leaving disruption mode');
      for (const n of this.zones.allNodes()) this.nodeQueue.add(n);
      return;
    }
    for (const [zone, state] of states) {
      if (prev.get(zone) === state) continue;
      this.deps.log?.(`node-lifecycle zone ${JSON.stringify(zone)} => ${state}`);
      for (const n of this.zones.nodesIn(zone)) this.nodeQueue.add(n);
    }
  }
}
