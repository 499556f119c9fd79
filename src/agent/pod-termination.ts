// The end of a pod on this node, as the kubelet's pod workers and status manager end it:
// - deletion requested (deletionTimestamp): each running container is asked to stop within the
//   pod's deletionGracePeriodSeconds (event Killing `Stopping container x`; regular containers
//   first, sidecars after them); once all have exited the final status is written (phase
//   Succeeded when every container exited 0, else Failed; PodReadyToStartContainers False), the
//   sandbox, IP and pod directories are released, and the deletion is confirmed with DELETE
//   gracePeriodSeconds=0 and a UID precondition, so the API server removes the object;
// - a terminal phase (Succeeded/Failed): remaining containers stop, resources are released, and a
//   terminal pod that is being deleted is confirmed the same way;
// - the object gone (force deletion, or our own confirmation): containers stop and everything the
//   pod held is released.
// Deliberately absent: preStop hooks (the process runtime runs them inside its stop).

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import { PODS } from '../client/resources.js';
import type { Wake } from './pod-containers.js';
import type { PodContext, PodRecord } from './pod-context.js';
import { generatePodStatus } from './pod-status.js';
import { writePodStatus } from './status-writer.js';

export function gracePeriodOf(pod: KObject | undefined): number {
  return pod?.metadata?.deletionGracePeriodSeconds ?? pod?.spec?.terminationGracePeriodSeconds ?? 30;
}

/** Asks live containers to stop (regular ones before sidecars); true when none is left running. */
async function stopAll(ctx: PodContext, rec: PodRecord, opts: { pod: KObject | undefined; grace: number }): Promise<boolean> {
  const live = () => (ctx.runtime.pod(rec.uid)?.containers ?? []).filter((c) => c.phase !== 'exited');
  let running = live();
  if (!running.length) return true;
  const regular = running.filter((c) => c.kind === 'regular');
  for (const c of regular.length ? regular : running) {
    if (rec.announced.has(`${c.id}/killing`)) continue;
    rec.announced.add(`${c.id}/killing`);
    if (opts.pod) ctx.recorder?.event(opts.pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
    await ctx.runtime.stopContainer(rec.uid, c.name, { gracePeriodSeconds: opts.grace });
  }
  running = live();
  // Sidecars go once the regular containers are gone: look again right away.
  if (running.length && !running.some((c) => c.kind === 'regular') && regular.length) return stopAll(ctx, rec, opts);
  return running.length === 0;
}

/**
 * Releases the sandbox, the IP and the pod's directories (once). With keepLogs (a finished pod
 * that is not deleted) the runtime keeps the exited containers' logs until a later full release.
 */
export async function releasePod(ctx: PodContext, rec: PodRecord, opts: { keepLogs?: boolean } = {}): Promise<void> {
  if (rec.cleaned) return;
  if (opts.keepLogs && rec.released) return;
  await ctx.runtime.removePod(rec.uid, { keepLogs: opts.keepLogs });
  if (!rec.released) {
    if (ctx.ipam()?.ipOf(rec.uid)) {
      ctx.ipam()!.release(rec.uid);
      ctx.ipReleased();
    }
    ctx.attachments?.done(rec.uid);
    await ctx.volumes.teardown(rec.uid);
    rec.released = true;
  }
  if (!opts.keepLogs) rec.cleaned = true;
  ctx.log?.(`RELEASE pod ${rec.key} (${rec.uid})${opts.keepLogs ? ', logs kept' : ''}`);
}

async function confirmDeletion(ctx: PodContext, pod: KObject): Promise<void> {
  const m = pod.metadata ?? {};
  try {
    await ctx.client.delete(PODS, m.namespace, m.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: m.uid } });
    ctx.log?.(`DELETE pod ${m.namespace}/${m.name}, grace 0, uid ${m.uid} => confirmed`);
  } catch (e) {
    // Gone already, or replaced by a pod of the same name (the UID precondition failed).
    if (!isApiError(e) || (e.code !== 404 && e.code !== 409)) throw e;
  }
}

/** A pod being deleted: stop, final status, release, confirm. */
export async function syncTerminating(ctx: PodContext, rec: PodRecord, opts: { pod: KObject; hostIP: string; podIP?: string; wake: Wake }): Promise<void> {
  const grace = gracePeriodOf(opts.pod);
  if (!(await stopAll(ctx, rec, { pod: opts.pod, grace }))) {
    // The runtime reports the exit; this is only the safety net past the grace period.
    opts.wake(grace * 1000 + 1000);
    return;
  }
  const written = await writePodStatus(ctx, rec, {
    pod: opts.pod,
    compute: (p) =>
      generatePodStatus({
        pod: p,
        runtimeType: ctx.runtime.type,
        rp: ctx.runtime.pod(rec.uid),
        probes: rec.probes,
        waiting: new Map(),
        hostIP: opts.hostIP,
        podIP: opts.podIP,
        terminal: true,
        now: ctx.now(),
      }),
  });
  await releasePod(ctx, rec);
  if (written) await confirmDeletion(ctx, written);
}

/** A pod in Succeeded or Failed: nothing runs any more; a deletion is confirmed at once. */
export async function syncTerminal(ctx: PodContext, rec: PodRecord, opts: { pod: KObject; wake: Wake }): Promise<void> {
  const grace = gracePeriodOf(opts.pod);
  if (!(await stopAll(ctx, rec, { pod: opts.pod, grace }))) {
    opts.wake(grace * 1000 + 1000);
    return;
  }
  const deleting = !!opts.pod.metadata?.deletionTimestamp;
  await releasePod(ctx, rec, { keepLogs: !deleting });
  if (deleting) await confirmDeletion(ctx, opts.pod);
}

/** The pod object is gone: stop what still runs and release it. True when nothing is left. */
export async function forgetPod(ctx: PodContext, rec: PodRecord): Promise<boolean> {
  if (!(await stopAll(ctx, rec, { pod: undefined, grace: gracePeriodOf(rec.lastPod) }))) return false;
  await releasePod(ctx, rec);
  return true;
}
