// What the Endpoints and EndpointSlice controllers share (pkg/controller/util/endpoint,
// k8s.io/endpointslice/util and pkg/api/v1/pod): which Services select which pods
// (ServiceMembership: services and pods indexed by namespace, so a pod event re-syncs exactly the
// Services it entered or left, and only when something an endpoint shows changed), which pods
// belong in endpoints (ShouldPodBeInEndpoints), when an endpoint carries the pod's hostname
// (ShouldSetHostname: StatefulSet pods under their headless Service), how a Service port resolves
// against a pod's container ports (FindPort), a pod's IPs by family, and the
// endpoints.kubernetes.io/last-change-trigger-time tracker (TriggerTimeTracker), and the batching of
// pod-triggered syncs (BatchedEnqueue, Kubernetes' --endpoint-updates-batch-period).
// Deliberately absent: building Endpoints or EndpointSlices (endpoints.ts, endpointslice.ts).

import type { KObject } from '../../api/resource.js';
import { isPodReady, podCondition } from './pods.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/**
 * The pod selector of a Service whose endpoints a controller manages: undefined for ExternalName
 * Services and Services without a selector (their endpoints are the user's). An empty selector
 * counts as none: Kubernetes stores it as nil.
 */
export function serviceSelector(svc: KObject): Record<string, string> | undefined {
  if (svc.spec?.type === 'ExternalName') return undefined;
  const sel = svc.spec?.selector;
  return sel && typeof sel === 'object' && Object.keys(sel).length ? sel : undefined;
}

export function selectsLabels(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const k in selector) if (labels?.[k] !== selector[k]) return false;
  return true;
}

/** IsServiceIPSet: a cluster IP other than None. */
export function isServiceIPSet(svc: KObject): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** The pod's IPs: status.podIPs, or status.podIP alone (the API server fills one from the other). */
export function podIPs(pod: KObject): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p: any) => p?.ip).filter((ip: unknown): ip is string => typeof ip === 'string' && !!ip);
  if (ips.length) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

export const isIPv6 = (ip: string): boolean => ip.includes(':');

/** ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless those are wanted. */
export function shouldPodBeInEndpoints(pod: KObject, opts: { includeTerminating: boolean }): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!podIPs(pod).length) return false;
  return opts.includeTerminating || !pod.metadata?.deletionTimestamp;
}

/** ShouldSetHostname: the pod names a hostname and the Service as its subdomain, in its namespace. */
export function shouldSetHostname(pod: KObject, svc: KObject): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

/**
 * FindPort: the container port a Service port targets. A number is taken as is; a name is looked
 * up among the containers' (and restartable init containers') ports of the same protocol.
 */
