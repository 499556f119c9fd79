// The Endpoints controller (pkg/controller/endpoint): for every Service with a selector, an
// Endpoints object of the same name listing the selected pods. Ready pods go to `addresses`,
// others to `notReadyAddresses` (all to `addresses` with publishNotReadyAddresses); terminal pods,
// pods without an IP and (unless publishNotReadyAddresses) terminating pods are left out. Each
// address has the pod's IP of the Service's family, nodeName, targetRef and, for a pod whose
// spec.subdomain is the Service (StatefulSet pods under their headless Service), its hostname.
// Ports are the Service's, resolved against container ports by name or number; subsets are
// repacked as RepackSubsets does (addresses sharing the same ports in one subset, a pod not
// ready on any port not ready on all). Labels are the Service's plus service.kubernetes.io/headless
// for headless Services; endpoints.kubernetes.io/last-change-trigger-time says which change a
// write reflects; beyond 1000 addresses the lists are truncated and
// endpoints.kubernetes.io/over-capacity: truncated set. Services without a selector are left
// alone (their Endpoints are the user's); an Endpoints object is deleted when its Service is, and
// at start for every Endpoints without a Service (checkLeftoverEndpoints; old leader-election
// records excepted). Writes are compare-and-swap on the cached resourceVersion, and skipped when
// nothing an endpoint consumer sees would change; a managed Endpoints object someone edits or
// deletes is put right.
// Deliberately absent: mirroring user EndpointSlices into Endpoints (a separate controller
// upstream).

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import { isDeepStrictEqual } from 'node:util';
import type { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { ENDPOINTS, PODS, SERVICES } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from './deps.js';
import { isPodReady } from './util/pods.js';
import {
  BatchedEnqueue,
  HEADLESS_LABEL,
  LAST_CHANGE_TRIGGER_TIME,
  ServiceMembership,
  TriggerTimeTracker,
  findPort,
  formatTriggerTime,
  isIPv6,
  isServiceIPSet,
  podIPs,
  selectsLabels,
  serviceSelector,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from './util/service-endpoints.js';

export const ENDPOINTS_COMPONENT = 'endpoint-controller';
/** Default coalescing of pod-triggered syncs (see BatchedEnqueue). */
export const ENDPOINT_UPDATES_BATCH_MS = 50;

export interface EndpointsControllerOptions {
  workers?: number;
  /** Kubernetes' --endpoint-updates-batch-period, in ms (default 50; 0 syncs on every pod change). */
  batchMs?: number;
}
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
export const MAX_CAPACITY = 1000;
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

interface Address {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

interface Port {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

interface Subset {
  addresses?: Address[];
  notReadyAddresses?: Address[];
  ports?: Port[];
}

/** podToEndpointAddressForService: the pod's address of the Service's (first) IP family. */
function podAddress(svc: KObject, pod: KObject): Address | undefined {
  let v6: boolean;
  const families: string[] = svc.spec?.ipFamilies ?? [];
  if (families.length) v6 = families[0] === 'IPv6';
  else if (isServiceIPSet(svc)) v6 = isIPv6(svc.spec.clusterIP);
  else v6 = isIPv6(pod.status?.podIP ?? '');
  const ip = podIPs(pod).find((a) => isIPv6(a) === v6);
  if (!ip) return undefined;
  const m = pod.metadata!;
  const addr: Address = { ip, targetRef: { kind: 'Pod', namespace: m.namespace!, name: m.name!, uid: m.uid! } };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec.hostname;
  return addr;
}

const addressKey = (a: Address) => `${a.ip}\0${a.targetRef.uid}`;
const portKey = (p: Port | undefined) => (p ? JSON.stringify([p.name ?? '', p.port, p.protocol, p.appProtocol ?? null]) : 'none');

/** LessEndpointAddress: by IP (bytewise), then target uid. */
function compareAddresses(a: Address, b: Address): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  return a.targetRef.uid < b.targetRef.uid ? -1 : a.targetRef.uid > b.targetRef.uid ? 1 : 0;
}

function comparePorts(a: Port, b: Port): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || a.protocol.localeCompare(b.protocol);
}

/**
 * RepackSubsets over (address, ready, port) triples: one subset per distinct set of addresses
 * (with readiness) that offer the same ports. An address not ready on a port is not ready there
 * even if another triple says it is. Order is deterministic: addresses by IP then uid, ports by
 * name then number, subsets by their first address. (Kubernetes orders ports and subsets by a
 * hash of their Go representation, which no client can rely on.)
 */
export function repackSubsets(entries: readonly { address: Address; ready: boolean; port?: Port }[]): Subset[] {
  const byPort = new Map<string, { port?: Port; addrs: Map<string, { address: Address; ready: boolean }> }>();
  for (const e of entries) {
    const pk = portKey(e.port);
    let g = byPort.get(pk);
    if (!g) byPort.set(pk, (g = { port: e.port, addrs: new Map() }));
    const ak = addressKey(e.address);
    const prev = g.addrs.get(ak);
    if (!prev || prev.ready) g.addrs.set(ak, { address: prev?.address ?? e.address, ready: e.ready });
  }
  const bySet = new Map<string, { addrs: { address: Address; ready: boolean }[]; ports: Port[] }>();
  for (const g of byPort.values()) {
    const addrs = [...g.addrs.values()].sort((a, b) => compareAddresses(a.address, b.address));
    const key = JSON.stringify(addrs.map((a) => [addressKey(a.address), a.ready]));
    let s = bySet.get(key);
    if (!s) bySet.set(key, (s = { addrs, ports: [] }));
    if (g.port) s.ports.push(g.port);
  }
  const subsets: Subset[] = [];
  for (const s of bySet.values()) {
    const subset: Subset = {};
    const ready = s.addrs.filter((a) => a.ready).map((a) => a.address);
    const notReady = s.addrs.filter((a) => !a.ready).map((a) => a.address);
    if (ready.length) subset.addresses = ready;
    if (notReady.length) subset.notReadyAddresses = notReady;
    if (s.ports.length) subset.ports = s.ports.sort(comparePorts);
    subsets.push(subset);
  }
  const first = (s: Subset) => (s.addresses ?? s.notReadyAddresses ?? [])[0];
  return subsets.sort((a, b) => {
    const fa = first(a);
    const fb = first(b);
    if (!fa || !fb) return fa ? 1 : fb ? -1 : 0;
    return compareAddresses(fa, fb) || portKey(a.ports?.[0]).localeCompare(portKey(b.ports?.[0]));
  });
}

/**
 * truncateEndpoints: keeps at most MAX_CAPACITY addresses, ready ones first, each subset keeping
 * its proportion (rounded up). Returns whether anything was cut.
 */
export function truncateSubsets(subsets: Subset[]): boolean {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  if (ready + notReady <= MAX_CAPACITY) return false;
  const truncateReady = ready > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - ready;
  const total = truncateReady ? ready : notReady;
  let room = max;
  for (const s of subsets) {
    const n = (truncateReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0;
    const keep = Math.min(Math.ceil((n / total) * max), room);
    if (truncateReady) {
      if (s.addresses) s.addresses = s.addresses.slice(0, keep);
      delete s.notReadyAddresses;
      room -= s.addresses?.length ?? 0;
    } else if (s.notReadyAddresses) {
      s.notReadyAddresses = s.notReadyAddresses.slice(0, keep);
      if (!s.notReadyAddresses.length) delete s.notReadyAddresses;
      room -= s.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

/** The subsets a Service's pods give, before truncation. */
export function desiredSubsets(svc: KObject, pods: readonly KObject[]): Subset[] {
  const publishNotReady = !!svc.spec?.publishNotReadyAddresses;
  const ports: any[] = svc.spec?.ports ?? [];
  const entries: { address: Address; ready: boolean; port?: Port }[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, { includeTerminating: publishNotReady })) continue;
    const address = podAddress(svc, pod);
    if (!address) continue;
    const ready = publishNotReady || isPodReady(pod);
    if (!ports.length) {
      // A headless Service may have no ports.
      if (svc.spec?.clusterIP === 'None') entries.push({ address, ready });
      continue;
    }
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n === undefined) continue;
      const port: Port = { port: n, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) port.name = sp.name;
      if (sp.appProtocol) port.appProtocol = sp.appProtocol;
      entries.push({ address, ready, port });
    }
  }
  return repackSubsets(entries);
}

export class EndpointsController {
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  private readonly membership = new ServiceMembership();
  private readonly triggers = new TriggerTimeTracker();
  private readonly batch: BatchedEnqueue;

  constructor(
    private readonly deps: ControllerDeps,
    opts: EndpointsControllerOptions = {},
  ) {
    this.services = deps.informers.for(SERVICES);
    this.pods = deps.informers.for(PODS);
    this.endpoints = deps.informers.for(ENDPOINTS);
    this.events = deps.events(ENDPOINTS_COMPONENT);
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: ENDPOINTS_COMPONENT, log: deps.log, workers: opts.workers ?? 8 });
    this.batch = new BatchedEnqueue((k) => this.queue.add(k), opts.batchMs ?? ENDPOINT_UPDATES_BATCH_MS);
    this.services.onChange((key, svc) => {
      this.membership.serviceChanged(key, svc);
      this.queue.add(key);
    });
    this.pods.onChange((key, pod) => {
      for (const k of this.membership.podChanged(key, pod)) this.batch.enqueue(k);
    });
    // A deleted Endpoints object is recreated and an edited one put right, when its Service
    // exists: one created ahead of its selectorless Service is the user's business.
    this.endpoints.onChange((key) => {
      if (this.services.get(key)) this.queue.add(key);
    });
  }

  start(): void {
    // checkLeftoverEndpoints: Endpoints whose Service went away while the controller was down.
    for (const ep of this.endpoints.list()) {
      if (!ep.metadata?.annotations?.[LEADER_ANNOTATION]) this.queue.add(`${ep.metadata?.namespace}/${ep.metadata?.name}`);
    }
    this.queue.run();
  }

  stop(): void {
    this.batch.stop();
    this.queue.stop();
  }

  async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const svc = this.services.get(key);
    if (!svc) {
      this.triggers.delete(key);
      const ep = this.endpoints.get(key);
      if (!ep || ep.metadata?.annotations?.[LEADER_ANNOTATION]) return;
      try {
        await this.deps.client.delete(ENDPOINTS, namespace, name, { preconditions: { uid: ep.metadata?.uid } });
        this.deps.log?.(`DELETE endpoints ${key}, service gone => ok`);
      } catch (e) {
        if (!(isApiError(e) && (e.code === 404 || e.code === 409))) throw e;
      }
      return;
    }
    const selector = serviceSelector(svc);
    if (!selector) return;
    const pods: KObject[] = [];
    for (const k of this.membership.podKeys(namespace)) {
      const p = this.pods.get(k);
      if (p && selectsLabels(selector, p.metadata?.labels)) pods.push(p);
    }
    const trigger = this.triggers.compute(key, svc, pods);
    const subsets = desiredSubsets(svc, pods);
    const truncated = truncateSubsets(subsets);
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
    if (isServiceIPSet(svc)) delete labels[HEADLESS_LABEL];
    else labels[HEADLESS_LABEL] = '';
    const current = this.endpoints.get(key);
    if (
      current &&
      isDeepStrictEqual(current.subsets ?? [], subsets) &&
      isDeepStrictEqual(current.metadata?.labels ?? {}, labels) &&
      !!current.metadata?.annotations?.[OVER_CAPACITY] === truncated
    ) {
      return;
    }
    const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
    if (trigger) annotations[LAST_CHANGE_TRIGGER_TIME] = formatTriggerTime(trigger);
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (truncated) annotations[OVER_CAPACITY] = 'truncated';
    else delete annotations[OVER_CAPACITY];
    const desired: KObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(current?.metadata ?? { name, namespace }), labels, annotations },
    };
    if (subsets.length) desired.subsets = subsets;
    await this.write(desired, !current);
  }

  private async write(ep: KObject, create: boolean): Promise<void> {
    const { namespace, name } = ep.metadata!;
    try {
      if (create) await this.deps.client.create(ENDPOINTS, namespace, ep);
      else await this.deps.client.update(ENDPOINTS, ep);
      this.deps.log?.(`${create ? 'CREATE' : 'UPDATE'} endpoints ${namespace}/${name} => ok`);
    } catch (e) {
      // Our cache has not seen it yet: the informer's event syncs the Service again.
      if (create && isApiError(e) && e.code === 409) return;
      if (create && isApiError(e) && (e.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) return;
      const message = (e as Error).message;
      if (create) this.events.event(ep, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${message}`);
      else this.events.event(ep, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${message}`);
      throw e;
    }
  }
}
