// berth's external resizer (events as "external-resizer berth.dev"): expands the volumes of claims
// annotated volume.kubernetes.io/storage-resizer=<one of our provisioners>, following
// kubernetes-csi/external-resizer with RecoverVolumeExpansionFailure on (expandAndRecover and
// resize_status.go):
//   1. pick the target size (the request, or the allocated size of an expansion already under way),
//   2. mark the claim: condition Resizing=True, allocatedResourceStatuses.storage
//      ControllerResizeInProgress, allocatedResources.storage = target; event Resizing,
//   3. grow the backing storage (an optional hook; a directory has no size to change) and set the
//      PV's spec.capacity.storage,
//   4. directory volumes need no node-side filesystem expansion, so finish at once: claim
//      status.capacity.storage = new size, resize conditions and allocatedResourceStatuses.storage
//      cleared (allocatedResources stays, as upstream); event VolumeResizeSuccessful.
// Each write is conditional on the object's resourceVersion, and a crash between steps resumes
// from what the objects record. The informer only triggers work: each reconcile that has work
// re-reads the claim and volume from the API, so a stale cache never replays a finished step.
// Deliberately absent: the node-expansion-not-required annotation (metadata cannot change through
// /status in berth, and no berth node agent resizes filesystems), infeasible/final-error handling
// (a directory expansion cannot fail that way), and offline-only expansion.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import { compareQuantity, parseQuantity } from '../api/quantity.js';
import type { Quantity } from '../api/quantity.js';
import { ANN_STORAGE_RESIZER } from '../api/storage/well-known.js';
import type { Informer } from '../client/informer.js';
import { WorkQueue } from '../client/workqueue.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS } from '../client/resources.js';
import type { EventRecorder } from '../client/events.js';
import type { ControllerDeps } from '../controllers/deps.js';

export const RESIZER_COMPONENT = 'external-resizer berth.dev';

/** v1.ClaimResourceStatus values. */
const CONTROLLER_RESIZE_IN_PROGRESS = 'ControllerResizeInProgress';
const CONTROLLER_RESIZE_INFEASIBLE = 'ControllerResizeInfeasible';
const NODE_RESIZE_PENDING = 'NodeResizePending';
const NODE_RESIZE_IN_PROGRESS = 'NodeResizeInProgress';
const NODE_RESIZE_INFEASIBLE = 'NodeResizeInfeasible';

/** The claim conditions a resizer owns (external-resizer's knownResizeConditions). */
const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending', 'ControllerResizeError', 'NodeResizeError']);

export interface ResizerOptions {
  /** Provisioner names served: claims whose storage-resizer annotation is one of these. */
  provisioners: string[];
  /** Grows the backing storage to `size` before the PV records it (default: nothing to do). */
  expandVolume?: (pv: KObject, size: string) => Promise<void>;
  workers?: number;
}

const ZERO: Quantity = parseQuantity('0')!;
function q(v: unknown): Quantity {
  return (typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null) ?? ZERO;
}
const cmp = (a: unknown, b: unknown) => compareQuantity(q(a), q(b));

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** pvcNeedResize: Bound, with a volume, asking for more than status.capacity. */
export function claimNeedsResize(pvc: KObject): boolean {
  if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) return false;
  return cmp(pvc.spec?.resources?.requests?.storage, pvc.status?.capacity?.storage) > 0;
}

/**
 * expandAndRecover's choice of size: the request, unless an expansion to the allocated size is
 * under way and must finish first; undefined when there is nothing for the controller to do.
 */
export function targetSize(pvc: KObject, pv: KObject): string | undefined {
  const requested: string = String(pvc.spec?.resources?.requests?.storage);
  const pvSize = pv.spec?.capacity?.storage;
  const status: string = pvc.status?.allocatedResourceStatuses?.storage ?? '';
  const allocRaw = pvc.status?.allocatedResources?.storage;
  const allocated: string | undefined = allocRaw === undefined || allocRaw === null ? undefined : String(allocRaw);
  if (cmp(pvSize, requested) < 0) {
    switch (status) {
      case NODE_RESIZE_INFEASIBLE:
      case CONTROLLER_RESIZE_IN_PROGRESS:
        return allocated ?? requested;
      case NODE_RESIZE_PENDING:
      case NODE_RESIZE_IN_PROGRESS: {
        const size = allocated ?? requested;
        return cmp(pvSize, size) >= 0 ? undefined : size;
      }
      default:
        return requested;
    }
  }
  switch (status) {
    case NODE_RESIZE_PENDING:
    case NODE_RESIZE_IN_PROGRESS:
      return undefined;
    case NODE_RESIZE_INFEASIBLE:
    case CONTROLLER_RESIZE_IN_PROGRESS:
    case CONTROLLER_RESIZE_INFEASIBLE:
      return allocated ?? requested;
    default:
      if (status === '' && allocated !== undefined) return allocated;
      if ((pvc.status?.conditions ?? []).some((c: any) => c?.type === 'FileSystemResizePending' && c?.status === 'True')) return undefined;
      return requested;
  }
}

