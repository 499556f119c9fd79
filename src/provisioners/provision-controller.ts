// The external-provisioner protocol for one Provisioner, after sig-storage-lib-external-provisioner's
// ProvisionController: a claim annotated volume.kubernetes.io/storage-provisioner (or the beta
// name) with our name, unbound, not being deleted, whose StorageClass names us (and, for
// WaitForFirstConsumer, that carries volume.kubernetes.io/selected-node) gets a PV `pvc-<uid>` with
// claimRef pre-set, pv.kubernetes.io/provisioned-by and the deletion finalizer; the PV controller
// binds it. A Released PV of ours with reclaim policy Delete has its storage deleted, then the PV.
// Events and their texts are the library's (Provisioning, ProvisioningSucceeded,
// ProvisioningFailed, ProvisioningCleanupFailed, VolumeFailedDelete).
// Also, beyond the library: after creating a PV the claim is read live, and a PV whose claim went
// away meanwhile is discarded with its storage (no leak); a PV deleted directly is finalized once it
// is not Bound; a selected node must exist and satisfy the class's allowedTopologies.
// Deliberately absent: binding (the PV controller), leader election, metrics, the library's
// in-background provisioning states, volume snapshots / data sources and claim capacity checks.

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import { storageClassOf } from '../api/core/volume-printing.js';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  PROVISIONER_DELETION_FINALIZER,
} from '../api/storage/well-known.js';
import type { EventRecorder, EventType } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from '../controllers/deps.js';
import type { ProvisionedVolume, Provisioner } from './provisioner.js';

export interface ProvisionControllerOptions {
  /** Workers for each of the claim and volume queues (default 16: provisioning is I/O bound). */
  workers?: number;
}

const isCode = (e: unknown, code: number): boolean => isApiError(e) && e.code === code;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The provisioner a claim asks for: the GA annotation, else the beta one (library shouldProvision). */
export function requestedProvisioner(claim: KObject): string | undefined {
  const a = claim.metadata?.annotations ?? {};
  return a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER];
}

/** v1helper.MatchTopologySelectorTerms: no terms match every node; an empty term matches none. */
export function nodeMatchesTopologies(node: KObject, terms: any[] | undefined): boolean {
  if (!terms || terms.length === 0) return true;
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  return terms.some((t) => {
    const exprs: any[] = t?.matchLabelExpressions ?? [];
    return exprs.length > 0 && exprs.every((e) => e.key in labels && (e.values ?? []).includes(labels[e.key]));
  });
}

/** The PV object for a provisioned volume (library provisionClaimOperation + the provisioner's fields). */
export function provisionedVolumeObject(opts: { claim: KObject; storageClass: KObject; pvName: string; provisioner: string; volume: ProvisionedVolume }): KObject {
  const { claim, storageClass, volume } = opts;
  const m = claim.metadata ?? {};
  const spec: Record<string, unknown> = {
    ...structuredClone(volume.source),
    capacity: { storage: claim.spec?.resources?.requests?.storage },
    accessModes: structuredClone(claim.spec?.accessModes ?? []),
    persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
    storageClassName: storageClassOf(claim),
    claimRef: { kind: 'PersistentVolumeClaim', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'v1', resourceVersion: m.resourceVersion },
  };
  if (claim.spec?.volumeMode) spec.volumeMode = claim.spec.volumeMode;
  if (storageClass.mountOptions?.length) spec.mountOptions = structuredClone(storageClass.mountOptions);
  if (volume.nodeAffinity) spec.nodeAffinity = structuredClone(volume.nodeAffinity);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: opts.pvName, annotations: { [ANN_PROVISIONED_BY]: opts.provisioner }, finalizers: [PROVISIONER_DELETION_FINALIZER] },
    spec,
  };
}

