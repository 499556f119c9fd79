// The scheduler's cache (kube-scheduler's internal/cache): a NodeInfo per node, fed by the node
// and pod informers, plus the pods the scheduler has assumed onto a node while their binding is in
// flight, so the next decision already sees them. Assigned pods count until they reach a terminal
// phase or disappear (a Terminating pod still occupies its node, as in Kubernetes). A pod assigned
// to a node the cache has not seen yet is kept on a node-less NodeInfo, so its requests are there
// when the Node arrives. Also indexes nodes by their kubernetes.io/hostname label (local volumes
// name nodes by it), counts, per claim, the pods using it on any node (ReadWriteOncePod), and
// keeps the pods carrying required anti-affinity apart (every decision must respect them).
// Deliberately absent: the assumed-pod expiry of Kubernetes (an assumption lives until its binding
// cycle ends; the pod informer confirms or replaces it).

import type { KObject } from '../api/resource.js';
import { isPodTerminal } from '../controllers/util/pods.js';
import type { PodFootprint } from './node-info.js';
import { NodeInfo, podFootprint } from './node-info.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

interface Placement {
  uid: string;
  node: string;
  footprint: PodFootprint;
  assumed: boolean;
}

function sameFootprint(a: PodFootprint, b: PodFootprint): boolean {
  const ra = a.requests;
  const rb = b.requests;
  if (ra.milliCPU !== rb.milliCPU || ra.memory !== rb.memory || ra.ephemeralStorage !== rb.ephemeralStorage) return false;
  if (a.nonZeroCPU !== b.nonZeroCPU || a.nonZeroMemory !== b.nonZeroMemory || a.owner !== b.owner) return false;
  if (ra.scalar.size !== rb.scalar.size || [...ra.scalar].some(([k, v]) => rb.scalar.get(k) !== v)) return false;
  if (a.claims.join('\0') !== b.claims.join('\0')) return false;
  if (JSON.stringify(a.labels) !== JSON.stringify(b.labels) || JSON.stringify(a.antiAffinity) !== JSON.stringify(b.antiAffinity)) return false;
  return JSON.stringify(a.ports) === JSON.stringify(b.ports);
}

/** The node fields a scheduling decision depends on (heartbeats and status conditions are not). */
function nodeSignature(node: KObject): string {
  return JSON.stringify([node.metadata?.labels, node.spec?.taints, node.spec?.unschedulable, node.status?.allocatable ?? node.status?.capacity]);
}

export class SchedulerCache {
  /** Every NodeInfo, including node-less ones holding pods of nodes not seen (yet). */
  private readonly infos = new Map<string, NodeInfo>();
  /** The NodeInfos of existing Nodes, in a stable order (the filter rotates through it). */
  private readonly list: NodeInfo[] = [];
  private readonly position = new Map<string, number>();
  private readonly signatures = new Map<string, string>();
  private readonly placementsByKey = new Map<string, Placement>();
  private readonly claimUsers = new Map<string, number>();
  private readonly hostnames = new Map<string, Set<string>>();
  /** Pods with required anti-affinity terms (every decision checks them). */
  private readonly antiAffinity = new Set<string>();

  nodes(): readonly NodeInfo[] {
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    const info = this.infos.get(name);
    return info?.node ? info : undefined;
  }

  /** Names of the nodes whose kubernetes.io/hostname label is `value`. */
  nodesWithHostname(value: string): ReadonlySet<string> | undefined {
    return this.hostnames.get(value);
  }

  /** Pods (assigned or assumed, on any node) using the claim `namespace/name`. */
  usersOfClaim(key: string): number {
    return this.claimUsers.get(key) ?? 0;
  }

  /** The node a pod is assigned or assumed to, and whether it is only assumed. */
  placement(podKey: string): { node: string; uid: string; assumed: boolean } | undefined {
    const p = this.placementsByKey.get(podKey);
    return p && { node: p.node, uid: p.uid, assumed: p.assumed };
  }

  /** Every assigned or assumed pod with its node's name. */
  placements(): IterableIterator<[string, { node: string; footprint: PodFootprint }]> {
    return this.placementsByKey.entries();
  }

  /** The assigned or assumed pods that carry required anti-affinity terms. */
  podsWithAntiAffinity(): { node: string; footprint: PodFootprint }[] {
    return [...this.antiAffinity].map((k) => this.placementsByKey.get(k)!).filter(Boolean);
  }

