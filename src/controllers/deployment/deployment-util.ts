// The pure rules of pkg/controller/deployment/util (deployment_util.go) and the ReplicaSet
// orderings of pkg/controller (controller_utils.go): revision and replica annotations, maxSurge
// and maxUnavailable resolution (surge rounds up, unavailable down, both zero → one unavailable),
// finding the new and old ReplicaSets by template (ignoring pod-template-hash), proportional
// scaling shares, saturation, and the completeness/progress/timeout tests behind the Progressing
// condition. No I/O; time comes in as an argument.

import type { KObject } from '../../api/resource.js';
import { semanticEqual } from '../../api/core/semantic-equal.js';

export type ReplicaSet = KObject;
export type Deployment = KObject;

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const ROLLBACK_TO = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
/** Longest revision-history annotation kept (maxRevHistoryLengthInChars). */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Reasons of the Progressing and Available conditions. */
export const REASON = {
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumReplicasAvailable: 'MinimumReplicasAvailable',
  minimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** Annotations never copied between a Deployment and its ReplicaSets (annotationsToSkip). */
const SKIPPED_ANNOTATIONS = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);

const MAX_INT32 = 2147483647;

export const replicasOf = (o: KObject): number => o.spec?.replicas ?? 0;

/** Revision: the revision annotation as an integer (0 when absent, NaN when unparseable). */
export function revisionOf(rs: ReplicaSet): number {
  const v = rs.metadata?.annotations?.[REVISION];
  if (v === undefined) return 0;
  return /^[0-9]+$/.test(v) ? Number(v) : NaN;
}

/** MaxRevision over ReplicaSets whose revision parses. */
export function maxRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v > max) max = v;
  }
  return max;
}

/** LastRevision: the second highest revision. */
export function lastRevision(rss: readonly ReplicaSet[]): number {
  let max = 0;
  let sec = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) {
      sec = max;
      max = v;
    } else if (v > sec) sec = v;
  }
  return sec;
}

export const hasProgressDeadline = (d: Deployment): boolean => typeof d.spec?.progressDeadlineSeconds === 'number' && d.spec.progressDeadlineSeconds !== MAX_INT32;
export const hasRevisionHistoryLimit = (d: Deployment): boolean => typeof d.spec?.revisionHistoryLimit === 'number' && d.spec.revisionHistoryLimit !== MAX_INT32;
export const isRollingUpdate = (d: Deployment): boolean => d.spec?.strategy?.type === 'RollingUpdate';

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const m = /^([0-9]+)%$/.exec(v);
    if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
    const x = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  return 0;
}

/** ResolveFenceposts: [maxSurge, maxUnavailable] as numbers of pods. */
export function resolveFenceposts(d: Deployment): [number, number] {
  const desired = replicasOf(d);
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const surge = scaledValue(ru.maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(ru.maxUnavailable ?? 0, desired, false);
  // Both resolving to zero (rounding down a small percentage) would block the rollout.
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d)[0] : 0;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d)[1], replicas);
}

/** EqualIgnoreHash: the pod templates are semantically equal once pod-template-hash is dropped. */
export function equalIgnoreHash(a: any, b: any): boolean {
  const strip = (t: any) => {
    if (!t?.metadata?.labels || !(POD_TEMPLATE_HASH in t.metadata.labels)) return t;
    const labels = { ...t.metadata.labels };
    delete labels[POD_TEMPLATE_HASH];
    return { ...t, metadata: { ...t.metadata, labels } };
  };
  return semanticEqual(strip(a), strip(b));
}

const created = (o: KObject) => Date.parse(o.metadata?.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** ReplicaSetsByRevision: lowest revision first; creation order when equal or unparseable. */
export function replicaSetsByRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (Number.isNaN(ra) || Number.isNaN(rb) || ra === rb) return byCreation(a, b);
  return ra - rb;
}

/** ReplicaSetsBySizeNewer: larger first, newer first among equals (scaling up). */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet): number => replicasOf(b) - replicasOf(a) || byCreation(b, a);
/** ReplicaSetsBySizeOlder: larger first, older first among equals (scaling down). */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet): number => replicasOf(b) - replicasOf(a) || byCreation(a, b);

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export const activeReplicaSets = (rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] => rss.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);

/** FindActiveOrLatest: the only active ReplicaSet, the newest when none is, undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && !oldRSs.length) return undefined;
  const olds = [...oldRSs].sort(byCreation).reverse();
  const active = activeReplicaSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  return active.length === 1 ? active[0] : undefined;
}

export const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number =>
  rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
/** GetReplicaCountForReplicaSets (spec), GetActualReplicaCountForReplicaSets (status) and friends. */
export const specReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, replicasOf);
export const actualReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.replicas ?? 0);
export const readyReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.readyReplicas ?? 0);
export const availableReplicas = (rss: readonly (ReplicaSet | undefined)[]) => sum(rss, (rs) => rs.status?.availableReplicas ?? 0);

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  return typeof v === 'string' && /^-?[0-9]+$/.test(v) ? Number(v) : undefined;
}