export class ProvisionController {
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly claimQueue: WorkQueue;
  private readonly volumeQueue: WorkQueue;
  private readonly recorder: EventRecorder;
  private workers: Promise<void>[] = [];
  /** PVs created but not yet seen by the volume informer: a claim update meanwhile must not provision again. */
  private readonly created = new Set<string>();
  /**
   * PVs this process provisioned that have not been seen Bound yet. A claim deleted between our
   * last check and its binding releases such a volume unused: its storage is removed, not
   * archived or retained (nothing was ever written to it). After a restart the set is empty and
   * the class's policy applies, which can only keep more than necessary, never lose data.
   */
  private readonly neverBound = new Set<string>();

  constructor(
    private readonly deps: ControllerDeps,
    private readonly provisioner: Provisioner,
    opts: ProvisionControllerOptions = {},
  ) {
    const name = provisioner.name;
    this.recorder = deps.events(name);
    this.claims = deps.informers.for(PERSISTENT_VOLUME_CLAIMS);
    this.volumes = deps.informers.for(PERSISTENT_VOLUMES);
    this.classes = deps.informers.for(STORAGE_CLASSES);
    const workers = opts.workers ?? 16;
    this.claimQueue = new WorkQueue((k) => this.reconcileClaim(k), { workers, log: deps.log, name: `${name} claims` });
    this.volumeQueue = new WorkQueue((k) => this.reconcileVolume(k), { workers, log: deps.log, name: `${name} volumes` });
    this.claims.onChange((key, obj) => {
      if (obj && this.asksForUs(obj)) this.claimQueue.add(key);
    });
    this.volumes.onChange((key, obj) => {
      this.created.delete(key);
      if (!obj || obj.status?.phase === 'Bound') this.neverBound.delete(key);
      if (obj && this.isOurs(obj)) this.volumeQueue.add(key);
    });
    this.classes.onChange((key, obj) => {
      if (obj?.provisioner === name) this.enqueueClaimsOfClass(key);
    });
  }

  /** Runs the workers; the wiring has started (or will start) the shared informers. */
  async start(): Promise<void> {
    for (const c of this.claims.list()) if (this.asksForUs(c)) this.claimQueue.add(`${c.metadata?.namespace}/${c.metadata?.name}`);
    for (const v of this.volumes.list()) if (this.isOurs(v)) this.volumeQueue.add(`${v.metadata?.name}`);
    this.workers = [...this.claimQueue.run(), ...this.volumeQueue.run()];
  }

  /** Stops taking work and waits for the operations in flight. */
  async stop(): Promise<void> {
    this.claimQueue.stop();
    this.volumeQueue.stop();
    await Promise.all(this.workers);
    await this.recorder.flush();
  }

  private log(line: string): void {
    this.deps.log?.(`${this.provisioner.name}: ${line}`);
  }

  private event(obj: KObject, type: EventType, reason: string, text: string): void {
    this.recorder.event(obj, type, reason, text);
  }

  private asksForUs(claim: KObject): boolean {
    return requestedProvisioner(claim) === this.provisioner.name && !claim.spec?.volumeName;
  }

  private isOurs(pv: KObject): boolean {
    return pv.metadata?.annotations?.[ANN_PROVISIONED_BY] === this.provisioner.name;
  }

  private enqueueClaimsOfClass(className: string): void {
    for (const c of this.claims.list()) {
      if (this.asksForUs(c) && storageClassOf(c) === className) this.claimQueue.add(`${c.metadata?.namespace}/${c.metadata?.name}`);
    }
  }

  /** One claim: provision its volume if the protocol asks us to (library syncClaim). */
  async reconcileClaim(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim || !this.asksForUs(claim) || claim.metadata?.deletionTimestamp) return;
    const className = storageClassOf(claim);
    const storageClass = this.classes.get(className);
    if (!storageClass) {
      this.log(`PROVISION ${key} => waiting for StorageClass "${className}"`);
      return; // the class informer enqueues the claim when the class appears
    }
    if (storageClass.provisioner !== this.provisioner.name) return;
    const selectedName: string | undefined = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
    if (storageClass.volumeBindingMode === 'WaitForFirstConsumer' && !selectedName) return;
    const pvName = `pvc-${claim.metadata?.uid}`;
    if (this.volumes.get(pvName) || this.created.has(pvName)) return; // already provisioned
    if (claim.spec?.volumeMode === 'Block' && !this.provisioner.supportsBlock) {
      this.event(claim, 'Warning', 'ProvisioningFailed', `${this.provisioner.name} does not support block volume provisioning`);
      return; // errStopProvision: only a change of the claim brings it back
    }

