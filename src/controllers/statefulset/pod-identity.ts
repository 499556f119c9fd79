// A StatefulSet pod's identity and the pure rules about it (Kubernetes'
// pkg/controller/statefulset/stateful_set_utils.go): ordinals and names, the pod built from the
// template at a revision (newVersionedStatefulSetPod), the claims of its volumeClaimTemplates, and
// the pod states the update algorithm reads. No I/O; time comes in as an argument.
//
// Stricter than Kubernetes on purpose: an ordinal is the canonical decimal form only, so `web-00`
// is not mistaken for `web-0` (Kubernetes parses both as ordinal 0 and then fights over the slot).
// Deliberately absent: claim ownership for the retention policy (claim-retention.ts).

import type { KObject } from '../../api/resource.js';
import { newControllerRef } from '../util/owners.js';
import type { OwnerReference } from '../util/owners.js';
import { isPodAvailable, isPodRunningAndReady } from '../util/pods.js';

export type Pod = KObject;
export type StatefulSet = KObject;

/** apps.StatefulSetPodNameLabel. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel (the PodIndexLabel gate is on by default since 1.28). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** apps.StatefulSetRevisionLabel (= apps.ControllerRevisionHashLabelKey). */
export const REVISION_LABEL = 'controller-revision-hash';

export const SET_API_VERSION = 'apps/v1';
export const SET_KIND = 'StatefulSet';

const ORDINAL = /^(.*)-(0|[1-9][0-9]*)$/;
const MAX_INT32 = 2 ** 31 - 1;

/** getParentNameAndOrdinal: the set name and ordinal a pod name encodes, ordinal -1 if none. */
export function parentAndOrdinal(podName: string): { parent: string; ordinal: number } {
  const m = ORDINAL.exec(podName);
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return { parent: m[1], ordinal: n <= MAX_INT32 ? n : -1 };
}

export function ordinalOf(pod: Pod): number {
  return parentAndOrdinal(pod.metadata?.name ?? '').ordinal;
}

