// ReplicaSet (apps/v1): defaults (replicas 1, pod template defaults), validation with Kubernetes'
// messages (selector required, non-empty and matching the template, the pod template as a
// workload template), the apps/v1 selector immutability, status validation, the `status.replicas`
// field selector, the scale subresource and the kubectl table (NAME, DESIRED, CURRENT, READY, AGE;
// wide CONTAINERS, IMAGES, SELECTOR).
// Deliberately absent: creating and deleting pods (the replicaset controller).

import type { FieldError } from '../errors.js';
import type { KObject, ResourceDef, TableCell, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate } from '../core/field-validators.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { formatLabelSelector, workloadScale } from './selector-string.js';
import { CONTAINERS_COLUMN, IMAGES_COLUMN, containerCells } from './workload-printers.js';
import {
  defaultPodTemplate,
  nonnegative,
  validateReplicaCounters,
  validateSelectorAndTemplateLabels,
  validateSelectorImmutable,
  validateWorkloadPodTemplate,
} from './workload-validation.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };

function validateSpec(spec: any): FieldError[] {
  return [
    ...nonnegative(spec?.replicas, 'spec.replicas'),
    ...nonnegative(spec?.minReadySeconds, 'spec.minReadySeconds'),
    // "deployment" is what Kubernetes says for ReplicaSets too.
    ...validateSelectorAndTemplateLabels(spec, { noun: 'deployment', unparseable: 'invalid label selector' }),
    ...validateWorkloadPodTemplate(spec?.template, 'ReplicaSet'),
  ];
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  column('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
  column('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
  column('Ready', 'integer', 'The number of ready replicas for this replica set.'),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  column('Selector', 'string', 'Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', 1),
];

function row(obj: KObject, ctx: { now: number }): TableCell[] {
  return [
    obj.metadata?.name ?? '',
    obj.spec?.replicas ?? 0,
    obj.status?.replicas ?? 0,
    obj.status?.readyReplicas ?? 0,
    ageCell(obj, ctx.now),
    ...containerCells(obj),
    formatLabelSelector(obj.spec?.selector),
  ];
}

export const replicaSetResource: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'ReplicaSet',
  plural: 'replicasets',
  singular: 'replicaset',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  schemaName: 'io.k8s.api.apps.v1.ReplicaSet',
  hasStatus: true,
  scale: workloadScale,
  defaults(obj) {
    const spec = (obj.spec ??= {});
    if (spec.replicas == null) spec.replicas = 1;
    defaultPodTemplate(spec);
  },
  prepareForCreate(obj) {
    obj.status = { replicas: 0 };
  },
  validate: (obj) => [...validateCoreObjectMeta(obj, META), ...validateSpec(obj.spec)],
  validateUpdate: (obj, old) => [...validateCoreObjectMetaUpdate(obj, old, META), ...validateSpec(obj.spec), ...validateSelectorImmutable(obj, old)],
  validateStatusUpdate: (obj, old) => [
    ...validateCoreObjectMetaUpdate(obj, old, META),
    ...validateReplicaCounters(obj.status, { counters: ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'], readyWord: 'readyReplicas' }),
  ],
  fieldSelectors: { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
  printer: { columns, row },
};
