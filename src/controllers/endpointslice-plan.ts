// The pure half of the EndpointSlice controller (k8s.io/endpointslice reconciler.go, utils.go and
// endpointslice_tracker.go): the endpoints a Service's pods give per address type and port list,
// the plan that turns existing slices into desired ones with the least churn
// (reconcileByAddressType, reconcileByPortMapping, the placeholder and finalize's reuse of slices
// about to be deleted), and the tracker that tells this controller's own writes from anyone
// else's and a cache that lags them. berth's EndpointSlices carry no metadata.generation, so the
// tracker compares resourceVersions (decimal store revisions) where upstream compares generations.

import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../api/resource.js';
import { newControllerRef } from './util/owners.js';
import { findPort, isIPv6, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from './util/service-endpoints.js';
import { isPodReady } from './util/pods.js';

export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface Endpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

/** Desired endpoints of one address type and port list, keyed by endpoint identity. */
export interface PortGroup {
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

/** address type → port-list key → group. */
export type DesiredEndpoints = Map<string, Map<string, PortGroup>>;

export interface SliceWrite {
  op: 'create' | 'update' | 'delete';
  name?: string;
  run: () => Promise<KObject | undefined>;
}

const comparePorts = (a: EndpointPort, b: EndpointPort) => a.name.localeCompare(b.name) || a.port - b.port || a.protocol.localeCompare(b.protocol);

/** NewPortMapKey: the identity of a port list, whatever its order. */
export function portsKey(ports: readonly EndpointPort[] | undefined | null): string {
  return JSON.stringify([...(ports ?? [])].sort(comparePorts).map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? null]));
}

/** hashEndpoint: an endpoint's identity is its addresses, hostname and target pod. */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

/** getEndpointPorts: the Service's ports the pod serves (none for a headless Service without ports). */
function endpointPorts(svc: KObject, pod: KObject): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const n = findPort(pod, sp);
    if (n === undefined) continue;
    const port: EndpointPort = { name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) port.appProtocol = sp.appProtocol;
    out.push(port);
  }
  return out.sort(comparePorts);
}

/** podToEndpoint for one address type; undefined when the pod has no address of that type. */
function podEndpoint(svc: KObject, pod: KObject, addressType: string): Endpoint | undefined {
  const addresses = podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6'));
  if (!addresses.length) return undefined;
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const m = pod.metadata!;
  const ep: Endpoint = {
    addresses,
    // A terminating pod is never "ready", unless the Service publishes not-ready addresses.
    conditions: { ready: !!svc.spec?.publishNotReadyAddresses || (serving && !terminating), serving, terminating },
    targetRef: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid! },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

/** The desired endpoints, in pod order, grouped by address type and port list. */
export function desiredEndpoints(svc: KObject, pods: readonly KObject[], addressTypes: readonly string[]): DesiredEndpoints {
  const out: DesiredEndpoints = new Map(addressTypes.map((t) => [t, new Map()]));
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, { includeTerminating: true })) continue;
    const ports = endpointPorts(svc, pod);
    const pk = portsKey(ports);
    for (const type of addressTypes) {
      const ep = podEndpoint(svc, pod, type);
      if (!ep) continue;
      const groups = out.get(type)!;
      let g = groups.get(pk);
      if (!g) groups.set(pk, (g = { ports, endpoints: new Map() }));
      g.endpoints.set(endpointKey(ep), ep);
    }
  }
  return out;
}

interface PlanInput {
  existing: readonly KObject[];
  desired: DesiredEndpoints;
  labels: Record<string, string>;
  maxPerSlice: number;
  owned: (slice: KObject) => boolean;
}

export interface Plan {
  create: KObject[];
  update: KObject[];
  delete: KObject[];
}

