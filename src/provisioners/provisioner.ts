// The contract between the generic ProvisionController and one storage back end, shaped like the
// external-provisioner library's Provisioner interface (Provision / Delete, plus the optional
// BlockProvisioner.SupportsBlock): the back end makes or removes storage; the controller owns every
// API object (the PV, its finalizer, annotations, events, retries).
// Deliberately absent: the library's ProvisioningState (InBackground / NoChange / Reschedule). A
// berth provisioner finishes or throws; the controller reschedules a claim with a selected node on
// any failure, and retries the others with back-off.

import type { KObject } from '../api/resource.js';

export interface ProvisionRequest {
  /** The claim as the informer holds it: shared, never mutate it. */
  claim: KObject;
  storageClass: KObject;
  /** `pvc-<claim uid>`: deterministic, so a retried provisioning reuses the same storage. */
  pvName: string;
  /** The Node named by volume.kubernetes.io/selected-node (WaitForFirstConsumer), read live. */
  selectedNode?: KObject;
}

export interface ProvisionedVolume {
  /** The PV spec's volume source, e.g. `{ nfs: { server, path } }` or `{ local: { path } }`. */
  source: Record<string, unknown>;
  /** spec.nodeAffinity of the PV (a VolumeNodeAffinity), for node-local storage. */
  nodeAffinity?: Record<string, unknown>;
}

export interface DeleteOptions {
  /**
   * The volume was never bound (its claim went away while it was provisioned, or its PV could not
   * be created): there is no user data, so archive / retain policies do not apply.
   */
  unused?: boolean;
}

export interface Provisioner {
  /** The provisioner name StorageClasses and claims refer to, e.g. `berth.dev/nfs-subdir`. */
  readonly name: string;
  /** Whether volumeMode Block claims can be provisioned (BlockProvisioner.SupportsBlock). */
  readonly supportsBlock?: boolean;
  /** Creates (or finds, when retried) the storage for a claim; throws with a message for the user. */
  provision(req: ProvisionRequest): Promise<ProvisionedVolume>;
  /**
   * Removes (or archives / keeps, by the class's policy) the storage behind a PV this provisioner
   * created. Idempotent: storage that is already gone is success. The class is undefined when it
   * no longer exists.
   */
  delete(pv: KObject, storageClass: KObject | undefined, opts?: DeleteOptions): Promise<void>;
}
