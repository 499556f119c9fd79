// core/v1 Namespace: cluster-scoped, DNS-1123 label names, status subresource. Defaulting (the
// kubernetes.io/metadata.name label), the pkg/registry/core/namespace strategy (phase Active and the
// "kubernetes" spec finalizer on create; spec.finalizers and status kept on main-resource updates),
// ValidateNamespace / ValidateNamespaceUpdate / ValidateNamespaceStatusUpdate, the status.phase field
// selector and the NAME / STATUS / AGE table.
// Deliberately absent: the delete flow (Terminating phase, waiting for spec.finalizers) and the
// finalize subresource handler; both belong to the apiserver.

import type { FieldError } from '../errors.js';
import { invalid } from '../errors.js';
import type { KObject, Printer, ResourceDef } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { isQualifiedName, nameIsDNSLabel } from '../validation/names.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate, validateKubeFinalizerName } from './field-validators.js';

const META = { namespaced: false, nameValidator: nameIsDNSLabel };
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

function validateSpecFinalizers(ns: KObject): FieldError[] {
  // Kubernetes reports every spec finalizer at the list path, without an index.
  const path = 'spec.finalizers';
  return (ns.spec?.finalizers ?? []).flatMap((f: string) => [
    ...isQualifiedName(f).map((m) => invalid(path, f, m)),
    ...validateKubeFinalizerName(f, path),
  ]);
}

function validateStatusUpdate(ns: KObject, old: KObject): FieldError[] {
  const errs = validateCoreObjectMetaUpdate(ns, old, META);
  const phase = ns.status?.phase ?? '';
  if (!ns.metadata?.deletionTimestamp) {
    if (phase !== 'Active') errs.push(invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  row: (ns, ctx) => [ns.metadata?.name ?? '', ns.status?.phase ?? '', ageCell(ns, ctx.now)],
};

export const namespaceResource: ResourceDef = {
  // A namespace stays Terminating until the namespace controller has emptied it and removed the
  // `kubernetes` entry of spec.finalizers through namespaces/<name>/finalize.
  deletion: {
    markTerminating: (ns) => {
      ns.status = { ...ns.status, phase: 'Terminating' };
    },
    held: (ns) => !!ns.spec?.finalizers?.length,
  },
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  schemaName: 'io.k8s.api.core.v1.Namespace',
  hasStatus: true,
  extraSubresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],

  defaults(ns) {
    const name = ns.metadata?.name;
    if (name) ns.metadata!.labels = { ...ns.metadata!.labels, [NAMESPACE_NAME_LABEL]: name };
    if (ns.status && !ns.status.phase) ns.status.phase = 'Active';
  },

  prepareForCreate(ns) {
    if (ns.metadata) delete ns.metadata.generation;
    ns.status = { phase: 'Active' };
    const finalizers: string[] = ns.spec?.finalizers ?? [];
    if (!finalizers.includes('kubernetes')) ns.spec = { ...ns.spec, finalizers: [...finalizers, 'kubernetes'] };
  },

  prepareForUpdate(ns, old) {
    // spec.finalizers change only through the finalize subresource.
    if (old.spec?.finalizers === undefined) {
      if (ns.spec) delete ns.spec.finalizers;
    } else {
      ns.spec = { ...ns.spec, finalizers: [...old.spec.finalizers] };
    }
    if (ns.spec && Object.keys(ns.spec).length === 0 && old.spec === undefined) delete ns.spec;
    if (old.status === undefined) delete ns.status;
    else ns.status = structuredClone(old.status);
  },

  validate: (ns) => [...validateCoreObjectMeta(ns, META), ...validateSpecFinalizers(ns)],
  validateUpdate: (ns, old) => validateCoreObjectMetaUpdate(ns, old, META),
  validateStatusUpdate,

  fieldSelectors: {
    'status.phase': (ns) => ns.status?.phase ?? '',
    // Kubernetes keeps this one for backward compatibility.
    name: (ns) => ns.metadata?.name ?? '',
  },

  printer: namespacePrinter,
};
