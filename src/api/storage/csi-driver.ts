// CSIDriver (storage.k8s.io/v1, cluster-scoped): defaults (attachRequired true, podInfoOnMount,
// storageCapacity, requiresRepublish and seLinuxMount false, fsGroupPolicy ReadWriteOnceWithFSType,
// volumeLifecycleModes [Persistent]), validation with Kubernetes' messages (including its
// `spec.attachedRequired` path), immutable attachRequired and volumeLifecycleModes, and the
// kubectl table (NAME, ATTACHREQUIRED, PODINFOONMOUNT, STORAGECAPACITY, TOKENREQUESTS,
// REQUIRESREPUBLISH, MODES, AGE).
// Deliberately absent: CSINode and CSIStorageCapacity, and any driver registration logic.

import type { FieldError } from '../errors.js';
import { duplicate, invalid, notSupported, required } from '../errors.js';
import type { KObject, ResourceDef, TableCell, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate, validateSemanticImmutable } from '../core/field-validators.js';
import { nameIsDNSSubdomain } from '../validation/names.js';

const META = { namespaced: false, nameValidator: nameIsDNSSubdomain };
const FS_GROUP_POLICIES = ['File', 'None', 'ReadWriteOnceWithFSType'];
const LIFECYCLE_MODES = ['Persistent', 'Ephemeral'];

function defaults(obj: KObject): void {
  const spec = (obj.spec ??= {});
  if (spec.attachRequired == null) spec.attachRequired = true;
  if (spec.podInfoOnMount == null) spec.podInfoOnMount = false;
  if (spec.storageCapacity == null) spec.storageCapacity = false;
  if (spec.fsGroupPolicy == null) spec.fsGroupPolicy = 'ReadWriteOnceWithFSType';
  if (!Array.isArray(spec.volumeLifecycleModes) || spec.volumeLifecycleModes.length === 0) spec.volumeLifecycleModes = ['Persistent'];
  if (spec.requiresRepublish == null) spec.requiresRepublish = false;
  if (spec.seLinuxMount == null) spec.seLinuxMount = false;
}

function validateSpec(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  if (spec?.attachRequired == null) errs.push(required('spec.attachedRequired'));
  if (spec?.podInfoOnMount == null) errs.push(required('spec.podInfoOnMount'));
  if (spec?.storageCapacity == null) errs.push(required('spec.storageCapacity'));
  if (spec?.fsGroupPolicy != null && !FS_GROUP_POLICIES.includes(spec.fsGroupPolicy)) {
    errs.push(notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, FS_GROUP_POLICIES));
  }
  const audiences = new Set<string>();
  (spec?.tokenRequests ?? []).forEach((t: any, i: number) => {
    const p = `spec.tokenRequests[${i}]`;
    const audience = t?.audience ?? '';
    if (audiences.has(audience)) {
      errs.push(duplicate(`${p}.audience`, audience));
      return;
    }
    audiences.add(audience);
    const exp = t?.expirationSeconds;
    if (typeof exp !== 'number') return;
    if (exp < 600) errs.push(invalid(`${p}.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
    if (exp > 2 ** 32) errs.push(invalid(`${p}.expirationSeconds`, exp, 'may not specify a duration larger than 2^32 seconds'));
  });
  for (const mode of spec?.volumeLifecycleModes ?? []) {
    if (!LIFECYCLE_MODES.includes(mode)) errs.push(notSupported('spec.volumeLifecycleModes', mode, LIFECYCLE_MODES));
  }
  if (spec?.seLinuxMount == null) errs.push(required('spec.seLinuxMount'));
  const period = spec?.nodeAllocatableUpdatePeriodSeconds;
  if (typeof period === 'number' && period < 10) {
    errs.push(invalid('spec.nodeAllocatableUpdatePeriodSeconds', period, 'must be greater than or equal to 10 seconds'));
  }
  return errs;
}

function validateUpdate(obj: KObject, old: KObject): FieldError[] {
  return [
    ...validateCoreObjectMetaUpdate(obj, old, META),
    ...validateSpec(obj.spec),
    ...validateSemanticImmutable('spec.attachedRequired', { next: obj.spec?.attachRequired, old: old.spec?.attachRequired }),
    ...validateSemanticImmutable('spec.volumeLifecycleModes', { next: obj.spec?.volumeLifecycleModes, old: old.spec?.volumeLifecycleModes }),
  ];
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  column('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting.'),
  column('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true.'),
  column('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.'),
  column('TokenRequests', 'string', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.'),
  column('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.'),
  column('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
  AGE_COLUMN,
];

function row(obj: KObject, ctx: { now: number }): TableCell[] {
  const spec = obj.spec ?? {};
  const modes = (spec.volumeLifecycleModes ?? []).join(',');
  const tokens = Array.isArray(spec.tokenRequests) ? spec.tokenRequests.map((t: any) => t?.audience ?? '').join(',') : '<unset>';
  return [
    obj.metadata?.name ?? '',
    spec.attachRequired ?? true,
    spec.podInfoOnMount ?? false,
    spec.storageCapacity ?? false,
    tokens,
    spec.requiresRepublish ?? false,
    modes || '<none>',
    ageCell(obj, ctx.now),
  ];
}

export const csiDriverResource: ResourceDef = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'CSIDriver',
  plural: 'csidrivers',
  singular: 'csidriver',
  namespaced: false,
  schemaName: 'io.k8s.api.storage.v1.CSIDriver',
  defaults,
  prepareForCreate(obj) {
    // CSIDrivers carry no generation in Kubernetes.
    if (obj.metadata) delete obj.metadata.generation;
  },
  validate: (obj) => [...validateCoreObjectMeta(obj, META), ...validateSpec(obj.spec)],
  validateUpdate,
  printer: { columns, row },
};
