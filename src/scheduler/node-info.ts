// What the scheduler knows about one node, kept up to date incrementally (kube-scheduler's
// NodeInfo): the Node object and its parsed allocatable, and the sums over the pods assigned (or
// assumed) to it: requests, non-zero requests for scoring, pod count, host ports in use, claims in
// use, and pods per controlling owner (for spreading). A pod's contribution is its PodFootprint,
// computed once per pod version, so adding or removing a pod is O(its size), never a rescan.
// Deliberately absent: image states and pod (anti-)affinity bookkeeping.

import type { KObject } from '../api/resource.js';
import { podClaimNames } from '../controllers/util/pods.js';
import type { HostPort, Resources } from './resources.js';
import { emptyResources, hostPorts, nodeAllocatable, podRequests } from './resources.js';

export interface PodFootprint {
  uid: string;
  requests: Resources;
  nonZeroCPU: number;
  nonZeroMemory: number;
  ports: HostPort[];
  /** `namespace/claim` of every claim the pod's volumes use. */
  claims: string[];
  /** uid of the controlling owner (ReplicaSet, StatefulSet, ...), for spreading. */
  owner: string | undefined;
  namespace: string;
  labels: Record<string, string>;
  /** The pod's required anti-affinity terms (other pods must keep away from it). */
  antiAffinity: any[] | undefined;
}

export function podFootprint(pod: KObject): PodFootprint {
  const nonZero = podRequests(pod, { nonZero: true });
  const ns = pod.metadata?.namespace ?? '';
  const owner = (pod.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true)?.uid;
  return {
    uid: pod.metadata?.uid ?? '',
    requests: podRequests(pod),
    nonZeroCPU: nonZero.milliCPU,
    nonZeroMemory: nonZero.memory,
    ports: hostPorts(pod),
    claims: podClaimNames(pod).map((c) => `${ns}/${c}`),
    owner,
    namespace: ns,
    labels: pod.metadata?.labels ?? {},
    antiAffinity: pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length
      ? pod.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution
      : undefined,
  };
}

/** A map of counts whose entries disappear at zero. */
export class Counts<K> extends Map<K, number> {
  bump(k: K, by: number): void {
    const n = (this.get(k) ?? 0) + by;
    if (n <= 0) this.delete(k);
    else this.set(k, n);
  }
}

export class NodeInfo {
  node: KObject | undefined;
  labels: Record<string, string> = {};
  allocatable: Resources = emptyResources();
  allowedPods = 0;
  requested: Resources = emptyResources();
  nonZeroCPU = 0;
  nonZeroMemory = 0;
  podCount = 0;
  /** `protocol/port` → host IP → pods using it. */
  readonly ports = new Map<string, Counts<string>>();
  /** `namespace/claim` → pods on this node using it (NodeInfo.PVCRefCounts). */
  readonly claims = new Counts<string>();
  /** controller uid → pods of that owner on this node. */
  readonly owners = new Counts<string>();

  constructor(readonly name: string) {}

  setNode(node: KObject | undefined): void {
    this.node = node;
    this.labels = node?.metadata?.labels ?? {};
    const a = node ? nodeAllocatable(node) : { resources: emptyResources(), pods: 0 };
    this.allocatable = a.resources;
    this.allowedPods = a.pods;
  }

  /** Adds (sign 1) or removes (sign -1) one pod's contribution. */
  account(f: PodFootprint, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * f.requests.milliCPU;
    r.memory += sign * f.requests.memory;
    r.ephemeralStorage += sign * f.requests.ephemeralStorage;
    for (const [k, v] of f.requests.scalar) r.scalar.set(k, (r.scalar.get(k) ?? 0) + sign * v);
    this.nonZeroCPU += sign * f.nonZeroCPU;
    this.nonZeroMemory += sign * f.nonZeroMemory;
    this.podCount += sign;
    for (const p of f.ports) {
      const key = `${p.protocol}/${p.port}`;
      let ips = this.ports.get(key);
      if (!ips) this.ports.set(key, (ips = new Counts()));
      ips.bump(p.ip, sign);
      if (ips.size === 0) this.ports.delete(key);
    }
    for (const c of f.claims) this.claims.bump(c, sign);
    if (f.owner) this.owners.bump(f.owner, sign);
  }

  /** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address of the same protocol/port. */
  portConflicts(p: HostPort): boolean {
    const ips = this.ports.get(`${p.protocol}/${p.port}`);
    if (!ips) return false;
    if (p.ip === '0.0.0.0') return ips.size > 0;
    return ips.has('0.0.0.0') || ips.has(p.ip);
  }
}
