// Running a pod's containers in the kubelet's order (kuberuntime_manager computePodActions): init
// containers one at a time to completion (a sidecar, an init container with restartPolicy Always,
// only has to have started), then every regular container; an exited container is restarted by
// its restart policy (init containers: OnFailure unless the pod's policy is Never) with the
// kubelet's crash-loop back-off (first restart at once, then 10 s doubling to 5 min, forgotten after
// 10 min without a restart; waiting reason CrashLoopBackOff, message `back-off 20s restarting
// failed container=<c> pod=<name>_<ns>(<uid>)`). Probes: startup, then readiness, through the
// runtime. Events as the kubelet records them: Pulled (`Container image "x" already present on
// machine`), Created (`Created container: x`), Started (`Started container x`), BackOff.
// Each function returns the earliest time (ms from now) the pod must be looked at again.
// A changed image (the one container field a pod update may change) restarts the container
// (Killing `Container x definition changed, will be restarted`), whatever the restart policy.
// Deliberately absent: liveness-probe restarts (the process runtime adds them), image pulls.

import type { KObject } from '../api/resource.js';
import type { PodContext, PodRecord } from './pod-context.js';
import { podDescription } from './pod-context.js';
import type { ContainerKind, RuntimeContainer, RuntimePod } from './runtime.js';

export type Wake = (ms: number) => void;

const isSidecar = (c: any) => c?.restartPolicy === 'Always';

/** Go's time.Duration String() for whole milliseconds: 500ms, 10s, 1m20s, 5m0s, 1h0m0s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h) return `${h}h${m}m${sec}`;
  if (m) return `${m}m${sec}`;
  return sec;
}

function newest(rp: RuntimePod, c: { name: string; kind: ContainerKind }): RuntimeContainer | undefined {
  const all = rp.containers.filter((x) => x.name === c.name && x.kind === c.kind);
  return all[all.length - 1];
}

/** Read again after an await: the runtime changes instances in place. */
const phaseOf = (c: RuntimeContainer): RuntimeContainer['phase'] => c.phase;

function restartPolicyOf(pod: KObject, c: { spec: any; kind: ContainerKind }): string {
  if (c.kind === 'init') return isSidecar(c.spec) ? 'Always' : pod.spec?.restartPolicy === 'Never' ? 'Never' : 'OnFailure';
  return pod.spec?.restartPolicy ?? 'Always';
}

function event(ctx: PodContext, pod: KObject, e: { type: 'Normal' | 'Warning'; reason: string; message: string }): void {
  ctx.recorder?.event(pod, e.type, e.reason, e.message);
}

/** How long a container that could not be created waits before the next try (the kubelet's first back-off). */
const CREATE_RETRY_MS = 10_000;

/**
 * Starts one container instance. A start the runtime refuses with a reason (CreateContainerConfigError,
 * CreateContainerError: a missing ConfigMap key, an image it cannot run) leaves the container waiting
 * with that reason and a Warning Failed event, as the kubelet does, and is tried again later.
 */
async function start(ctx: PodContext, rec: PodRecord, opts: { pod: KObject; spec: any; kind: ContainerKind; attempt: number; wake: Wake }): Promise<boolean> {
  const { pod, spec } = opts;
  event(ctx, pod, { type: 'Normal', reason: 'Pulled', message: `Container image "${spec.image}" already present on machine` });
  let c: RuntimeContainer;
  try {
    c = await ctx.runtime.startContainer(rec.uid, { pod, kind: opts.kind, container: spec, attempt: opts.attempt });
  } catch (e) {
    const reason = (e as { reason?: unknown }).reason;
    if (typeof reason !== 'string') throw e;
    const message = (e as Error).message;
    if (rec.waiting.get(spec.name)?.message !== message) event(ctx, pod, { type: 'Warning', reason: 'Failed', message: `Error: ${message}` });
    rec.waiting.set(spec.name, { reason, message });
    ctx.log?.(`START container ${rec.key}/${spec.name}, attempt ${opts.attempt} => ${reason}: ${message}`);
    opts.wake(CREATE_RETRY_MS);
    return false;
  }
  rec.waiting.delete(spec.name);
  event(ctx, pod, { type: 'Normal', reason: 'Created', message: `Created container: ${spec.name}` });
  rec.announced.add(`${c.id}/created`);
  ctx.log?.(`START container ${rec.key}/${spec.name}, attempt ${opts.attempt} => ${c.phase}`);
  return true;
}

type Progress = 'running' | 'succeeded' | 'failed' | 'waiting';