    let selectedNode: KObject | undefined;
    if (selectedName) {
      selectedNode = await this.selectedNode(claim, selectedName, storageClass);
      if (!selectedNode) return;
    }

    this.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    let volume: ProvisionedVolume;
    try {
      volume = await this.provisioner.provision({ claim, storageClass, pvName, selectedNode });
    } catch (e) {
      return this.provisioningFailed(claim, e);
    }
    const pv = provisionedVolumeObject({ claim, storageClass, pvName, provisioner: this.provisioner.name, volume });
    await this.saveVolume(key, claim, pv, storageClass);
  }

  /** The selected Node, read live; undefined once the claim was handed back to the scheduler. */
  private async selectedNode(claim: KObject, nodeName: string, storageClass: KObject): Promise<KObject | undefined> {
    let node: KObject;
    try {
      node = await this.deps.client.get(NODES, undefined, nodeName);
    } catch (e) {
      if (isCode(e, 404)) {
        await this.provisioningFailed(claim, e);
        return undefined;
      }
      const err = new Error(`failed to get target node: ${message(e)}`);
      this.event(claim, 'Warning', 'ProvisioningFailed', err.message);
      throw err;
    }
    if (!nodeMatchesTopologies(node, storageClass.allowedTopologies)) {
      const err = new Error(`selected node "${nodeName}" does not match the allowedTopologies of StorageClass "${storageClass.metadata?.name}"`);
      await this.provisioningFailed(claim, err);
      return undefined;
    }
    return node;
  }

  /**
   * Library provisionVolumeErrorHandling: a Warning event; a claim with a selected node is handed
   * back to the scheduler (the annotation removed, no retry), any other claim retries with back-off.
   */
  private async provisioningFailed(claim: KObject, e: unknown): Promise<void> {
    const key = `${claim.metadata?.namespace}/${claim.metadata?.name}`;
    this.event(claim, 'Warning', 'ProvisioningFailed', message(e));
    if (claim.metadata?.annotations?.[ANN_SELECTED_NODE] === undefined) throw e;
    try {
      // Merge patch with the cached resourceVersion: a node chosen again since is not undone.
      await this.deps.client.patch(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, claim.metadata?.name ?? '', {
        metadata: { resourceVersion: claim.metadata?.resourceVersion, annotations: { [ANN_SELECTED_NODE]: null } },
      });
      this.log(`RESCHEDULE ${key} => selected-node removed (${message(e)})`);
    } catch (patchErr) {
      if (isCode(patchErr, 404)) return;
      this.log(`RESCHEDULE ${key} => failed (${message(patchErr)})`);
      throw e;
    }
  }

  /** Creates the PV (AlreadyExists is success), then makes sure its claim still exists. */
  private async saveVolume(key: string, claim: KObject, pv: KObject, storageClass: KObject): Promise<void> {
    const pvName = pv.metadata?.name ?? '';
    let created = false;
    try {
      await this.deps.client.create(PERSISTENT_VOLUMES, undefined, pv);
      created = true;
    } catch (e) {
      if (!(isCode(e, 409) && isApiError(e) && e.reason === 'AlreadyExists')) {
        this.event(claim, 'Warning', 'ProvisioningFailed', `Error creating provisioned PV object for claim ${key}: ${message(e)}. Deleting the volume.`);
        try {
          await this.provisioner.delete(pv, storageClass, { unused: true });
        } catch (d) {
          this.event(claim, 'Warning', 'ProvisioningCleanupFailed', `Error cleaning provisioned volume for claim ${key}: ${message(d)}. Please delete manually.`);
        }
        throw e;
      }
      this.log(`PROVISION ${key} => ${pvName} already exists, reusing`);
    }
    if (created && !(await this.claimStillExists(claim))) {
      await this.discard(pv, storageClass);
      this.log(`PROVISION ${key} => claim deleted meanwhile, ${pvName} and its storage removed`);
      return;
    }
    if (created && !this.volumes.get(pvName)) this.created.add(pvName);
    if (created) this.neverBound.add(pvName);
    this.log(`PROVISION ${key} => ${pvName}`);
    this.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  /**
   * A live read: the cache may still hold a claim deleted (or replaced) while we provisioned. A
   * claim that is terminating without a volume (held only by its protection finalizer) will never
   * use this one, so it counts as gone: the volume is discarded rather than bound and reclaimed.
   */
  private async claimStillExists(claim: KObject): Promise<boolean> {
    try {
      const live = await this.deps.client.get(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, claim.metadata?.name ?? '');
      if (live.metadata?.deletionTimestamp && !live.spec?.volumeName) return false;
      return live.metadata?.uid === claim.metadata?.uid;
    } catch (e) {
      if (isCode(e, 404)) return false;
      throw e;
    }
  }

  /** Storage first, then the PV, then our finalizer: a crash in between leaves a PV that finishes the job. */
  private async discard(pv: KObject, storageClass: KObject): Promise<void> {
    const name = pv.metadata?.name ?? '';
    await this.provisioner.delete(pv, storageClass, { unused: true });
    await this.deps.client.delete(PERSISTENT_VOLUMES, undefined, name).catch((e) => {
      if (!isCode(e, 404)) throw e;
    });
    await this.setFinalizer(name, false);
  }

  /** One PV of ours: reclaim it (library syncVolume: handleProtectionFinalizer, shouldDelete, deleteVolumeOperation). */
  async reconcileVolume(name: string): Promise<void> {
    const pv = this.volumes.get(name);
    if (!pv || !this.isOurs(pv)) return;
    const hasFinalizer = (pv.metadata?.finalizers ?? []).includes(PROVISIONER_DELETION_FINALIZER);
    const phase: string | undefined = pv.status?.phase;
    if (pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') {
      if (hasFinalizer) await this.setFinalizer(name, false); // Retain / Recycle: the storage outlives the PV
      return;
    }
    if (pv.metadata?.deletionTimestamp) {
      // Deleted directly by a user (or by us, below): finish once it no longer serves a claim.
      if (!hasFinalizer || phase === 'Bound') return;
      await this.deleteStorage(pv);
      await this.setFinalizer(name, false);
      this.log(`DELETE ${name} => storage deleted, finalizer removed`);
      return;
    }
    if (!hasFinalizer && phase === 'Bound') await this.setFinalizer(name, true);
    if (phase !== 'Released') return;
    await this.deleteStorage(pv, this.neverBound.has(name));
    try {
      await this.deps.client.delete(PERSISTENT_VOLUMES, undefined, name);
    } catch (e) {
      if (!isCode(e, 404)) throw e;
    }
    await this.setFinalizer(name, false);
    this.log(`DELETE ${name} => storage and volume deleted`);
  }

  private async deleteStorage(pv: KObject, unused = false): Promise<void> {
    const storageClass = this.classes.get(storageClassOf(pv));
    try {
      await this.provisioner.delete(pv, storageClass, { unused });
    } catch (e) {
      this.event(pv, 'Warning', 'VolumeFailedDelete', message(e));
      throw e;
    }
  }

  /** Adds or removes our finalizer with a strategic merge patch, which cannot clobber other finalizers. */
  private async setFinalizer(name: string, present: boolean): Promise<void> {
    const metadata = present ? { finalizers: [PROVISIONER_DELETION_FINALIZER] } : { '$deleteFromPrimitiveList/finalizers': [PROVISIONER_DELETION_FINALIZER] };
    try {
      await this.deps.client.patch(PERSISTENT_VOLUMES, undefined, name, { metadata }, { type: 'strategic' });
    } catch (e) {
      if (!isCode(e, 404)) throw e;
    }
  }
}
