// StatefulSet (apps/v1): defaults (replicas 1, OrderedReady, RollingUpdate with partition 0,
// revisionHistoryLimit 10, PVC retention Retain/Retain, pod template and claim template defaults),
// validation with Kubernetes' messages, the update rule (only replicas, ordinals, template,
// updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds may change), status
// validation, the scale subresource and the kubectl table (NAME, READY, AGE; wide CONTAINERS, IMAGES).
// Stricter than Kubernetes, on purpose: the pod template is validated like a Deployment's (with
// each claim template standing in as a PVC volume, as the controller will mount it) and so are the
// claim templates, so a StatefulSet whose pods or claims could never be created is refused up front.
// rollingUpdate.maxUnavailable is served and honoured (Kubernetes 1.32 drops it behind the alpha
// MaxUnavailableStatefulSet gate; berth behaves as with the gate on, without defaulting it, so an
// unset field still means 1). Deliberately absent: serviceName checks (Kubernetes has none). Generation bumps are the registry's.

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, notSupported, required } from '../errors.js';
import type { KObject, ResourceDef, TableCell, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate } from '../core/field-validators.js';
import { validatePersistentVolumeClaimSpec } from '../core/pvc-validation.js';
import { normalizeResourceList, semanticEqual } from '../core/semantic-equal.js';
import { validateLabelMap } from '../validation/label-selector.js';
import { validateAnnotations } from '../validation/meta.js';
import { nameIsDNSLabel } from '../validation/names.js';
import { workloadScale } from './selector-string.js';
import { CONTAINERS_COLUMN, IMAGES_COLUMN, containerCells } from './workload-printers.js';
import {
  defaultPodTemplate,
  intOrPercentValue,
  notMoreThan100Percent,
  validateIntOrPercent,
  nonnegative,
  validateCollisionCount,
  validateReplicaCounters,
  validateSelectorAndTemplateLabels,
  validateWorkloadPodTemplate,
} from './workload-validation.js';

const META = { namespaced: true, nameValidator: nameIsDNSLabel };

export const STATEFULSET_SPEC_FORBIDDEN =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

function defaults(obj: KObject): void {
  const spec = (obj.spec ??= {});
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) {
    spec.updateStrategy.type = 'RollingUpdate';
    spec.updateStrategy.rollingUpdate ??= {};
  }
  const ru = spec.updateStrategy.rollingUpdate;
  if (spec.updateStrategy.type === 'RollingUpdate' && ru && typeof ru === 'object' && ru.partition == null) ru.partition = 0;
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  if (spec.replicas == null) spec.replicas = 1;
  if (spec.revisionHistoryLimit == null) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(spec);
  // Unlike Kubernetes, claim templates are stored as written: defaulting them (volumeMode,
  // status.phase) made every second `kubectl apply` of an unchanged StatefulSet report
  // "configured", since the list is atomic. Claims made from a template are defaulted on creation.
}

