// Resource arithmetic of the scheduler, as kube-scheduler does it: quantities as exact integers
// (milli-CPU, bytes, counts; Kubernetes' MilliValue/Value round up), a pod's requests the way
// k8s.io/component-helpers/resource PodRequests sums them (containers, sidecar and regular init
// containers, overhead), the "non-zero" requests the scoring uses (100m CPU and 200Mi memory for a
// container that asks for none), a node's allocatable, and the pod's host ports.
// Deliberately absent: pod-level resources and in-place resize (status.resize / allocated
// resources), which berth's API does not serve yet.

import type { KObject } from '../api/resource.js';
import type { Quantity } from '../api/quantity.js';
import { parseQuantity } from '../api/quantity.js';

export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and hugepages resources by name (integer values). */
  scalar: Map<string, number>;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** schedutil.DefaultMilliCPURequest / DefaultMemoryRequest. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const emptyResources = (): Resources => ({ milliCPU: 0, memory: 0, ephemeralStorage: 0, scalar: new Map() });

function ceilScaled(q: Quantity, exp: number): number {
  const s = q.scale + exp;
  if (s >= 0) return Number(q.unscaled * 10n ** BigInt(s));
  const d = 10n ** BigInt(-s);
  let r = q.unscaled / d;
  if (q.unscaled % d !== 0n && q.unscaled > 0n) r += 1n;
  return Number(r);
}

// The same few strings ("100m", "1Gi") recur in every pod: parse each once.
const parsed = new Map<string, number>();
function quantity(raw: unknown, exp: number): number {
  if (typeof raw !== 'string' && typeof raw !== 'number') return 0;
  const key = `${exp}|${raw}`;
  let v = parsed.get(key);
  if (v === undefined) {
    const q = parseQuantity(raw);
    v = q ? ceilScaled(q, exp) : 0;
    if (parsed.size > 50_000) parsed.clear();
    parsed.set(key, v);
  }
  return v;
}

/** Quantity.MilliValue (rounded up). */
export const milliValue = (raw: unknown): number => quantity(raw, 3);
/** Quantity.Value (rounded up). */
export const value = (raw: unknown): number => quantity(raw, 0);

/** Names counted as scalar resources (schedutil.IsScalarResourceName: extended, hugepages, attachable volumes). */
function isScalar(name: string): boolean {
  if (name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || name === 'pods' || name === 'storage') return false;
  return name.startsWith('hugepages-') || name.startsWith('attachable-volumes-') || (name.includes('/') && !name.startsWith('kubernetes.io/'));
}

/** Resource.Add over a ResourceList. */
function addList(r: Resources, list: Record<string, unknown> | undefined): void {
  for (const [name, raw] of Object.entries(list ?? {})) {
    if (name === 'cpu') r.milliCPU += milliValue(raw);
    else if (name === 'memory') r.memory += value(raw);
    else if (name === 'ephemeral-storage') r.ephemeralStorage += value(raw);
    else if (isScalar(name)) r.scalar.set(name, (r.scalar.get(name) ?? 0) + value(raw));
  }
}

function addResources(a: Resources, b: Resources): void {
  a.milliCPU += b.milliCPU;
  a.memory += b.memory;
  a.ephemeralStorage += b.ephemeralStorage;
  for (const [k, v] of b.scalar) a.scalar.set(k, (a.scalar.get(k) ?? 0) + v);
}

function maxResources(a: Resources, b: Resources): void {
  a.milliCPU = Math.max(a.milliCPU, b.milliCPU);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeralStorage = Math.max(a.ephemeralStorage, b.ephemeralStorage);
  for (const [k, v] of b.scalar) a.scalar.set(k, Math.max(a.scalar.get(k) ?? 0, v));
}

function cloneResources(r: Resources): Resources {
  return { milliCPU: r.milliCPU, memory: r.memory, ephemeralStorage: r.ephemeralStorage, scalar: new Map(r.scalar) };
}

function containerRequests(c: any, nonZero: boolean): Resources {
  const r = emptyResources();
  const req = c?.resources?.requests;
  addList(r, req);
  if (nonZero) {
    if (req?.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (req?.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * resourcehelper.PodRequests: the containers' sum; sidecars (init containers with restartPolicy
 * Always) add to it and to every later init container; the result is the larger of that and the
 * biggest init step; then the overhead. With nonZero, unset cpu/memory count as the defaults.
 */
export function podRequests(pod: KObject, opts: { nonZero?: boolean } = {}): Resources {
  const nonZero = opts.nonZero ?? false;
  const reqs = emptyResources();
  for (const c of pod.spec?.containers ?? []) addResources(reqs, containerRequests(c, nonZero));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    let step: Resources;
    if (c?.restartPolicy === 'Always') {
      addResources(reqs, r);
      addResources(sidecars, r);
      step = cloneResources(sidecars);
    } else {
      step = cloneResources(r);
      addResources(step, sidecars);
    }
    maxResources(initMax, step);
  }
  maxResources(reqs, initMax);
  addList(reqs, pod.spec?.overhead);
  return reqs;
}

/** The node's allocatable (capacity where allocatable is absent, as the API server defaults it). */
export function nodeAllocatable(node: KObject): { resources: Resources; pods: number } {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  const resources = emptyResources();
  addList(resources, list);
  return { resources, pods: value(list.pods) };
}

/** The host ports a pod's containers ask for (schedutil.GetHostPorts; 0.0.0.0 and TCP by default). */
export function hostPorts(pod: KObject): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c?.ports ?? []) {
      if (!p?.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}