function newSlice(svc: KObject, opts: { addressType: string; ports: EndpointPort[]; labels: Record<string, string> }): KObject {
  const slice: KObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata!.name}-`,
      namespace: svc.metadata!.namespace,
      labels: { ...opts.labels },
      ownerReferences: [newControllerRef(svc, 'v1', 'Service')],
    },
    addressType: opts.addressType,
    endpoints: [],
  };
  if (opts.ports.length) slice.ports = opts.ports;
  return slice;
}

const endpointsOf = (s: KObject): Endpoint[] => s.endpoints ?? [];

/** reconcileByPortMapping: existing slices of one port list against the desired endpoints. */
function planPortGroup(svc: KObject, existing: KObject[], group: PortGroup, ctx: { addressType: string; labels: Record<string, string>; max: number }): Plan {
  const desired = new Map(group.endpoints);
  const byName = new Map<string, KObject>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: string[] = [];
  // 1. Keep desired endpoints where they are (updated in place), drop the others.
  for (const slice of existing) {
    const name = slice.metadata!.name!;
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of endpointsOf(slice)) {
      const key = endpointKey(ep);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (!isDeepStrictEqual(want, ep)) changed = true;
      desired.delete(key);
    }
    const labelsChanged = !isDeepStrictEqual(slice.metadata?.labels ?? {}, ctx.labels);
    if (changed || kept.length !== endpointsOf(slice).length) {
      if (!kept.length) toDelete.push(name);
      else {
        byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels: { ...ctx.labels } } });
        toUpdate.push(name);
      }
    } else if (labelsChanged) {
      byName.set(name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels: { ...ctx.labels } } });
      toUpdate.push(name);
    } else unchanged.push(name);
  }
  const remaining = [...desired.values()];
  // 2. Fill the slices being written anyway, fullest first.
  if (remaining.length && toUpdate.length) {
    const slices = toUpdate.map((n) => byName.get(n)!).sort((a, b) => endpointsOf(b).length - endpointsOf(a).length);
    for (const s of slices) while (remaining.length && s.endpoints.length < ctx.max) s.endpoints.push(remaining.shift()!);
  }
  // 3. Then the unchanged slice closest to full once they fit, then new slices.
  const create: KObject[] = [];
  while (remaining.length) {
    let target: KObject | undefined;
    if (remaining.length < ctx.max && unchanged.length) {
      let best = ctx.max;
      for (const n of unchanged) {
        const diff = ctx.max - (remaining.length + endpointsOf(byName.get(n)!).length);
        if (diff >= 0 && diff < best) {
          best = diff;
          target = byName.get(n);
          if (diff === 0) break;
        }
      }
    }
    if (target) {
      target = structuredClone(target);
      target.endpoints ??= [];
      byName.set(target.metadata!.name!, target);
      unchanged.splice(unchanged.indexOf(target.metadata!.name!), 1);
      toUpdate.push(target.metadata!.name!);
    } else {
      target = newSlice(svc, { addressType: ctx.addressType, ports: group.ports, labels: ctx.labels });
      create.push(target);
    }
    while (remaining.length && target.endpoints.length < ctx.max) target.endpoints.push(remaining.shift()!);
  }
  return { create, update: toUpdate.map((n) => byName.get(n)!), delete: toDelete.map((n) => byName.get(n)!) };
}

/** Whether a slice is the placeholder this Service would create (placeholderSliceCompare). */
function isPlaceholder(slice: KObject, placeholder: KObject): boolean {
  return (
    slice.addressType === placeholder.addressType &&
    !endpointsOf(slice).length &&
    !(slice.ports ?? []).length &&
    isDeepStrictEqual(slice.metadata?.labels ?? {}, placeholder.metadata!.labels) &&
    slice.metadata?.ownerReferences?.[0]?.uid === placeholder.metadata!.ownerReferences?.[0]?.uid
  );
}

/** Reconcile (all address types) and finalize: what to create, update and delete. */
export function planSlices(svc: KObject, input: PlanInput): Plan {
  const plan: Plan = { create: [], update: [], delete: [] };
  const byType = new Map<string, KObject[]>();
  for (const s of input.existing) {
    if (!input.desired.has(s.addressType)) plan.delete.push(s);
    else byType.set(s.addressType, [...(byType.get(s.addressType) ?? []), s]);
  }
  for (const [addressType, groups] of input.desired) {
    const existing = byType.get(addressType) ?? [];
    const create: KObject[] = [];
    const update: KObject[] = [];
    const del: KObject[] = [];
    const byPorts = new Map<string, KObject[]>();
    for (const s of existing) {
      if (!input.owned(s)) del.push(s);
      else byPorts.set(portsKey(s.ports), [...(byPorts.get(portsKey(s.ports)) ?? []), s]);
    }
    for (const [pk, group] of groups) {
      const p = planPortGroup(svc, byPorts.get(pk) ?? [], group, { addressType, labels: input.labels, max: input.maxPerSlice });
      create.push(...p.create);
      update.push(...p.update);
      del.push(...p.delete);
    }
    for (const [pk, slices] of byPorts) if (!groups.has(pk)) del.push(...slices);
    // A Service with no endpoints of this type keeps one empty placeholder slice.
    if (existing.length === del.length && !create.length) {
      const placeholder = newSlice(svc, { addressType, ports: [], labels: input.labels });
      const same = del.length === 1 && isPlaceholder(del[0], placeholder);
      if (same) del.length = 0;
      else create.push(placeholder);
    }
    // finalize: a slice about to be deleted is reused for one about to be created.
    for (let i = 0; i < del.length && create.length; ) {
      const old = del[i];
      if (input.owned(old)) {
        const s = create.pop()!;
        s.metadata = { ...s.metadata, name: old.metadata!.name, resourceVersion: old.metadata!.resourceVersion, uid: old.metadata!.uid };
        if (old.metadata?.annotations) s.metadata.annotations = { ...old.metadata.annotations };
        update.push(s);
        del.splice(i, 1);
      } else i++;
    }
    plan.create.push(...create);
    plan.update.push(...update);
    plan.delete.push(...del);
  }
  return plan;
}

const rvOf = (s: KObject | undefined) => Number(s?.metadata?.resourceVersion ?? 0);

/**
 * EndpointSliceTracker: the resourceVersion of every slice this controller wrote (or -1 for one
 * it deleted), by Service, to tell its own writes from others' and a lagging cache.
 */
export class EndpointSliceTracker {
  /** Service key → slice key → written resourceVersion, -1 when deleted. */
  private readonly byService = new Map<string, Map<string, number>>();
  private readonly serviceOf = new Map<string, string>();

  private entries(service: string): Map<string, number> {
    let m = this.byService.get(service);
    if (!m) this.byService.set(service, (m = new Map()));
    return m;
  }

  expect(service: string, written: KObject): void {
    const key = `${written.metadata?.namespace}/${written.metadata?.name}`;
    this.entries(service).set(key, rvOf(written));
    this.serviceOf.set(key, service);
  }

  expectDeleted(service: string, sliceKey: string): void {
    this.entries(service).set(sliceKey, -1);
    this.serviceOf.set(sliceKey, service);
  }

  /** ShouldSync / HandleDeletion: whether an informer event is only our own write coming back. */
  isOwnWrite(sliceKey: string, slice: KObject | undefined): boolean {
    const service = this.serviceOf.get(sliceKey);
    const m = service ? this.byService.get(service) : undefined;
    const rv = m?.get(sliceKey);
    if (rv === undefined) return false;
    if (!slice) {
      m!.delete(sliceKey);
      this.serviceOf.delete(sliceKey);
      return rv === -1;
    }
    return rv === rvOf(slice);
  }

  /** StaleSlices: the cache shows an older version, a deleted slice, or misses one we wrote. */
  stale(service: string, slices: readonly KObject[]): boolean {
    const m = this.byService.get(service);
    if (!m) return false;
    const seen = new Set<string>();
    for (const s of slices) {
      const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
      seen.add(key);
      const rv = m.get(key);
      if (rv === undefined) continue;
      if (rv === -1 || rvOf(s) < rv) return true;
    }
    for (const [key, rv] of m) if (rv >= 0 && !seen.has(key)) return true;
    return false;
  }

  forgetService(service: string): void {
    for (const key of this.byService.get(service)?.keys() ?? []) this.serviceOf.delete(key);
    this.byService.delete(service);
  }
}
