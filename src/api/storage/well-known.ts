// Annotation, finalizer and condition names of Kubernetes' volume machinery (k8s.io/component-helpers
// storage/volume and the external-provisioner library), shared by admission, the PV controller,
// the provisioners and the node agent so each name is spelled once.

// The storage-class annotations live with their printers: BETA_STORAGE_CLASS_ANNOTATION and
// storageClassOf() in core/volume-printing.ts, the default-class ones in storage/storage-class.ts.

/** On a claim: the binding is complete (set by the PV controller once volumeName is set). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** On a claim or volume: the PV controller, not the user, set volumeName / claimRef. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** On a volume: the provisioner that created it (and must delete it). */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** On a claim: the provisioner asked to provision it (GA name, and the beta one still written). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a claim: the node the scheduler chose for a WaitForFirstConsumer volume. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** On a claim: the resizer asked to expand it. */
export const ANN_STORAGE_RESIZER = 'volume.kubernetes.io/storage-resizer';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
/** On provisioned volumes: the provisioner must delete the backing storage before the PV goes. */
export const PROVISIONER_DELETION_FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';

export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
export const LOCAL_PATH_PROVISIONER = 'berth.dev/local-path';
export const NFS_SUBDIR_PROVISIONER = 'berth.dev/nfs-subdir';
