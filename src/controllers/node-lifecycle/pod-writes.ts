// The pod writes of the node-failure controllers (node lifecycle, taint eviction, pod GC): a status
// change as a compare-and-swap on the pod's resourceVersion, retried on a fresh read when another
// writer got there first (never applied to a different pod of the same name); a deletion guarded
// by the pod's uid, so a replacement pod of the same name (a StatefulSet's next web-0) is never
// deleted by a decision made about its predecessor; pod conditions as apipod.UpdatePodCondition
// sets them; and the object reference events about pods name.
// Deliberately absent: deciding anything (each controller decides).

import type { KObject } from '../../api/resource.js';
import { isApiError } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { PODS } from '../../client/resources.js';

const RETRIES = 5;

/** The object events about a pod are recorded against. */
export function podRef(pod: KObject): KObject {
  const m = pod.metadata ?? {};
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion } };
}

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

/**
 * apipod.UpdatePodCondition on a private status: sets the condition, keeping its
 * lastTransitionTime when the status did not change. Returns whether anything changed.
 */
export function setPodCondition(status: any, cond: PodCondition, opts: { nowIso: string }): boolean {
  const conditions: PodCondition[] = (status.conditions ??= []);
  const next: PodCondition = { lastProbeTime: null, ...cond, lastTransitionTime: opts.nowIso };
  const i = conditions.findIndex((c) => c?.type === cond.type);
  if (i < 0) {
    conditions.push(next);
    return true;
  }
  const old = conditions[i];
  if (old.status === next.status) next.lastTransitionTime = old.lastTransitionTime ?? null;
  const same =
    old.status === next.status &&
    (old.reason ?? '') === (next.reason ?? '') &&
    (old.message ?? '') === (next.message ?? '') &&
    (old.lastProbeTime ?? null) === (next.lastProbeTime ?? null) &&
    (old.lastTransitionTime ?? null) === (next.lastTransitionTime ?? null);
  conditions[i] = next;
  return !same;
}

/**
 * Changes a pod's status: `opts.change` edits a private copy and says whether it changed anything.
 * Starts from `pod` (a cached object), re-reads on a conflict. Returns the written pod, the pod
 * unchanged when there was nothing to do, or undefined when the pod is gone (or replaced).
 */
export async function updatePodStatus(client: Client, pod: KObject, opts: { change: (p: KObject) => boolean }): Promise<KObject | undefined> {
  const { change } = opts;
  const { namespace, name, uid } = pod.metadata ?? {};
  let cur = pod;
  for (let attempt = 0; ; attempt++) {
    const next = structuredClone(cur);
    next.status ??= {};
    if (!change(next)) return cur;
    try {
      return await client.update(PODS, next, 'status');
    } catch (e) {
      if (isApiError(e) && e.code === 404) return undefined;
      if (!(isApiError(e) && e.code === 409) || attempt >= RETRIES) throw e;
    }
    try {
      cur = await client.get(PODS, namespace, name!);
    } catch (e) {
      if (isApiError(e) && e.code === 404) return undefined;
      throw e;
    }
    if (uid && cur.metadata?.uid !== uid) return undefined;
  }
}

/** Deletes the pod with this uid (a graceful DELETE unless gracePeriodSeconds is given); false when it is gone. */
export async function deletePod(client: Client, pod: KObject, opts: { gracePeriodSeconds?: number } = {}): Promise<boolean> {
  const { namespace, name, uid } = pod.metadata ?? {};
  const options: Record<string, unknown> = uid ? { preconditions: { uid } } : {};
  if (opts.gracePeriodSeconds !== undefined) options.gracePeriodSeconds = opts.gracePeriodSeconds;
  try {
    await client.delete(PODS, namespace, name!, options);
    return true;
  } catch (e) {
    // 404: already gone; 409 on the uid precondition: a different pod now has this name.
    if (isApiError(e) && (e.code === 404 || e.code === 409)) return false;
    throw e;
  }
}

/**
 * MarkPodsNotReady for one pod: a pod that reports a Ready condition gets it False (reason and
 * message kept, lastTransitionTime now). Returns whether it was written.
 */
export async function markPodNotReady(client: Client, pod: KObject, opts: { nowIso: string }): Promise<boolean> {
  let wrote = false;
  const change = (p: KObject) => {
    const ready = (p.status?.conditions ?? []).find((c: any) => c?.type === 'Ready');
    wrote = !!ready && setPodCondition(p.status, { ...ready, status: 'False' }, opts);
    return wrote;
  };
  const res = await updatePodStatus(client, pod, { change });
  return wrote && res !== undefined;
}