/** IsSaturated: the new ReplicaSet runs, was sized for and has available all desired replicas. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DESIRED_REPLICAS);
  if (desired === undefined) return false;
  const want = replicasOf(d);
  return replicasOf(rs) === want && desired === want && (rs.status?.availableReplicas ?? 0) === want;
}

/** GetProportion: how many replicas rs gains (or loses) of the Deployment's `toAdd`. */
export function proportion(rs: ReplicaSet, d: Deployment, opts: { toAdd: number; added: number }): number {
  const { toAdd, added } = opts;
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/** getReplicaSetFraction: rs's share of the new maximum, from the maximum it was sized for. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const newMax = replicasOf(d) + maxSurge(d);
  const before = intAnnotation(rs, MAX_REPLICAS) ?? d.status?.replicas ?? 0;
  if (!before) return 0;
  // integer.RoundToInt32: half away from zero.
  const size = (replicasOf(rs) * newMax) / before;
  return Math.sign(size) * Math.round(Math.abs(size)) - replicasOf(rs);
}

/** NewRSNewReplicas: the size the new ReplicaSet may grow to now. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly ReplicaSet[], newRS: ReplicaSet): number {
  switch (d.spec?.strategy?.type) {
    case 'RollingUpdate': {
      const surge = scaledValue(d.spec.strategy.rollingUpdate?.maxSurge ?? 0, replicasOf(d), true);
      const current = specReplicas(allRSs);
      const maxTotal = replicasOf(d) + surge;
      if (current >= maxTotal) return replicasOf(newRS);
      const up = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
      return replicasOf(newRS) + up;
    }
    case 'Recreate':
      return replicasOf(d);
    default:
      throw new Error(`deployment type ${d.spec?.strategy?.type} isn't supported`);
  }
}

/** SetReplicasAnnotations on a mutable copy; whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) {
    a[DESIRED_REPLICAS] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS] !== String(max)) {
    a[MAX_REPLICAS] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations on a mutable copy of the new ReplicaSet: the Deployment's
 * annotations (but the skipped ones), the revision raised to newRevision with the previous one
 * appended to revision-history (a rollback to this ReplicaSet), and on creation the replica
 * annotations. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, opts: { newRevision: number; exists: boolean }): boolean {
  const a = (rs.metadata!.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries<string>(d.metadata?.annotations ?? {})) {
    if (SKIPPED_ANNOTATIONS.has(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = Object.prototype.hasOwnProperty.call(a, REVISION);
  const oldRevision = a[REVISION];
  const oldInt = had ? (/^[0-9]+$/.test(oldRevision) ? Number(oldRevision) : NaN) : 0;
  // An unparseable revision is left alone, and so is everything else (as Kubernetes does).
  if (Number.isNaN(oldInt)) return false;
  if (oldInt < opts.newRevision) {
    a[REVISION] = String(opts.newRevision);
    changed = true;
    if (had) {
      const history = a[REVISION_HISTORY] ? a[REVISION_HISTORY].split(',') : [];
      let total = (a[REVISION_HISTORY]?.length ?? 0) + oldRevision.length + 1;
      let start = 0;
      while (history.length && total > MAX_REVISION_HISTORY_CHARS && start < history.length) total -= history[start++].length + 1;
      if (total <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY] = [...history.slice(start), oldRevision].join(',');
    }
  }
  if (!opts.exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentAnnotationsTo: the rolled-back-to ReplicaSet's annotations, keeping the skipped ones. */
export function annotationsForRollback(d: Deployment, rs: ReplicaSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(d.metadata?.annotations ?? {})) if (SKIPPED_ANNOTATIONS.has(k)) out[k] = v;
  for (const [k, v] of Object.entries<string>(rs.metadata?.annotations ?? {})) if (!SKIPPED_ANNOTATIONS.has(k)) out[k] = v;
  return out;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newCondition(type: string, status: Condition['status'], opts: { reason: string; message: string; now: Date }): Condition {
  const t = rfc3339(opts.now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason: opts.reason, message: opts.message };
}

export function getCondition(status: any, type: string): Condition | undefined {
  return (status?.conditions ?? []).find((c: Condition) => c?.type === type);
}

/** SetDeploymentCondition: replaces the condition unless status and reason are unchanged; keeps the transition time when status is. */
export function setCondition(status: any, cond: Condition): void {
  const cur = getCondition(status, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return;
  if (cur && cur.status === cond.status) cond = { ...cond, lastTransitionTime: cur.lastTransitionTime };
  status.conditions = [...(status.conditions ?? []).filter((c: Condition) => c?.type !== cond.type), cond];
}

export function removeCondition(status: any, type: string): void {
  const rest = (status.conditions ?? []).filter((c: Condition) => c?.type !== type);
  if (rest.length) status.conditions = rest;
  else delete status.conditions;
}

/** DeploymentComplete: every desired replica updated, no others, all available, spec observed. */
export function deploymentComplete(d: Deployment, status: any): boolean {
  const want = replicasOf(d);
  return (
    (status.updatedReplicas ?? 0) === want &&
    (status.replicas ?? 0) === want &&
    (status.availableReplicas ?? 0) === want &&
    (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas than last time. */
export function deploymentProgressing(d: Deployment, status: any): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (
    (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** DeploymentTimedOut: no progress reported for progressDeadlineSeconds. */
export function deploymentTimedOut(d: Deployment, status: any, now: Date): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status, 'Progressing');
  if (!cond || cond.reason === REASON.newRSAvailable) return false;
  if (cond.reason === REASON.timedOut) return true;
  const from = Date.parse(cond.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + d.spec.progressDeadlineSeconds * 1000 < now.getTime();
}
