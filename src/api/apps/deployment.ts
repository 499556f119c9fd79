// Deployment (apps/v1): defaults (replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10,
// progressDeadlineSeconds 600, pod template defaults), validation with Kubernetes' messages
// (selector, pod template, strategy, progress deadline), the apps/v1 selector immutability,
// status validation, the generation bump on annotation changes that Kubernetes' strategy adds,
// the scale subresource and the kubectl table (NAME, READY, UP-TO-DATE, AVAILABLE, AGE; wide
// CONTAINERS, IMAGES, SELECTOR).
// Deliberately absent: rollouts and rollbacks (the deployment controller).

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, notSupported, required } from '../errors.js';
import type { KObject, ResourceDef, TableCell, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate } from '../core/field-validators.js';
import { semanticEqual } from '../core/semantic-equal.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { labelSelectorString, workloadScale } from './selector-string.js';
import { CONTAINERS_COLUMN, IMAGES_COLUMN, containerCells } from './workload-printers.js';
import {
  defaultPodTemplate,
  intOrPercentValue,
  nonnegative,
  notMoreThan100Percent,
  validateCollisionCount,
  validateIntOrPercent,
  validateReplicaCounters,
  validateSelectorAndTemplateLabels,
  validateSelectorImmutable,
  validateWorkloadPodTemplate,
} from './workload-validation.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };

function defaults(obj: KObject): void {
  const spec = (obj.spec ??= {});
  if (spec.replicas == null) spec.replicas = 1;
  spec.strategy ??= {};
  if (!spec.strategy.type) spec.strategy.type = 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds == null) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(spec);
}

function validateStrategy(strategy: any): FieldError[] {
  const path = 'spec.strategy';
  switch (strategy?.type) {
    case 'Recreate':
      return strategy.rollingUpdate != null ? [forbiddenField(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = strategy.rollingUpdate;
      if (ru == null) return [required(`${path}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const p = `${path}.rollingUpdate`;
      const errs = [...validateIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...validateIntOrPercent(ru.maxSurge, `${p}.maxSurge`)];
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...notMoreThan100Percent(ru.maxUnavailable, `${p}.maxUnavailable`));
      return errs;
    }
    default:
      return [notSupported(path, strategy ?? null, ['Recreate', 'RollingUpdate'])];
  }
}

function validateSpec(spec: any): FieldError[] {
  const errs = [
    ...nonnegative(spec?.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplateLabels(spec, { noun: 'deployment', unparseable: 'invalid label selector' }),
    ...validateWorkloadPodTemplate(spec?.template, 'ReplicaSet'),
    ...validateStrategy(spec?.strategy),
    ...nonnegative(spec?.minReadySeconds, 'spec.minReadySeconds'),
    ...nonnegative(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ];
  const deadline = spec?.progressDeadlineSeconds;
  if (typeof deadline === 'number') {
    errs.push(...nonnegative(deadline, 'spec.progressDeadlineSeconds'));
    if (deadline <= (spec?.minReadySeconds ?? 0)) errs.push(invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  }
  return errs;
}

function validateStatusUpdate(obj: KObject, old: KObject): FieldError[] {
  return [
    ...validateCoreObjectMetaUpdate(obj, old, META),
    ...nonnegative(obj.status?.unavailableReplicas, 'status.unavailableReplicas'),
    ...validateReplicaCounters(obj.status, { counters: ['updatedReplicas', 'readyReplicas', 'availableReplicas'], readyWord: 'readyReplicas' }),
    ...validateCollisionCount(obj, old),
  ];
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  column('Ready', 'string', 'Number of the pod with ready state'),
  column('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
  column('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  column('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
];

function row(obj: KObject, ctx: { now: number }): TableCell[] {
  const status = obj.status ?? {};
  return [
    obj.metadata?.name ?? '',
    `${status.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`,
    status.updatedReplicas ?? 0,
    status.availableReplicas ?? 0,
    ageCell(obj, ctx.now),
    ...containerCells(obj),
    labelSelectorString(obj.spec?.selector) ?? '<invalid>',
  ];
}

export const deploymentResource: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  schemaName: 'io.k8s.api.apps.v1.Deployment',
  hasStatus: true,
  scale: workloadScale,
  defaults,
  prepareForCreate(obj) {
    obj.status = {};
  },
  prepareForUpdate(obj, old) {
    // Annotations are copied onto ReplicaSets, so changing them is a new generation too.
    if (!semanticEqual(obj.metadata?.annotations, old.metadata?.annotations) && old.metadata?.generation !== undefined) {
      obj.metadata!.generation = old.metadata.generation + 1;
    }
  },
  prepareForStatusUpdate(obj, old) {
    // deploymentStatusStrategy: labels stay; annotations (the controller's revision) go through.
    if (old.metadata?.labels) obj.metadata!.labels = old.metadata.labels;
    else delete obj.metadata!.labels;
  },
  validate: (obj) => [...validateCoreObjectMeta(obj, META), ...validateSpec(obj.spec)],
  validateUpdate: (obj, old) => [...validateCoreObjectMetaUpdate(obj, old, META), ...validateSpec(obj.spec), ...validateSelectorImmutable(obj, old)],
  validateStatusUpdate,
  printer: { columns, row },
};