export function replicasOf(set: StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** getStartOrdinal: spec.ordinals.start, or 0. */
export function startOrdinal(set: StatefulSet): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** getEndOrdinal (inclusive). */
export function endOrdinal(set: StatefulSet): number {
  return startOrdinal(set) + replicasOf(set) - 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata!.name}-${ordinal}`;
}

/** getPersistentVolumeClaimName: `<template>-<set>-<ordinal>`. */
export function claimName(set: StatefulSet, of: { template: KObject; ordinal: number }): string {
  return `${of.template.metadata?.name}-${set.metadata!.name}-${of.ordinal}`;
}

/** isMemberOf: the pod's name says it belongs to set. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata?.name ?? '');
  return ordinal >= 0 && parent === set.metadata?.name;
}

/** identityMatches. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod.metadata?.name ?? '');
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    pod.metadata?.labels?.[POD_NAME_LABEL] === pod.metadata?.name
  );
}

export function claimTemplates(set: StatefulSet): KObject[] {
  return Array.isArray(set.spec?.volumeClaimTemplates) ? set.spec.volumeClaimTemplates : [];
}

/** storageMatches: every claim template is mounted as the pod's own claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map<string, any>((pod.spec?.volumes ?? []).map((v: any) => [v?.name, v]));
  return claimTemplates(set).every((t) => volumes.get(t.metadata?.name ?? '')?.persistentVolumeClaim?.claimName === claimName(set, { template: t, ordinal }));
}

/** getPersistentVolumeClaims: template name → the claim a pod of that ordinal uses. */
export function claimsForPod(set: StatefulSet, pod: Pod): Map<string, KObject> {
  const ordinal = ordinalOf(pod);
  const out = new Map<string, KObject>();
  for (const t of claimTemplates(set)) {
    const c = structuredClone(t) as KObject;
    const meta = c.metadata ?? {};
    c.apiVersion = 'v1';
    c.kind = 'PersistentVolumeClaim';
    delete c.status;
    c.metadata = {
      ...meta,
      name: claimName(set, { template: t, ordinal }),
      namespace: set.metadata?.namespace,
      labels: { ...(meta.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
    };
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'ownerReferences', 'deletionTimestamp'] as const) {
      delete (c.metadata as any)[k];
    }
    out.set(t.metadata!.name!, c);
  }
  return out;
}

/** updateStorage: one persistentVolumeClaim volume per template, replacing same-named volumes. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = claimsForPod(set, pod);
  const volumes: any[] = [...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata!.name } }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v?.name)) volumes.push(v);
  pod.spec ??= {};
  if (volumes.length) pod.spec.volumes = volumes;
}

/** updateIdentity: name, namespace and the pod-name / pod-index labels. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  const meta = (pod.metadata ??= {});
  meta.name = podName(set, ordinal);
  meta.namespace = set.metadata?.namespace;
  meta.labels = { ...(meta.labels ?? {}), [POD_NAME_LABEL]: meta.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** initIdentity: updateIdentity plus the immutable hostname and subdomain, set at creation only. */
function initIdentity(set: StatefulSet, pod: Pod): void {
  updateIdentity(set, pod);
  pod.spec ??= {};
  pod.spec.hostname = pod.metadata!.name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
}

export function setControllerRef(set: StatefulSet): OwnerReference {
  return newControllerRef(set, SET_API_VERSION, SET_KIND);
}

/** newStatefulSetPod: controller.GetPodFromTemplate, then identity and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const t = set.spec?.template ?? {};
  const tm = t.metadata ?? {};
  const meta: Record<string, any> = {
    name: podName(set, ordinal),
    generateName: `${set.metadata!.name}-`,
    namespace: set.metadata?.namespace,
    labels: { ...(tm.labels ?? {}) },
    ownerReferences: [setControllerRef(set)],
  };
  if (tm.annotations && Object.keys(tm.annotations).length) meta.annotations = { ...tm.annotations };
  if (Array.isArray(tm.finalizers) && tm.finalizers.length) meta.finalizers = [...tm.finalizers];
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: structuredClone(t.spec ?? {}) };
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

export function podRevision(pod: Pod): string {
  return pod.metadata?.labels?.[REVISION_LABEL] ?? '';
}

function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata!.labels = { ...(pod.metadata!.labels ?? {}), [REVISION_LABEL]: revision };
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (or, for RollingUpdate without a
 * rollingUpdate block, below start + status.currentReplicas) get the current revision, the rest
 * the update revision. Kubernetes' Go precedence is kept: the partition arm applies whatever the
 * strategy type says.
 */
export function newVersionedStatefulSetPod(
  sets: { current: StatefulSet; update: StatefulSet },
  revisions: { current: string; update: string; ordinal: number },
): Pod {
  const cur = sets.current;
  const strategy = cur.spec?.updateStrategy ?? {};
  const ru = strategy.rollingUpdate;
  const ordinal = revisions.ordinal;
  const start = startOrdinal(cur);
  const atCurrent =
    (strategy.type === 'RollingUpdate' && ru == null && ordinal < start + (cur.status?.currentReplicas ?? 0)) ||
    (ru != null && ordinal < start + (ru.partition ?? 0));
  const pod = newStatefulSetPod(atCurrent ? cur : sets.update, ordinal);
  setPodRevision(pod, atCurrent ? revisions.current : revisions.update);
  return pod;
}

/** isCreated: the API server has it (it sets status.phase on create). */
export function isCreated(pod: Pod): boolean {
  return !!pod.status?.phase;
}

export const isPending = (pod: Pod): boolean => pod.status?.phase === 'Pending';
export const isFailed = (pod: Pod): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod): boolean => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: Pod): boolean => !!pod.metadata?.deletionTimestamp;
export const isRunningAndReady = (pod: Pod): boolean => isPodRunningAndReady(pod);

/** isRunningAndAvailable: Ready for minReadySeconds (podutil.IsPodAvailable). */
export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  return isPodAvailable(pod, minReadySeconds, now);
}

/** isUnavailable: not available, or terminating. */
export function isUnavailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, now) || isTerminating(pod);
}

/** allowsBurst: podManagementPolicy Parallel. */
export function allowsBurst(set: StatefulSet): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}

export function minReadySecondsOf(set: StatefulSet): number {
  return set.spec?.minReadySeconds ?? 0;
}

/**
 * getStatefulSetMaxUnavailable: an int, or a percentage of replicas rounded down, at least 1;
 * undefined when the field is unset (the classic one-at-a-time rolling update applies).
 */
export function maxUnavailableOf(set: StatefulSet): number | undefined {
  const v = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable;
  if (v === undefined || v === null) return undefined;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^[0-9]+%$/.test(v)) n = Math.floor((Number(v.slice(0, -1)) * replicasOf(set)) / 100);
  else if (typeof v === 'string' && /^[0-9]+$/.test(v)) n = Number(v);
  else n = 1;
  return Math.max(1, n);
}

export function byOrdinalDescending(a: Pod, b: Pod): number {
  return ordinalOf(b) - ordinalOf(a);
}
