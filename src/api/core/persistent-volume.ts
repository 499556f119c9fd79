// PersistentVolume (core/v1, cluster-scoped): defaulting (reclaim policy Retain, volumeMode
// Filesystem, phase Pending, the per-source defaults of rbd/iscsi/azureDisk/scaleIO/hostPath),
// strategy (status reset on create, VolumeAttributesClass dropped while its gate is off),
// validation with immutability, the legacy `name` field selector and the kubectl table.
// A /status write that changes the phase stamps status.lastPhaseTransitionTime (1.32's
// PersistentVolumeLastPhaseTransitionTime) unless the writer set a new time itself.
// Deliberately absent: binding and phase changes (the PV controller).

import type { FieldError } from '../errors.js';
import type { KObject, ResourceDef, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate } from './field-validators.js';
import { validatePersistentVolumeSpec, validatePersistentVolumeUpdate } from './pv-validation.js';
import { defaultPersistentVolumeSources, setDefaults } from './pv-defaults.js';
import { accessModesAsString, quantityCell, storageClassOf } from './volume-printing.js';

const META = { namespaced: false, nameValidator: nameIsDNSSubdomain };

/** metav1.Time has whole seconds. */
function rfc3339(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

function defaults(obj: KObject): void {
  obj.spec ??= {};
  setDefaults(obj.spec, { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' });
  defaultPersistentVolumeSources(obj.spec);
  obj.status ??= {};
  setDefaults(obj.status, { phase: 'Pending' });
}

function validateSpec(obj: KObject): FieldError[] {
  return validatePersistentVolumeSpec(obj.spec, 'spec', { pvName: obj.metadata?.name ?? '' });
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  column('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#capacity"),
  column('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes'),
  column('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated). Recycle must be supported by the volume plugin underlying this PersistentVolume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#reclaiming'),
  column('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#phase'),
  column('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound. claim.VolumeName is the authoritative bind between PV and PVC. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#binding'),
  column('StorageClass', 'string', 'StorageClass of the pv'),
  column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
  column('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
  AGE_COLUMN,
  column('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.', 1),
];

function row(obj: KObject, ctx: { now: number }): (string | number | boolean | null)[] {
  const spec = obj.spec ?? {};
  const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
  const phase = obj.metadata?.deletionTimestamp ? 'Terminating' : (obj.status?.phase ?? '');
  return [
    obj.metadata?.name ?? '',
    quantityCell(spec.capacity, 'storage'),
    accessModesAsString(spec.accessModes),
    spec.persistentVolumeReclaimPolicy ?? '',
    phase,
    claim,
    storageClassOf(obj),
    spec.volumeAttributesClassName ?? '<unset>',
    obj.status?.reason ?? '',
    ageCell(obj, ctx.now),
    spec.volumeMode ?? '<unset>',
  ];
}

export const persistentVolumeResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  schemaName: 'io.k8s.api.core.v1.PersistentVolume',
  hasStatus: true,
  defaults,
  prepareForCreate(obj, ctx) {
    obj.status = { phase: 'Pending', lastPhaseTransitionTime: rfc3339(ctx.now) };
    if (obj.spec) delete obj.spec.volumeAttributesClassName;
    // PersistentVolumes carry no metadata.generation in Kubernetes.
    if (obj.metadata) delete obj.metadata.generation;
  },
  prepareForUpdate(obj, old) {
    if (obj.spec && old.spec?.volumeAttributesClassName == null) delete obj.spec.volumeAttributesClassName;
  },
  prepareForStatusUpdate(obj, old, ctx) {
    const status = (obj.status ??= {});
    const before = old.status ?? {};
    if (before.phase === status.phase) {
      status.lastPhaseTransitionTime ??= before.lastPhaseTransitionTime;
    } else if (status.lastPhaseTransitionTime == null || status.lastPhaseTransitionTime === before.lastPhaseTransitionTime) {
      status.lastPhaseTransitionTime = rfc3339(ctx.now);
    }
    if (status.lastPhaseTransitionTime == null) delete status.lastPhaseTransitionTime;
  },
  validate: (obj) => [...validateCoreObjectMeta(obj, META), ...validateSpec(obj)],
  validateUpdate: (obj, old) => [
    ...validateCoreObjectMetaUpdate(obj, old, META),
    ...validateSpec(obj),
    ...validatePersistentVolumeUpdate(obj.spec, old.spec),
  ],
  validateStatusUpdate(obj, old) {
    return validateCoreObjectMetaUpdate(obj, old, META);
  },
  // Kept for compatibility, as Kubernetes does ("This is a bug, but we need to support it").
  fieldSelectors: { name: (o) => o.metadata?.name ?? '' },
  printer: { columns, row },
};
