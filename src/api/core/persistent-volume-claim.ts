// PersistentVolumeClaim (core/v1, namespaced): defaulting (volumeMode Filesystem, phase Pending),
// strategy (status reset on create, data sources mirrored, gated-off fields dropped), validation
// with the 1.32 immutability rules, the legacy `name` field selector and the kubectl table
// (CAPACITY and ACCESS MODES only once spec.volumeName is set; `Terminating` while deleting).
// Deliberately absent: the default StorageClass, the allowVolumeExpansion check and protection
// finalizers, which are admission (they read other objects), and binding (the PV controller).

import type { FieldError } from '../errors.js';
import { invalid, required } from '../errors.js';
import { parseQuantity, quantityToNumber } from '../quantity.js';
import type { KObject, ResourceDef, TableColumn, TableCell } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate } from './field-validators.js';
import { defaultPersistentVolumeClaim, dropDisabledClaimFields, normalizeDataSources } from './pvc-defaults.js';
import { validatePersistentVolumeClaimSpec, validatePersistentVolumeClaimUpdate } from './pvc-validation.js';
import { accessModesAsString, quantityCell, storageClassOf } from './volume-printing.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };

function validate(obj: KObject): FieldError[] {
  return [...validateCoreObjectMeta(obj, META), ...validatePersistentVolumeClaimSpec(obj.spec, 'spec')];
}

/** The parts of ValidatePersistentVolumeClaimStatusUpdate that matter without feature-gated fields. */
function validateStatusUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs = validateCoreObjectMetaUpdate(obj, old, META);
  if (!Array.isArray(obj.spec?.accessModes) || obj.spec.accessModes.length === 0) errs.push(required('Spec.accessModes'));
  for (const [name, value] of Object.entries<unknown>(obj.status?.capacity ?? {})) {
    const q = typeof value === 'string' || typeof value === 'number' ? parseQuantity(value) : null;
    if (q && q.unscaled < 0n) errs.push(invalid(`status.capacity[${name}]`, Math.trunc(quantityToNumber(q)), 'must be a valid resource quantity'));
  }
  return errs;
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  column('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
  column('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
  column('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
  column('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1'),
  column('StorageClass', 'string', 'StorageClass of the pvc'),
  column('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
  AGE_COLUMN,
  column('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.', 1),
];

function row(obj: KObject, ctx: { now: number }): TableCell[] {
  const spec = obj.spec ?? {};
  const bound = !!spec.volumeName;
  return [
    obj.metadata?.name ?? '',
    obj.metadata?.deletionTimestamp ? 'Terminating' : (obj.status?.phase ?? ''),
    spec.volumeName ?? '',
    bound ? quantityCell(obj.status?.capacity, 'storage') : '',
    bound ? accessModesAsString(obj.status?.accessModes) : '',
    storageClassOf(obj),
    spec.volumeAttributesClassName ?? '<unset>',
    ageCell(obj, ctx.now),
    spec.volumeMode ?? '<unset>',
  ];
}

export const persistentVolumeClaimResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  schemaName: 'io.k8s.api.core.v1.PersistentVolumeClaim',
  hasStatus: true,
  defaults: defaultPersistentVolumeClaim,
  prepareForCreate(obj) {
    obj.spec ??= {};
    obj.status = { phase: 'Pending' };
    dropDisabledClaimFields(obj.spec);
    normalizeDataSources(obj.spec);
    // PersistentVolumeClaims carry no metadata.generation in Kubernetes.
    if (obj.metadata) delete obj.metadata.generation;
  },
  prepareForUpdate(obj, old) {
    obj.spec ??= {};
    dropDisabledClaimFields(obj.spec, old.spec);
    normalizeDataSources(obj.spec);
  },
  validate,
  validateUpdate(obj, old) {
    return [...validateCoreObjectMetaUpdate(obj, old, META), ...validatePersistentVolumeClaimSpec(obj.spec, 'spec'), ...validatePersistentVolumeClaimUpdate(obj, old)];
  },
  validateStatusUpdate,
  // Kept for compatibility, as Kubernetes does ("This is a bug, but we need to support it").
  fieldSelectors: { name: (o) => o.metadata?.name ?? '' },
  printer: { columns, row },
};
