// Volume expansion controller (pkg/controller/volume/expand, events as "volume_expand"): notices a
// Bound claim whose spec.resources.requests.storage exceeds status.capacity.storage and hands the
// expansion to an external resizer. berth has no in-tree expandable volume plugin, so every claim
// takes Kubernetes' "no expandable plugin" path: a Normal ExternalExpanding event, "waiting for an
// external controller to expand this PVC". In addition, when the volume's provisioner is an
// external one (not a kubernetes.io/ in-tree name: berth's own berth.dev/local-path and
// berth.dev/nfs-subdir count as external), the claim is annotated
// volume.kubernetes.io/storage-resizer=<provisioner> — the resizer annotation Kubernetes sets for
// migrated volumes — which is what berth's resizer (src/provisioners/resizer.ts) and third-party
// resizers written for it key on. The provisioner is the PV's pv.kubernetes.io/provisioned-by,
// else the claim's StorageClass provisioner.
//
// Claims are enqueued as Kubernetes does: when first seen Bound, and when the request or the
// capacity grows. The PV is read live, as Kubernetes does.
// Deliberately absent: the expansion itself, in-tree plugins, CSI migration and the
// pre-resize-capacity annotation (no berth resizer needs node-side filesystem expansion).

import type { KObject } from '../api/resource.js';
import { compareQuantity, parseQuantity } from '../api/quantity.js';
import type { Quantity } from '../api/quantity.js';
import { storageClassOf } from '../api/core/volume-printing.js';
import { ANN_PROVISIONED_BY, ANN_STORAGE_RESIZER } from '../api/storage/well-known.js';
import type { Informer } from '../client/informer.js';
import { WorkQueue } from '../client/workqueue.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES } from '../client/resources.js';
import type { EventRecorder } from '../client/events.js';
import type { ControllerDeps } from './deps.js';

export const VOLUME_EXPANSION_COMPONENT = 'volume_expand';
export const EXTERNAL_EXPANDING = 'ExternalExpanding';
export const WAITING_FOR_EXTERNAL = 'waiting for an external controller to expand this PVC';

const ZERO: Quantity = parseQuantity('0')!;

function quantityAt(list: Record<string, unknown> | undefined, name: string): Quantity {
  const v = list?.[name];
  return (typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null) ?? ZERO;
}

export const requestedStorage = (pvc: KObject): Quantity => quantityAt(pvc.spec?.resources?.requests, 'storage');
export const claimCapacity = (pvc: KObject): Quantity => quantityAt(pvc.status?.capacity, 'storage');

/** The claim asks for more than it has (the expansion controller's trigger). */
export function claimNeedsExpansion(pvc: KObject): boolean {
  return compareQuantity(requestedStorage(pvc), claimCapacity(pvc)) > 0;
}

/** An external provisioner/resizer name: anything but an in-tree `kubernetes.io/` plugin. */
export function isExternalResizer(name: string | undefined): name is string {
  return !!name && !name.startsWith('kubernetes.io/');
}

export class VolumeExpansionController {
  private readonly claims: Informer;
  private readonly classes: Informer;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  /** The request and capacity each claim had at its last event, to enqueue on growth only. */
  private readonly seen = new Map<string, { request: Quantity; capacity: Quantity }>();

  constructor(
    private readonly deps: ControllerDeps,
    opts: { workers?: number } = {},
  ) {
    this.claims = deps.informers.for(PERSISTENT_VOLUME_CLAIMS);
    this.classes = deps.informers.for(STORAGE_CLASSES);
    this.events = deps.events(VOLUME_EXPANSION_COMPONENT);
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: VOLUME_EXPANSION_COMPONENT, log: deps.log, workers: opts.workers ?? 1 });
    this.claims.onChange((key, pvc) => this.claimChanged(key, pvc));
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.queue.stop();
  }

  private claimChanged(key: string, pvc: KObject | undefined): void {
    if (!pvc) {
      this.seen.delete(key);
      return;
    }
    const now = { request: requestedStorage(pvc), capacity: claimCapacity(pvc) };
    const prev = this.seen.get(key);
    this.seen.set(key, now);
    if (pvc.status?.phase !== 'Bound') return;
    if (!prev || compareQuantity(now.request, prev.request) > 0 || compareQuantity(now.capacity, prev.capacity) > 0) this.queue.add(key);
  }

  async reconcile(key: string): Promise<void> {
    const pvc = this.claims.get(key);
    // Checked before reading the PV (Kubernetes checks after): nothing to do means nothing to read.
    if (!pvc || pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName || !claimNeedsExpansion(pvc)) return;
    const volumeName: string = pvc.spec.volumeName;
    let pv: KObject;
    try {
      pv = await this.deps.client.get(PERSISTENT_VOLUMES, undefined, volumeName);
    } catch (e) {
      throw new Error(`failed to get PV "${volumeName}": ${(e as Error).message}`);
    }
    const ref = pv.spec?.claimRef;
    if (!ref || ref.namespace !== pvc.metadata?.namespace || ref.uid !== pvc.metadata?.uid) {
      throw new Error(`persistent Volume is not bound to PVC being updated : ${key}`);
    }

    const resizer = this.resizerFor(pvc, pv);
    if (isExternalResizer(resizer) && pvc.metadata?.annotations?.[ANN_STORAGE_RESIZER] !== resizer) {
      await this.deps.client.patch(PERSISTENT_VOLUME_CLAIMS, pvc.metadata?.namespace, pvc.metadata!.name!, {
        metadata: { annotations: { [ANN_STORAGE_RESIZER]: resizer } },
      });
      this.deps.log?.(`volume_expand ${key} => ${ANN_STORAGE_RESIZER}=${resizer}`);
    }
    this.events.event(pvc, 'Normal', EXTERNAL_EXPANDING, WAITING_FOR_EXTERNAL);
  }

  private resizerFor(pvc: KObject, pv: KObject): string | undefined {
    const provisionedBy = pv.metadata?.annotations?.[ANN_PROVISIONED_BY];
    if (provisionedBy) return provisionedBy;
    const cls = storageClassOf(pvc);
    return cls ? this.classes.get(cls)?.provisioner : undefined;
  }
}