export function findPort(pod: KObject, servicePort: any): number | undefined {
  const target = servicePort?.targetPort ?? servicePort?.port;
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^[0-9]+$/.test(target)) return Number(target);
  const protocol = servicePort?.protocol ?? 'TCP';
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c: any) => c?.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c?.ports ?? []) if (p?.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** What of a pod shows in an endpoint: a change elsewhere does not re-sync its Services. */
function endpointFingerprint(pod: KObject): string {
  return JSON.stringify([
    pod.metadata?.labels ?? {},
    pod.metadata?.uid,
    pod.metadata?.deletionTimestamp ?? null,
    pod.spec?.hostname ?? null,
    pod.spec?.subdomain ?? null,
    pod.spec?.nodeName ?? null,
    pod.status?.phase ?? null,
    isPodReady(pod),
    podIPs(pod),
    (pod.spec?.containers ?? []).map((c: any) => c?.ports ?? null),
  ]);
}

/** Services and pods by namespace, and which Services a pod event concerns. */
export class ServiceMembership {
  private readonly services = new Map<string, Map<string, Record<string, string>>>();
  private readonly podsByNs = new Map<string, Set<string>>();
  private readonly podState = new Map<string, { labels: Record<string, string> | undefined; fingerprint: string }>();

  /** Records a Service (or its deletion). */
  serviceChanged(key: string, svc: KObject | undefined): void {
    const ns = key.slice(0, key.indexOf('/'));
    let m = this.services.get(ns);
    const selector = svc && serviceSelector(svc);
    if (selector) {
      if (!m) this.services.set(ns, (m = new Map()));
      m.set(key, selector);
    } else if (m) {
      m.delete(key);
      if (!m.size) this.services.delete(ns);
    }
  }

  /** Records a pod (or its deletion); returns the keys of the Services to sync. */
  podChanged(key: string, pod: KObject | undefined): string[] {
    const ns = key.slice(0, key.indexOf('/'));
    const prev = this.podState.get(key);
    let set = this.podsByNs.get(ns);
    if (!pod) {
      this.podState.delete(key);
      set?.delete(key);
      if (set && !set.size) this.podsByNs.delete(ns);
      return prev ? this.servicesFor(ns, prev.labels) : [];
    }
    const fingerprint = endpointFingerprint(pod);
    if (prev?.fingerprint === fingerprint) return [];
    this.podState.set(key, { labels: pod.metadata?.labels, fingerprint });
    if (!set) this.podsByNs.set(ns, (set = new Set()));
    set.add(key);
    const keys = new Set(this.servicesFor(ns, pod.metadata?.labels));
    if (prev) for (const k of this.servicesFor(ns, prev.labels)) keys.add(k);
    return [...keys];
  }

  private servicesFor(ns: string, labels: Record<string, string> | undefined): string[] {
    const out: string[] = [];
    for (const [k, sel] of this.services.get(ns) ?? []) if (selectsLabels(sel, labels)) out.push(k);
    return out;
  }

  /** Keys of the pods in a namespace. */
  podKeys(namespace: string): Iterable<string> {
    return this.podsByNs.get(namespace) ?? [];
  }
}

/**
 * TriggerTimeTracker: the time of the earliest change (a pod's Ready transition, or the Service's
 * creation) that the next write of a Service's endpoints reflects. A Service seen for the first
 * time reports its creation; later syncs the earliest trigger that changed since the last sync;
 * undefined when nothing did.
 */
export class TriggerTimeTracker {
  private readonly state = new Map<string, { pods: Map<string, number>; service: number }>();

  compute(key: string, svc: KObject, pods: readonly KObject[]): Date | undefined {
    const known = this.state.get(key);
    const podTimes = new Map<string, number>();
    let min: number | undefined;
    for (const pod of pods) {
      const t = Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '');
      if (Number.isNaN(t)) continue;
      const name = pod.metadata!.name!;
      podTimes.set(name, t);
      if (t > (known?.pods.get(name) ?? -Infinity)) min = Math.min(min ?? Infinity, t);
    }
    const created = Date.parse(svc.metadata?.creationTimestamp ?? '');
    const service = Number.isNaN(created) ? 0 : created;
    if (service > (known?.service ?? -Infinity)) min = Math.min(min ?? Infinity, service);
    this.state.set(key, { pods: podTimes, service });
    if (!known) return service ? new Date(service) : undefined;
    return min === undefined ? undefined : new Date(min);
  }

  delete(key: string): void {
    this.state.delete(key);
  }
}

/** The annotation's form: RFC 3339 with the fraction only when there is one (Go's RFC3339Nano). */
export function formatTriggerTime(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}

/**
 * Coalesces the syncs pod changes ask for: the first request for a key starts a timer of
 * `periodMs`, later ones until it fires are absorbed. Without it a Service over many churning pods
 * is rewritten as fast as the API server takes it, each write carrying every address; with it at
 * most once per period, a delay no endpoint consumer notices next to readiness probe periods.
 * A period of 0 enqueues at once.
 */
export class BatchedEnqueue {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly add: (key: string) => void,
    private readonly periodMs: number,
  ) {}

  enqueue(key: string): void {
    if (this.periodMs <= 0) return this.add(key);
    if (this.timers.has(key)) return;
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, this.periodMs);
    t.unref();
    this.timers.set(key, t);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
