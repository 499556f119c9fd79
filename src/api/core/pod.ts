// core/v1 Pod: discovery facts, defaulting (PodSpec + the Pod-only defaults), the registry strategy of
// pkg/registry/core/pod (status reset to Pending with the computed QoS class on create, status kept on
// update, the SchedulingGated condition), ValidatePodCreate / ValidatePodUpdate /
// ValidatePodStatusUpdate, field selectors and the table printer.
// Deliberately absent: the exec/log/binding/eviction handlers (the apiserver serves them) and
// ephemeral-container and resize subresources.

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid } from '../errors.js';
import type { KObject, ResourceDef } from '../resource.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../validation/names.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate, validateDNS1123Subdomain, validateIP, validateImmutable } from './field-validators.js';
import { defaultPodSpec, validatePodSpec } from './pod-spec.js';
import { podPrinter } from './pod-status-printer.js';
import { validatePodSpecUpdate } from './pod-update-validation.js';
import { computePodQOS } from './qos.js';
import { syncPodStatusIPs } from './singular-plural.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };

/** Checks only a Pod (not a template) gets: projected tokens need a service account. */
function podOnlyErrors(pod: KObject): FieldError[] {
  const errs: FieldError[] = [];
  if (pod.spec?.serviceAccountName) return errs;
  (pod.spec?.volumes ?? []).forEach((v: any, vi: number) =>
    (v?.projected?.sources ?? []).forEach((s: any, si: number) => {
      if (s?.serviceAccountToken) {
        errs.push(forbiddenField(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
      }
    }),
  );
  return errs;
}

function validatePodStatus(pod: KObject, old: KObject): FieldError[] {
  const status = pod.status ?? {};
  const errs: FieldError[] = [];
  if (status.nominatedNodeName && status.nominatedNodeName !== old.status?.nominatedNodeName) {
    errs.push(...validateDNS1123Subdomain(status.nominatedNodeName, 'status.nominatedNodeName'));
  }
  // The kubelet may omit qosClass; Kubernetes backfills it, so only a different value is refused.
  if (status.qosClass) errs.push(...validateImmutable('status.qosClass', { next: status.qosClass, old: old.status?.qosClass }));
  (status.podIPs ?? []).forEach((ip: any, i: number) => errs.push(...validateIP(ip?.ip ?? '', `status.podIPs[${i}]`)));
  (status.conditions ?? []).forEach((c: any, i: number) => {
    if (['PodScheduled', 'Ready', 'Initialized'].includes(c?.type)) return;
    errs.push(...isQualifiedName(c?.type ?? '').map((m) => invalid(`metadata.conditions[${i}].Type`, c?.type ?? '', m)));
  });
  if (old.spec?.restartPolicy !== 'Always') {
    (old.status?.containerStatuses ?? []).forEach((o: any, i: number) => {
      const t = o?.state?.terminated;
      if (!t || (t.exitCode !== 0 && old.spec?.restartPolicy === 'OnFailure')) return;
      const now = (status.containerStatuses ?? []).find((n: any) => n?.name === o.name);
      if (now && !now.state?.terminated) errs.push(forbiddenField(`status.containerStatuses[${i}].state`, 'may not be transitioned to non-terminated state'));
    });
  }
  return errs;
}

/**
 * Grace period of a pod deletion (pod strategy CheckGracefulDelete): the requested one or the pod's
 * terminationGracePeriodSeconds (default 30); unscheduled and finished pods go at once.
 */
export function podGracePeriod(pod: KObject, requested: number | undefined): number {
  let g = requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  if (g < 0) g = 1;
  if (!pod.spec?.nodeName) return 0;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
  return g;
}

export const podResource: ResourceDef = {
  deletion: { gracePeriod: podGracePeriod, returnsObject: true },
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  schemaName: 'io.k8s.api.core.v1.Pod',
  hasStatus: true,
  extraSubresources: [
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
  ],

  defaults(pod) {
    pod.spec ??= {};
    defaultPodSpec(pod.spec, { pod: true });
  },

  prepareForCreate(pod) {
    // Pods carry no metadata.generation in Kubernetes 1.32.
    if (pod.metadata) delete pod.metadata.generation;
    pod.status = { phase: 'Pending', qosClass: computePodQOS(pod) };
    if (pod.spec?.schedulingGates?.length) {
      pod.status.conditions = [
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: null,
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
        },
      ];
    }
  },

  prepareForUpdate(pod, old) {
    if (old.status === undefined) delete pod.status;
    else pod.status = structuredClone(old.status);
  },

  prepareForStatusUpdate(pod, old) {
    // podStatusStrategy: the status endpoint never touches owner references (old kubelets broke them).
    if (old.metadata?.ownerReferences) pod.metadata!.ownerReferences = old.metadata.ownerReferences;
    else delete pod.metadata!.ownerReferences;
    syncPodStatusIPs(pod.status);
  },

  validate(pod) {
    const errs = [...validateCoreObjectMeta(pod, META), ...validatePodSpec(pod.spec, 'spec', { isPod: true }), ...podOnlyErrors(pod)];
    if (pod.spec?.ephemeralContainers?.length) errs.push(forbiddenField('spec.ephemeralContainers', 'cannot be set on create'));
    if (pod.spec?.nodeName && pod.spec?.schedulingGates?.length) {
      errs.push(forbiddenField('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
    }
    return errs;
  },

  validateUpdate(pod, old) {
    return [
      ...validateCoreObjectMetaUpdate(pod, old, META),
      ...validatePodSpec(pod.spec, 'spec', { isPod: true }),
      ...podOnlyErrors(pod),
      ...validatePodSpecUpdate(pod.spec, old.spec),
    ];
  },

  validateStatusUpdate(pod, old) {
    return [...validateCoreObjectMetaUpdate(pod, old, META), ...validatePodStatus(pod, old)];
  },

  fieldSelectors: {
    'spec.nodeName': (p) => p.spec?.nodeName ?? '',
    'spec.restartPolicy': (p) => p.spec?.restartPolicy ?? '',
    'spec.schedulerName': (p) => p.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (p) => String(p.spec?.hostNetwork === true),
    'status.phase': (p) => p.status?.phase ?? '',
    'status.podIP': (p) => p.status?.podIPs?.[0]?.ip ?? p.status?.podIP ?? '',
    'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
  },

  printer: podPrinter,
};
