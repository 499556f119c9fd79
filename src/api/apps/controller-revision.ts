// ControllerRevision (apps/v1, namespaced, no spec): validation (data is mandatory, revision not
// negative, data immutable) and the kubectl table (NAME, CONTROLLER as `statefulset.apps/web`,
// REVISION, AGE). The revision number stays mutable, as in Kubernetes: the StatefulSet controller
// renumbers an existing revision when a rollback reuses it.
// Deliberately absent: the size limit Kubernetes mentions but does not enforce, and hashing.

import type { FieldError } from '../errors.js';
import { required } from '../errors.js';
import type { KObject, ResourceDef, TableCell, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate, validateSemanticImmutable } from '../core/field-validators.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { nonnegative } from './workload-validation.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };

function validateFields(obj: KObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.data === undefined || obj.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonnegative(obj.revision, 'revision'));
  return errs;
}

/** `kind.group/name` of the controlling owner, lower-cased, or `<none>`. */
function controllerCell(obj: KObject): string {
  const ref = (obj.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
  if (!ref) return '<none>';
  const apiVersion: string = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const kind = group ? `${ref.kind ?? ''}.${group}` : (ref.kind ?? '');
  return kind ? `${kind.toLowerCase()}/${ref.name ?? ''}` : (ref.name ?? '');
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  column('Controller', 'string', 'Controller of the object'),
  column('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
  AGE_COLUMN,
];

function row(obj: KObject, ctx: { now: number }): TableCell[] {
  return [obj.metadata?.name ?? '', controllerCell(obj), obj.revision ?? 0, ageCell(obj, ctx.now)];
}

export const controllerRevisionResource: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  namespaced: true,
  schemaName: 'io.k8s.api.apps.v1.ControllerRevision',
  validate: (obj) => [...validateCoreObjectMeta(obj, META), ...validateFields(obj)],
  validateUpdate: (obj, old) => [
    ...validateCoreObjectMetaUpdate(obj, old, META),
    ...validateFields(obj),
    ...validateSemanticImmutable('data', { next: obj.data, old: old.data }),
  ],
  printer: { columns, row },
};
