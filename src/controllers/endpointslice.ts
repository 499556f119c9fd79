// The EndpointSlice controller (pkg/controller/endpointslice with k8s.io/endpointslice's
// reconciler): for every Service with a selector, EndpointSlices `<service>-<random>` (generateName)
// labelled kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by:
// endpointslice-controller.k8s.io (plus the Service's labels and, for headless Services,
// service.kubernetes.io/headless), controlled by the Service, one set per address type of the
// Service's IP families and per distinct port list. Each endpoint is a pod with an IP (terminating
// ones included): its addresses of that family, conditions ready (serving and not terminating, or
// always with publishNotReadyAddresses), serving and terminating, nodeName, targetRef and the
// hostname rule of StatefulSet pods; ports resolved against container ports. At most 100
// endpoints per slice (maxEndpointsPerSlice).
// Changes churn as little as the upstream reconciler's: endpoints stay in the slice that has them
// and are updated in place; removals shrink slices, additions fill the slices already being
// written, then the unchanged slice that fits them best, and only then new slices; a slice left
// empty is reused for a slice that would otherwise be created; an otherwise empty Service keeps one
// placeholder slice. Slices the Service does not own, or of an address type it no longer has, are
// deleted. Writes are compare-and-swap; a cache that has not yet seen this controller's last
// writes makes the sync wait for it instead of acting twice (the EndpointSliceTracker's job).
// Deliberately absent: topology (zone labels and hints: no Node informer here), and mirroring of
// user Endpoints (a separate controller upstream).

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { ENDPOINT_SLICES, PODS, SERVICES } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from './deps.js';
import { EndpointSliceTracker, desiredEndpoints, planSlices } from './endpointslice-plan.js';
import type { SliceWrite } from './endpointslice-plan.js';
import { controllerOf } from './util/owners.js';
import {
  BatchedEnqueue,
  LAST_CHANGE_TRIGGER_TIME,
  ServiceMembership,
  TriggerTimeTracker,
  formatTriggerTime,
  isIPv6,
  isServiceIPSet,
  selectsLabels,
  serviceSelector,
} from './util/service-endpoints.js';

export const ENDPOINTSLICE_COMPONENT = 'endpointslice-controller';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** How long a sync waits for the cache to show this controller's writes before trusting it anyway. */
const STALE_GIVE_UP_MS = 10_000;

export interface EndpointSliceControllerOptions {
  workers?: number;
  /** --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
  /** --endpointslice-updates-batch-period, in ms (default 50; 0 syncs on every pod change). */
  batchMs?: number;
}

/** getAddressTypesForService: from ipFamilies, else the cluster IP's family, else both for headless. */
export function addressTypes(svc: KObject): string[] {
  const families: string[] = svc.spec?.ipFamilies ?? [];
  const types = new Set<string>();
  for (const f of families) {
    if (f === 'IPv4') types.add('IPv4');
    if (f === 'IPv6') types.add('IPv6');
  }
  if (types.size) return [...types];
  if (isServiceIPSet(svc)) return [isIPv6(svc.spec.clusterIP) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** setEndpointSliceLabels: the Service's labels, the reserved ones set by the controller. */
export function sliceLabels(svc: KObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(svc.metadata?.labels ?? {})) {
    if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL && k !== 'service.kubernetes.io/headless') labels[k] = v;
  }
  if (!isServiceIPSet(svc)) labels['service.kubernetes.io/headless'] = '';
  labels[SERVICE_NAME_LABEL] = svc.metadata!.name!;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return labels;
}

export class EndpointSliceController {
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly slices: Informer;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  private readonly membership = new ServiceMembership();
  private readonly triggers = new TriggerTimeTracker();
  private readonly tracker = new EndpointSliceTracker();
  private readonly batch: BatchedEnqueue;
  private readonly maxPerSlice: number;
  /** Service key → names of the managed slices labelled with it. */
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly sliceService = new Map<string, string>();
  /** Service key → since when its slices in the cache have lagged this controller's writes. */
  private readonly staleSince = new Map<string, number>();