/** Starts or restarts one container as its policy and back-off allow. */
async function ensure(ctx: PodContext, rec: PodRecord, opts: { pod: KObject; rp: RuntimePod; spec: any; kind: ContainerKind; wake: Wake }): Promise<Progress> {
  const { pod, spec, kind } = opts;
  const cur = newest(opts.rp, { name: spec.name, kind });
  if (!cur) return (await start(ctx, rec, { pod, spec, kind, attempt: 0, wake: opts.wake })) ? 'running' : 'waiting';
  const replacing = rec.announced.has(`${cur.id}/replace`);
  if ((cur.phase !== 'exited' && cur.image !== spec.image) || replacing) {
    // A running container's definition changed (in a pod only the image can): it is restarted
    // whatever the policy (exited containers just restart with the new image by their policy).
    if (!replacing) {
      rec.announced.add(`${cur.id}/replace`);
      event(ctx, pod, { type: 'Normal', reason: 'Killing', message: `Container ${spec.name} definition changed, will be restarted` });
      await ctx.runtime.stopContainer(rec.uid, spec.name, { gracePeriodSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30 });
    }
    if (phaseOf(cur) !== 'exited') return 'running';
    rec.waiting.delete(spec.name);
    return (await start(ctx, rec, { pod, spec, kind, attempt: cur.attempt + 1, wake: opts.wake })) ? 'running' : 'waiting';
  }
  if (cur.phase !== 'exited') return 'running';
  const policy = restartPolicyOf(pod, { spec, kind });
  const restart = policy === 'Always' || (policy === 'OnFailure' && cur.exitCode !== 0);
  if (!restart) {
    rec.waiting.delete(spec.name);
    return cur.exitCode === 0 ? 'succeeded' : 'failed';
  }
  const now = ctx.now().getTime();
  const { backOffInitialMs: initial, backOffMaxMs: max } = ctx.timings;
  const finished = (cur.finishedAt ?? ctx.now()).getTime();
  const entry = rec.backOff.get(spec.name);
  const expired = (at: number) => !entry || at - entry.lastUpdate > 2 * max;
  if (entry && !expired(finished) && now - finished < entry.ms) {
    if (!rec.waiting.has(spec.name)) {
      event(ctx, pod, { type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${spec.name} in pod ${podDescription(pod)}` });
    }
    rec.waiting.set(spec.name, {
      reason: 'CrashLoopBackOff',
      message: `back-off ${goDuration(entry.ms)} restarting failed container=${spec.name} pod=${podDescription(pod)}`,
    });
    opts.wake(entry.ms - (now - finished));
    return 'waiting';
  }
  rec.backOff.set(spec.name, { ms: expired(finished) ? initial : Math.min(entry!.ms * 2, max), lastUpdate: now });
  rec.waiting.delete(spec.name);
  return (await start(ctx, rec, { pod, spec, kind, attempt: cur.attempt + 1, wake: opts.wake })) ? 'running' : 'waiting';
}

/** Brings the containers to what the pod asks for; calls `wake` with the next time to look again. */
export async function syncContainers(ctx: PodContext, rec: PodRecord, opts: { pod: KObject; rp: RuntimePod; wake: Wake }): Promise<void> {
  const { pod, rp } = opts;
  for (const spec of pod.spec?.initContainers ?? []) {
    const progress = await ensure(ctx, rec, { pod, rp, spec, kind: 'init', wake: opts.wake });
    if (isSidecar(spec)) {
      const probe = rec.probes.get(spec.name);
      const cur = newest(rp, { name: spec.name, kind: 'init' });
      if (progress === 'running' && cur?.phase === 'running' && probe?.id === cur.id && probe.started) continue;
      return;
    }
    if (progress !== 'succeeded') return;
  }
  for (const spec of pod.spec?.containers ?? []) await ensure(ctx, rec, { pod, rp, spec, kind: 'regular', wake: opts.wake });
}

/** Startup then readiness probes of every running container, through the runtime. */
export async function runProbes(ctx: PodContext, rec: PodRecord, opts: { pod: KObject; rp: RuntimePod; wake: Wake }): Promise<void> {
  const { pod, rp } = opts;
  const probed: [any, ContainerKind][] = [
    ...(pod.spec?.initContainers ?? []).filter(isSidecar).map((c: any): [any, ContainerKind] => [c, 'init']),
    ...(pod.spec?.containers ?? []).map((c: any): [any, ContainerKind] => [c, 'regular']),
  ];
  const now = ctx.now();
  for (const [spec, kind] of probed) {
    const cur = newest(rp, { name: spec.name, kind });
    if (!cur || cur.phase !== 'running') continue;
    if (!rec.announced.has(`${cur.id}/started`)) {
      rec.announced.add(`${cur.id}/started`);
      event(ctx, pod, { type: 'Normal', reason: 'Started', message: `Started container ${spec.name}` });
    }
    let st = rec.probes.get(spec.name);
    if (!st || st.id !== cur.id) rec.probes.set(spec.name, (st = { id: cur.id, started: !spec.startupProbe, ready: false }));
    if (!st.started) {
      const out = await ctx.runtime.probe({ pod, container: cur, kind: 'startup', probe: spec.startupProbe, now });
      st.started = out.success;
      if (!out.success && out.recheckAfterMs !== undefined) opts.wake(out.recheckAfterMs);
    }
    if (!st.started) continue;
    const out = await ctx.runtime.probe({ pod, container: cur, kind: 'readiness', probe: spec.readinessProbe, now });
    st.ready = out.success;
    if (out.recheckAfterMs !== undefined) opts.wake(out.recheckAfterMs);
  }
}