/** MergeResizeConditionsOfPVC: replace resize conditions by type, keep or drop the other resize ones. */
export function mergeResizeConditions(old: any[] | undefined, next: any[], keepOldResizeConditions: boolean): any[] {
  const pending = new Map(next.map((c) => [c.type, c]));
  const out: any[] = [];
  for (const c of old ?? []) {
    if (!RESIZE_CONDITIONS.has(c?.type)) out.push(c);
    else if (pending.has(c.type)) {
      out.push(pending.get(c.type));
      pending.delete(c.type);
    } else if (keepOldResizeConditions) out.push(c);
  }
  return [...out, ...pending.values()];
}

function setConditions(status: any, conditions: any[]): void {
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
}

export class Resizer {
  private readonly claims: Informer;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  private readonly names: Set<string>;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: ResizerOptions,
  ) {
    this.names = new Set(opts.provisioners);
    this.claims = deps.informers.for(PERSISTENT_VOLUME_CLAIMS);
    this.events = deps.events(RESIZER_COMPONENT);
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: RESIZER_COMPONENT, log: deps.log, workers: opts.workers ?? 2 });
    this.claims.onChange((key, pvc) => {
      if (pvc && this.ours(pvc)) this.queue.add(key);
    });
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.queue.stop();
  }

  private ours(pvc: KObject): boolean {
    return this.names.has(pvc.metadata?.annotations?.[ANN_STORAGE_RESIZER] ?? '');
  }

  async reconcile(key: string): Promise<void> {
    const cached = this.claims.get(key);
    if (!cached || !this.ours(cached) || !claimNeedsResize(cached)) return;
    const [namespace, name] = key.split('/');
    let pvc: KObject;
    try {
      pvc = await this.deps.client.get(PERSISTENT_VOLUME_CLAIMS, namespace, name);
    } catch (e) {
      if (isApiError(e) && e.code === 404) return;
      throw e;
    }
    if (!this.ours(pvc) || !claimNeedsResize(pvc)) return;
    const volumeName: string = pvc.spec.volumeName;
    let pv: KObject;
    try {
      pv = await this.deps.client.get(PERSISTENT_VOLUMES, undefined, volumeName);
    } catch (e) {
      if (isApiError(e) && e.code === 404) throw new Error(`PV "${volumeName}" bound to pvc "${key}" not found`);
      throw e;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || ref.namespace !== namespace || ref.uid !== pvc.metadata?.uid) return;
    const size = targetSize(pvc, pv);
    if (size === undefined) return;

    pvc = await this.markControllerResizeInProgress(pvc, size);
    this.events.event(pvc, 'Normal', 'Resizing', `External resizer is resizing volume ${pv.metadata?.name}`);
    await this.opts.expandVolume?.(pv, size);
    // A driver answers with the volume's real size, never smaller than it already was.
    const newSize = cmp(pv.spec?.capacity?.storage, size) > 0 ? String(pv.spec.capacity.storage) : size;
    if (cmp(pv.spec?.capacity?.storage, newSize) !== 0) {
      await this.deps.client.patch(PERSISTENT_VOLUMES, undefined, volumeName, {
        metadata: { resourceVersion: pv.metadata?.resourceVersion },
        spec: { capacity: { storage: newSize } },
      });
    }
    await this.markOverallExpansionAsFinished(pvc, newSize);
    this.events.event(pvc, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
    this.deps.log?.(`resizer ${key} => ${volumeName} resized to ${newSize}`);
  }

  private async markControllerResizeInProgress(pvc: KObject, size: string): Promise<KObject> {
    const before = pvc.status ?? {};
    const allocated = before.allocatedResources?.storage;
    const updateStatus = !(allocated !== undefined && cmp(allocated, size) === 0);
    const resizing = (before.conditions ?? []).some((c: any) => c?.type === 'Resizing' && c?.status === 'True');
    // Resuming a recorded step: the claim already says what this write would say.
    if (!updateStatus && resizing) return pvc;
    const status = structuredClone(before);
    const condition = { type: 'Resizing', status: 'True', lastTransitionTime: rfc3339(this.deps.now()) };
    setConditions(status, mergeResizeConditions(status.conditions, [condition], !updateStatus));
    if (updateStatus) status.allocatedResourceStatuses = { ...status.allocatedResourceStatuses, storage: CONTROLLER_RESIZE_IN_PROGRESS };
    status.allocatedResources = { ...status.allocatedResources, storage: size };
    return this.deps.client.update(PERSISTENT_VOLUME_CLAIMS, { ...pvc, status }, 'status');
  }

  private async markOverallExpansionAsFinished(pvc: KObject, size: string): Promise<KObject> {
    const status = structuredClone(pvc.status ?? {});
    status.capacity = { ...status.capacity, storage: size };
    setConditions(status, mergeResizeConditions(status.conditions, [], false));
    if (status.allocatedResourceStatuses) {
      delete status.allocatedResourceStatuses.storage;
      if (Object.keys(status.allocatedResourceStatuses).length === 0) delete status.allocatedResourceStatuses;
    }
    return this.deps.client.update(PERSISTENT_VOLUME_CLAIMS, { ...pvc, status }, 'status');
  }
}