  constructor(
    private readonly deps: ControllerDeps,
    opts: EndpointSliceControllerOptions = {},
  ) {
    this.services = deps.informers.for(SERVICES);
    this.pods = deps.informers.for(PODS);
    this.slices = deps.informers.for(ENDPOINT_SLICES);
    this.events = deps.events(ENDPOINTSLICE_COMPONENT);
    this.maxPerSlice = opts.maxEndpointsPerSlice ?? 100;
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: ENDPOINTSLICE_COMPONENT, log: deps.log, workers: opts.workers ?? 8 });
    this.batch = new BatchedEnqueue((k) => this.queue.add(k), opts.batchMs ?? 50);
    this.services.onChange((key, svc) => {
      this.membership.serviceChanged(key, svc);
      this.queue.add(key);
    });
    this.pods.onChange((key, pod) => {
      for (const k of this.membership.podChanged(key, pod)) this.batch.enqueue(k);
    });
    this.slices.onChange((key, slice) => this.sliceChanged(key, slice));
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.batch.stop();
    this.queue.stop();
  }

  private sliceChanged(key: string, slice: KObject | undefined): void {
    const prevService = this.sliceService.get(key);
    const ns = key.slice(0, key.indexOf('/'));
    const labels = slice?.metadata?.labels;
    const service = labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && labels[SERVICE_NAME_LABEL] ? `${ns}/${labels[SERVICE_NAME_LABEL]}` : undefined;
    if (prevService && prevService !== service) {
      this.slicesByService.get(prevService)?.delete(key);
      if (service) this.queue.add(prevService);
    }
    if (service) {
      this.sliceService.set(key, service);
      let s = this.slicesByService.get(service);
      if (!s) this.slicesByService.set(service, (s = new Set()));
      s.add(key);
    } else this.sliceService.delete(key);
    // Our own writes come back here too; the tracker tells them from anyone else's.
    const concerned = service ?? prevService;
    if (concerned && !this.tracker.isOwnWrite(key, slice)) this.queue.add(concerned);
  }

  async reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    const svc = this.services.get(key);
    if (!svc) {
      // The garbage collector removes the slices it owned.
      this.triggers.delete(key);
      this.tracker.forgetService(key);
      this.staleSince.delete(key);
      return;
    }
    const selector = serviceSelector(svc);
    if (!selector) return;
    const namespace = svc.metadata!.namespace!;
    const existing = [...(this.slicesByService.get(key) ?? [])].map((k) => this.slices.get(k)).filter((s): s is KObject => !!s && !s.metadata?.deletionTimestamp);
    if (this.tracker.stale(key, existing)) {
      const since = this.staleSince.get(key) ?? this.deps.now().getTime();
      this.staleSince.set(key, since);
      // A cache that never catches up (a lost event) must not wedge the Service.
      if (this.deps.now().getTime() - since < STALE_GIVE_UP_MS) {
        this.deps.log?.(`SYNC endpointslices ${key} => cache not caught up with our writes, waiting`);
        return { requeueAfterMs: 200 };
      }
      this.tracker.forgetService(key);
    }
    this.staleSince.delete(key);
    const pods: KObject[] = [];
    for (const k of this.membership.podKeys(namespace)) {
      const p = this.pods.get(k);
      if (p && selectsLabels(selector, p.metadata?.labels)) pods.push(p);
    }
    pods.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
    const trigger = this.triggers.compute(key, svc, pods);
    const plan = planSlices(svc, {
      existing,
      desired: desiredEndpoints(svc, pods, addressTypes(svc)),
      labels: sliceLabels(svc),
      maxPerSlice: this.maxPerSlice,
      owned: (s) => controllerOf(s)?.uid === svc.metadata?.uid,
    });
    try {
      await this.apply(key, svc, plan, trigger);
    } catch (e) {
      this.events.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${(e as Error).message}`);
      throw e;
    }
  }

  private async apply(key: string, svc: KObject, plan: { create: KObject[]; update: KObject[]; delete: KObject[] }, trigger: Date | undefined): Promise<void> {
    const namespace = svc.metadata!.namespace!;
    const stamp = (s: KObject) => {
      const a = { ...(s.metadata?.annotations ?? {}) };
      if (trigger) a[LAST_CHANGE_TRIGGER_TIME] = formatTriggerTime(trigger);
      else delete a[LAST_CHANGE_TRIGGER_TIME];
      s.metadata = { ...s.metadata, annotations: a };
      if (!Object.keys(a).length) delete s.metadata.annotations;
    };
    const writes: SliceWrite[] = [];
    // No new slices for a Service being deleted: the garbage collector would race them.
    if (!svc.metadata?.deletionTimestamp) {
      for (const s of plan.create) {
        stamp(s);
        writes.push({ op: 'create', run: () => this.deps.client.create<KObject>(ENDPOINT_SLICES, namespace, s) });
      }
    }
    for (const s of plan.update) {
      stamp(s);
      writes.push({ op: 'update', run: () => this.deps.client.update<KObject>(ENDPOINT_SLICES, s) });
    }
    for (const s of plan.delete) {
      const { name, uid } = s.metadata!;
      writes.push({
        op: 'delete',
        name,
        run: () => this.deps.client.delete(ENDPOINT_SLICES, namespace, name!, { preconditions: { uid } }) as Promise<KObject | undefined>,
      });
    }
    const results = await Promise.allSettled(writes.map((w) => w.run()));
    let firstError: unknown;
    results.forEach((r, i) => {
      const w = writes[i];
      if (r.status === 'fulfilled') {
        if (w.op === 'delete') this.tracker.expectDeleted(key, `${namespace}/${w.name}`);
        else if (r.value) this.tracker.expect(key, r.value);
        this.deps.log?.(`${w.op.toUpperCase()} endpointslice ${namespace}/${w.op === 'delete' ? w.name : r.value?.metadata?.name} => ok`);
        return;
      }
      if (w.op === 'delete' && isApiError(r.reason) && r.reason.code === 404) return;
      if (w.op === 'create' && isApiError(r.reason) && (r.reason.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) return;
      firstError ??= r.reason;
    });
    if (firstError) throw firstError;
  }
}
