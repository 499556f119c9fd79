// Taints and tolerations as the node controllers read them (k8s.io/api/core/v1 toleration.go and
// taint.go, pkg/apis/core/v1/helper GetMatchingTolerations): the well-known taint keys the control
// plane writes, whether a toleration tolerates a taint, and which toleration a pod relies on for
// each taint. Pure functions of API objects.
// Deliberately absent: scheduling (the scheduler owns NoSchedule filtering and PreferNoSchedule
// scoring); the Gt/Lt toleration operators, which Kubernetes 1.32 does not have.

import type { KObject } from '../../api/resource.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string | null;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number | null;
}

export function nodeTaints(node: KObject | undefined): Taint[] {
  return Array.isArray(node?.spec?.taints) ? node!.spec!.taints : [];
}

export function podTolerations(pod: KObject | undefined): Toleration[] {
  return Array.isArray(pod?.spec?.tolerations) ? pod!.spec!.tolerations : [];
}

/** The node's NoExecute taints, in their order on the node. */
export function noExecuteTaints(node: KObject | undefined): Taint[] {
  return nodeTaints(node).filter((t) => t?.effect === 'NoExecute');
}

/** Taints are unique on a node by key and effect (validateNodeTaints). */
export function sameTaint(a: Taint, b: { key: string; effect: string }): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function hasTaint(node: KObject | undefined, t: { key: string; effect: string }): boolean {
  return nodeTaints(node).some((n) => sameTaint(n, t));
}

export function hasTaintKey(node: KObject | undefined, key: string): boolean {
  return nodeTaints(node).some((n) => n.key === key);
}

/** Toleration.ToleratesTaint: effect and key match when set; Equal (or empty) compares values. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/**
 * GetMatchingTolerations: for each taint, the first toleration that tolerates it (index-aligned
 * with `taints`), or undefined when some taint is not tolerated at all.
 */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (!t) return undefined;
    used.push(t);
  }
  return used;
}