function validateUpdateStrategy(strategy: any): FieldError[] {
  const path = 'spec.updateStrategy';
  switch (strategy?.type ?? '') {
    case '':
      return [required(path)];
    case 'OnDelete':
      return strategy.rollingUpdate != null ? [invalid(`${path}.rollingUpdate`, strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      const errs = nonnegative(strategy.rollingUpdate?.partition, `${path}.rollingUpdate.partition`);
      const mu = strategy.rollingUpdate?.maxUnavailable;
      if (mu != null) {
        const p = `${path}.rollingUpdate.maxUnavailable`;
        errs.push(...validateIntOrPercent(mu, p));
        if (intOrPercentValue(mu) === 0) errs.push(invalid(p, mu, 'cannot be 0'));
        errs.push(...notMoreThan100Percent(mu, p));
      }
      return errs;
    }
    default:
      return [invalid(path, strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

/** Claim templates: named, with valid labels, annotations and PVC spec. */
function validateClaimTemplates(templates: unknown): FieldError[] {
  const errs: FieldError[] = [];
  (Array.isArray(templates) ? templates : []).forEach((t: any, i: number) => {
    const p = `spec.volumeClaimTemplates[${i}]`;
    if (!t?.metadata?.name) errs.push(required(`${p}.metadata.name`));
    errs.push(...validateLabelMap(t?.metadata?.labels, `${p}.metadata.labels`));
    errs.push(...validateAnnotations(t?.metadata?.annotations, `${p}.metadata.annotations`));
    errs.push(...validatePersistentVolumeClaimSpec(t?.spec, `${p}.spec`));
  });
  return errs;
}

/** The pod template as the controller will stamp it: each claim template mounted as a PVC volume. */
function templateWithClaims(spec: any): any {
  const template = structuredClone(spec?.template ?? {});
  const names: string[] = (spec?.volumeClaimTemplates ?? []).map((t: any) => t?.metadata?.name).filter((n: unknown) => typeof n === 'string' && n);
  if (names.length === 0) return template;
  template.spec ??= {};
  const volumes = (template.spec.volumes ?? []).filter((v: any) => !names.includes(v?.name));
  for (const name of names) volumes.push({ name, persistentVolumeClaim: { claimName: name } });
  template.spec.volumes = volumes;
  return template;
}

function validateSpec(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  switch (spec?.podManagementPolicy ?? '') {
    case '':
      errs.push(required('spec.podManagementPolicy'));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      errs.push(invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateUpdateStrategy(spec?.updateStrategy));
  const policy = spec?.persistentVolumeClaimRetentionPolicy;
  for (const k of ['whenDeleted', 'whenScaled']) {
    if (policy && !['Retain', 'Delete'].includes(policy[k] ?? '')) {
      errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, policy[k] ?? '', ['Retain', 'Delete']));
    }
  }
  errs.push(...nonnegative(spec?.replicas, 'spec.replicas'));
  errs.push(...nonnegative(spec?.minReadySeconds, 'spec.minReadySeconds'));
  if (spec?.ordinals) errs.push(...nonnegative(spec.ordinals.start, 'spec.ordinals.start'));
  errs.push(...validateSelectorAndTemplateLabels(spec, { noun: 'statefulset', unparseable: '' }));
  errs.push(...validateWorkloadPodTemplate(templateWithClaims(spec), 'StatefulSet'));
  errs.push(...validateClaimTemplates(spec?.volumeClaimTemplates));
  return errs;
}

/** The spec minus what an update may change, with quantities compared by value. */
function frozenPart(spec: any): any {
  const out = structuredClone(spec ?? {});
  for (const k of ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy', 'revisionHistoryLimit']) delete out[k];
  for (const t of Array.isArray(out.volumeClaimTemplates) ? out.volumeClaimTemplates : []) {
    if (t?.spec?.resources) {
      t.spec.resources.requests = normalizeResourceList(t.spec.resources.requests);
      t.spec.resources.limits = normalizeResourceList(t.spec.resources.limits);
    }
  }
  return out;
}

function validateUpdate(obj: KObject, old: KObject): FieldError[] {
  const errs = [...validateCoreObjectMetaUpdate(obj, old, META), ...validateSpec(obj.spec)];
  if (!semanticEqual(frozenPart(obj.spec), frozenPart(old.spec))) errs.push(forbiddenField('spec', STATEFULSET_SPEC_FORBIDDEN));
  return errs;
}

function validateStatusUpdate(obj: KObject, old: KObject): FieldError[] {
  return [
    ...validateReplicaCounters(obj.status, { counters: ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'], readyWord: 'status.readyReplicas' }),
    ...validateCoreObjectMetaUpdate(obj, old, META),
    ...validateCollisionCount(obj, old),
  ];
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  column('Ready', 'string', 'Number of the pod with ready state'),
  AGE_COLUMN,
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
];

function row(obj: KObject, ctx: { now: number }): TableCell[] {
  return [
    obj.metadata?.name ?? '',
    `${obj.status?.readyReplicas ?? 0}/${obj.spec?.replicas ?? 0}`,
    ageCell(obj, ctx.now),
    ...containerCells(obj),
  ];
}

export const statefulSetResource: ResourceDef = {
  group: 'apps',
  version: 'v1',
  kind: 'StatefulSet',
  plural: 'statefulsets',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  schemaName: 'io.k8s.api.apps.v1.StatefulSet',
  hasStatus: true,
  scale: workloadScale,
  defaults,
  prepareForCreate(obj) {
    obj.status = { replicas: 0, availableReplicas: 0 };
  },
  validate: (obj) => [...validateCoreObjectMeta(obj, META), ...validateSpec(obj.spec)],
  validateUpdate,
  validateStatusUpdate,
  printer: { columns, row },
};