  /** A Node was added, changed or deleted; true when a scheduling-relevant field changed. */
  setNode(name: string, node: KObject | undefined): boolean {
    let info = this.infos.get(name);
    if (!node) {
      if (!info?.node) return false;
      this.unlist(info);
      info.setNode(undefined);
      this.signatures.delete(name);
      if (info.podCount === 0) this.infos.delete(name);
      return true;
    }
    const sig = nodeSignature(node);
    const changed = this.signatures.get(name) !== sig;
    this.signatures.set(name, sig);
    if (!info) this.infos.set(name, (info = new NodeInfo(name)));
    if (info.node) this.unindexHostname(info);
    else {
      this.position.set(name, this.list.length);
      this.list.push(info);
    }
    info.setNode(node);
    const host = info.labels[HOSTNAME_LABEL];
    if (host !== undefined) {
      let s = this.hostnames.get(host);
      if (!s) this.hostnames.set(host, (s = new Set()));
      s.add(name);
    }
    return changed;
  }

  /**
   * A pod event from the informer. Returns true when resources or claims were released (a pod
   * finished, went away or moved), which may make pending pods schedulable.
   */
  podChanged(key: string, pod: KObject | undefined): boolean {
    const prev = this.placementsByKey.get(key);
    const nodeName: string | undefined = pod && !isPodTerminal(pod) ? pod.spec?.nodeName || undefined : undefined;
    if (!nodeName) {
      if (!prev) return false;
      // Our own binding is in flight: the informer has not seen it land yet.
      if (prev.assumed && pod && pod.metadata?.uid === prev.uid && !pod.spec?.nodeName && !isPodTerminal(pod)) return false;
      this.remove(key, prev);
      return true;
    }
    const footprint = podFootprint(pod!);
    if (prev && prev.node === nodeName && prev.uid === footprint.uid && sameFootprint(prev.footprint, footprint)) {
      prev.assumed = false;
      return false;
    }
    if (prev) this.remove(key, prev);
    this.add(key, { uid: footprint.uid, node: nodeName, footprint, assumed: false });
    return !!prev;
  }

  /** Counts a pod on the node chosen for it before the binding is written. */
  assume(key: string, footprint: PodFootprint, node: string): void {
    const prev = this.placementsByKey.get(key);
    if (prev) this.remove(key, prev);
    this.add(key, { uid: footprint.uid, node, footprint, assumed: true });
  }

  /** Undoes an assumption whose binding failed (a confirmed placement is left alone). */
  forget(key: string, uid: string): boolean {
    const prev = this.placementsByKey.get(key);
    if (!prev || !prev.assumed || prev.uid !== uid) return false;
    this.remove(key, prev);
    return true;
  }

  private infoFor(name: string): NodeInfo {
    let info = this.infos.get(name);
    if (!info) this.infos.set(name, (info = new NodeInfo(name)));
    return info;
  }

  private add(key: string, p: Placement): void {
    this.placementsByKey.set(key, p);
    if (p.footprint.antiAffinity) this.antiAffinity.add(key);
    this.infoFor(p.node).account(p.footprint, 1);
    for (const c of p.footprint.claims) this.claimUsers.set(c, (this.claimUsers.get(c) ?? 0) + 1);
  }

  private remove(key: string, p: Placement): void {
    this.placementsByKey.delete(key);
    this.antiAffinity.delete(key);
    const info = this.infos.get(p.node);
    if (info) {
      info.account(p.footprint, -1);
      if (!info.node && info.podCount === 0) this.infos.delete(p.node);
    }
    for (const c of p.footprint.claims) {
      const n = (this.claimUsers.get(c) ?? 0) - 1;
      if (n <= 0) this.claimUsers.delete(c);
      else this.claimUsers.set(c, n);
    }
  }

  private unlist(info: NodeInfo): void {
    this.unindexHostname(info);
    const i = this.position.get(info.name);
    if (i === undefined) return;
    const last = this.list.pop()!;
    if (last !== info) {
      this.list[i] = last;
      this.position.set(last.name, i);
    }
    this.position.delete(info.name);
  }

  private unindexHostname(info: NodeInfo): void {
    const host = info.labels[HOSTNAME_LABEL];
    if (host === undefined) return;
    const s = this.hostnames.get(host);
    s?.delete(info.name);
    if (s?.size === 0) this.hostnames.delete(host);
  }
}
