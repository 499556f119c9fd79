// Writing a pod's status the way the kubelet's status manager does it, but as a compare-and-swap:
// PUT pods/<name>/status carrying the resourceVersion the status was computed from; on a conflict
// the pod is read again and the status recomputed from it (so a concurrent change, e.g. a
// DisruptionTarget condition or a readiness-gate condition, is kept), a few times. A status equal
// to the current one (semantically: empty and missing fields alike) is not written, so one pod
// change makes at most one write. The object written back is remembered in the pod record and
// used while the watch cache still shows an older version.
// Deliberately absent: the kubelet's patch-based write and its per-pod status versions.

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import { semanticEqual } from '../api/core/semantic-equal.js';
import { PODS } from '../client/resources.js';
import type { PodContext, PodRecord } from './pod-context.js';

const ATTEMPTS = 5;

/** Writes compute(pod) as the pod's status; resolves to the stored pod, or undefined when it is gone. */
export async function writePodStatus(ctx: PodContext, rec: PodRecord, opts: { pod: KObject; compute: (pod: KObject) => any }): Promise<KObject | undefined> {
  let cur = opts.pod;
  for (let i = 0; i < ATTEMPTS; i++) {
    const status = opts.compute(cur);
    if (semanticEqual(status, cur.status)) return cur;
    try {
      const written = await ctx.client.update<KObject>(PODS, { ...cur, status }, 'status');
      rec.latest = written;
      return written;
    } catch (e) {
      if (!isApiError(e)) throw e;
      if (e.code === 404) return undefined;
      if (e.code !== 409) throw e;
    }
    try {
      cur = await ctx.client.get<KObject>(PODS, cur.metadata?.namespace, cur.metadata?.name ?? '');
    } catch (e) {
      if (isApiError(e) && e.code === 404) return undefined;
      throw e;
    }
    if (cur.metadata?.uid !== rec.uid) return undefined;
    rec.latest = cur;
  }
  throw new Error(`status of pod ${rec.key} kept conflicting after ${ATTEMPTS} attempts`);
}
