// StorageClass (storage.k8s.io/v1, cluster-scoped, no spec): defaults (reclaimPolicy Delete,
// volumeBindingMode Immediate), validation with Kubernetes' messages (provisioner, at most 512
// parameters of at most 256 KiB, reclaim policy, binding mode, allowedTopologies), the update rules
// (parameters, provisioner and reclaimPolicy "updates ... are forbidden.", volumeBindingMode
// immutable) and the kubectl table with `name (default)` for the default class.
// Deliberately absent: choosing the default class for claims (admission) and provisioning.

import type { FieldError } from '../errors.js';
import { duplicate, forbiddenField, invalid, notSupported, required, tooLong } from '../errors.js';
import type { KObject, ResourceDef, TableCell, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { FIELD_IMMUTABLE, validateCoreObjectMeta, validateCoreObjectMetaUpdate } from '../core/field-validators.js';
import { semanticEqual } from '../core/semantic-equal.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../validation/names.js';

const META = { namespaced: false, nameValidator: nameIsDNSSubdomain };
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;
const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];

export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const BETA_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';

/** storageutil.IsDefaultAnnotation: either annotation set to "true". */
export function isDefaultStorageClass(obj: KObject): boolean {
  const a = obj.metadata?.annotations ?? {};
  return a[DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** GetDefaultClass: of the classes marked default, the newest wins (ties: the first name). */
export function pickDefaultStorageClass<T extends KObject>(classes: Iterable<T>): T | undefined {
  let best: T | undefined;
  for (const c of classes) {
    if (!isDefaultStorageClass(c)) continue;
    if (!best) {
      best = c;
      continue;
    }
    const a = Date.parse(c.metadata?.creationTimestamp ?? '') || 0;
    const b = Date.parse(best.metadata?.creationTimestamp ?? '') || 0;
    if (a > b || (a === b && (c.metadata?.name ?? '') < (best.metadata?.name ?? ''))) best = c;
  }
  return best;
}

function validateParameters(params: Record<string, unknown> | undefined): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > MAX_PARAMETERS) return [tooLong('parameters', MAX_PARAMETERS)];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(invalid('parameters', k, 'field can not be empty.'));
    size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v ?? ''));
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(tooLong('parameters', MAX_PARAMETERS_SIZE));
  return errs;
}

/** ValidateTopologySelectorTerm for each term, plus duplicate terms. */
function validateAllowedTopologies(terms: any[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seen: Record<string, string[]>[] = [];
  (terms ?? []).forEach((term, i) => {
    const exprPath = `allowedTopologies[${i}].matchLabelExpressions`;
    const exprMap: Record<string, string[]> = {};
    (term?.matchLabelExpressions ?? []).forEach((req: any, j: number) => {
      const p = `${exprPath}[${j}]`;
      const values: string[] = req?.values ?? [];
      if (values.length === 0) errs.push(required(`${p}.values`));
      values.forEach((v, k) => {
        if (values.indexOf(v) !== k) errs.push(duplicate(`${p}.values[${k}]`, v));
      });
      const key = typeof req?.key === 'string' ? req.key : '';
      for (const m of isQualifiedName(key)) errs.push(invalid(`${p}.key`, key, m));
      if (key in exprMap) errs.push(duplicate(`${p}.key`, key));
      exprMap[key] = [...new Set(values)].sort();
    });
    if (seen.some((s) => semanticEqual(s, exprMap))) errs.push(duplicate(exprPath, ''));
    seen.push(exprMap);
  });
  return errs;
}

function validateFields(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = obj.provisioner;
  if (!provisioner) errs.push(required('provisioner'));
  else for (const m of isQualifiedName(String(provisioner).toLowerCase())) errs.push(invalid('provisioner', provisioner, m));
  errs.push(...validateParameters(obj.parameters));
  if (obj.reclaimPolicy && !RECLAIM_POLICIES.includes(obj.reclaimPolicy)) {
    errs.push(notSupported('reclaimPolicy', obj.reclaimPolicy, RECLAIM_POLICIES));
  }
  if (obj.volumeBindingMode == null) errs.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(obj.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', obj.volumeBindingMode, BINDING_MODES));
  errs.push(...validateAllowedTopologies(obj.allowedTopologies));
  return errs;
}

function validateUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs = [...validateCoreObjectMetaUpdate(obj, old, META), ...validateFields(obj)];
  if (!semanticEqual(obj.parameters, old.parameters)) errs.push(forbiddenField('parameters', 'updates to parameters are forbidden.'));
  if (obj.provisioner !== old.provisioner) errs.push(forbiddenField('provisioner', 'updates to provisioner are forbidden.'));
  if ((obj.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) errs.push(forbiddenField('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if ((obj.volumeBindingMode ?? null) !== (old.volumeBindingMode ?? null)) {
    errs.push(invalid('volumeBindingMode', obj.volumeBindingMode ?? null, FIELD_IMMUTABLE));
  }
  return errs;
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  column('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
  column('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
  column('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.  When unset, VolumeBindingImmediate is used. This field is only honored by servers that enable the VolumeScheduling feature.'),
  column('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
  AGE_COLUMN,
];

function row(obj: KObject, ctx: { now: number }): TableCell[] {
  const name = obj.metadata?.name ?? '';
  return [
    isDefaultStorageClass(obj) ? `${name} (default)` : name,
    obj.provisioner ?? '',
    obj.reclaimPolicy ?? 'Delete',
    obj.volumeBindingMode ?? 'Immediate',
    obj.allowVolumeExpansion === true,
    ageCell(obj, ctx.now),
  ];
}

export const storageClassResource: ResourceDef = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'StorageClass',
  plural: 'storageclasses',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  schemaName: 'io.k8s.api.storage.v1.StorageClass',
  defaults(obj) {
    if (!obj.reclaimPolicy) obj.reclaimPolicy = 'Delete';
    if (!obj.volumeBindingMode) obj.volumeBindingMode = 'Immediate';
  },
  validate: (obj) => [...validateCoreObjectMeta(obj, META), ...validateFields(obj)],
  validateUpdate,
  printer: { columns, row },
};
