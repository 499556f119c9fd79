// The pod status the agent reports, generated as the kubelet does it (pkg/kubelet/kubelet_pods.go
// generateAPIPodStatus, convertToAPIContainerStatuses and getPhase; pkg/kubelet/status/generate.go
// for the conditions; the status manager's lastTransitionTime, startTime and TerminatePod rules):
// container statuses from the runtime's instances (state, lastState, restartCount, containerID
// `<runtime>://<id>`, started/ready from the probes, volumeMounts), regular containers sorted by
// name and init containers in spec order; the phase; the kubelet-owned conditions
// PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled after any
// condition others own; hostIP(s), podIP(s), startTime; qosClass, reason and message kept.
// Pure: the time and every input come in.
// Deliberately absent: ephemeral containers, resize status, allocatedResources/resources (the
// in-place resize feature is alpha in 1.32), and the user field (SupplementalGroupsPolicy, alpha).

import type { KObject } from '../api/resource.js';
import type { RuntimeContainer, RuntimePod } from './runtime.js';

export interface ProbeState {
  id: string;
  started: boolean;
  ready: boolean;
}

export interface PodStatusInput {
  pod: KObject;
  runtimeType: string;
  rp: RuntimePod | undefined;
  probes: Map<string, ProbeState>;
  /** Containers waiting to be restarted: the waiting reason and message (CrashLoopBackOff). */
  waiting: Map<string, { reason: string; message: string }>;
  hostIP: string;
  podIP?: string;
  /** The pod will not run again (deleted and stopped): the final phase is Succeeded or Failed. */
  terminal: boolean;
  now: Date;
}

const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const isSidecar = (c: any) => c?.restartPolicy === 'Always';

function terminatedOf(c: RuntimeContainer, type: string): any {
  const t: any = { exitCode: c.exitCode ?? 0 };
  if (c.reason) t.reason = c.reason;
  if (c.message) t.message = c.message;
  t.startedAt = c.startedAt ? rfc3339(c.startedAt) : null;
  t.finishedAt = c.finishedAt ? rfc3339(c.finishedAt) : null;
  t.containerID = `${type}://${c.id}`;
  return t;
}

function volumeMountStatuses(c: any): any[] | undefined {
  const mounts: any[] = c.volumeMounts ?? [];
  if (!mounts.length) return undefined;
  return mounts.map((m) => (m.readOnly ? { name: m.name, mountPath: m.mountPath, readOnly: true, recursiveReadOnly: 'Disabled' } : { name: m.name, mountPath: m.mountPath }));
}

function containerStatus(spec: any, opts: { kind: 'init' | 'regular'; input: PodStatusInput; hasInit: boolean }): any {
  const { input } = opts;
  const instances = (input.rp?.containers ?? []).filter((c) => c.name === spec.name && c.kind === opts.kind);
  // A container still being created reports as not created yet (no containerID), as while pulling.
  const created = instances.filter((c) => c.phase !== 'created');
  const cur = created[created.length - 1];
  const prev = created[created.length - 2];
  const s: any = {
    name: spec.name,
    state: { waiting: { reason: opts.hasInit && opts.kind === 'regular' ? 'PodInitializing' : 'ContainerCreating' } },
    lastState: {},
    ready: false,
    restartCount: cur?.attempt ?? 0,
    image: spec.image,
    imageID: '',
    started: false,
  };
  const mounts = volumeMountStatuses(spec);
  if (mounts) s.volumeMounts = mounts;
  const waitingBeforeStart = input.waiting.get(spec.name);
  if (!cur && waitingBeforeStart) s.state = { waiting: { reason: waitingBeforeStart.reason, message: waitingBeforeStart.message } };
  if (!cur) return s;
  s.image = cur.image;
  s.imageID = cur.imageID;
  s.containerID = `${input.runtimeType}://${cur.id}`;
  if (prev?.phase === 'exited') s.lastState = { terminated: terminatedOf(prev, input.runtimeType) };
  if (cur.phase === 'running') {
    s.state = { running: { startedAt: rfc3339(cur.startedAt ?? input.now) } };
    const probe = input.probes.get(spec.name);
    const current = probe?.id === cur.id;
    s.started = current ? probe.started : false;
    s.ready = current && probe.started && probe.ready;
  } else {
    s.state = { terminated: terminatedOf(cur, input.runtimeType) };
    // Completed init containers count as ready (the prober's rule for init containers).
    s.ready = opts.kind === 'init' && !isSidecar(spec) && cur.exitCode === 0;
    const wait = input.waiting.get(spec.name);
    if (wait) {
      s.lastState = { terminated: s.state.terminated };
      s.state = { waiting: { reason: wait.reason, message: wait.message } };
      s.ready = false;
    }
  }
  return s;
}

/** getPhase (kubelet_pods.go). */
export function podPhase(pod: KObject, opts: { init: any[]; regular: any[]; terminal: boolean }): string {
  const { init, regular, terminal } = opts;
  const spec = pod.spec ?? {};
  const byName = (list: any[], name: string) => list.find((s) => s.name === name);
  let pendingInit = 0;
  let failedInit = 0;
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    const s = byName(init, c.name);
    if (isSidecar(c)) {
      if (!s) {
        unknown++;
        continue;
      }
      if (s.state.running) {
        if (!s.started) pendingInit++;
        running++;
      } else if (s.state.waiting && !s.lastState.terminated) {
        pendingInit++;
        waiting++;
      }
      continue;
    }
    if (!s || s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInit++;
      } else pendingInit++;
    } else pendingInit++;
  }
  for (const c of spec.containers ?? []) {
    const s = byName(regular, c.name);
    if (!s) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  if (failedInit > 0 && spec.restartPolicy === 'Never') return 'Failed';
  const anyRegularStarted = regular.some((s) => s.state.running || s.state.terminated);
  if ((pendingInit > 0 && !anyRegularStarted) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (spec.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (spec.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

type Condition = { type: string; status: string; reason?: string; message?: string };

const list = (names: string[]) => `[${names.join(' ')}]`;

function containersReady(pod: KObject, opts: { statuses: any[]; phase: string }): Condition {
  const { statuses, phase } = opts;
  if (phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (c: any) => {
    const s = statuses.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  };
  for (const c of pod.spec?.initContainers ?? []) if (isSidecar(c)) check(c);
  for (const c of pod.spec?.containers ?? []) check(c);
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${list(unready)}`);
  if (msgs.length) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: msgs.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

function podReady(pod: KObject, opts: { containersReady: Condition; others: any[] }): Condition {
  const { containersReady: cr, others } = opts;
  if (cr.status !== 'True') return { ...cr, type: 'Ready' };
  const msgs: string[] = [];
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = others.find((o) => o?.type === g.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  if (msgs.length) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  return { type: 'Ready', status: 'True' };
}

function initialized(pod: KObject, opts: { init: any[]; regular: any[]; phase: string }): Condition {
  const { init, regular, phase } = opts;
  const specs: any[] = pod.spec?.initContainers ?? [];
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const c of specs) {
    const s = init.find((x) => x.name === c.name);
    if (!s) unknown.push(c.name);
    else if (isSidecar(c) ? !s.started : !s.ready) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && !unknown.length) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  if (regular.some((s) => s.state.running || s.state.terminated)) return { type: 'Initialized', status: 'True' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${list(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${list(incomplete)}`);
  if (msgs.length) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: msgs.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

/** status_manager hasPodInitialized, from the statuses about to be written. */
function hasInitialized(pod: KObject, opts: { init: any[]; regular: any[] }): boolean {
  const { init, regular } = opts;
  const specs: any[] = pod.spec?.initContainers ?? [];
  if (!specs.length) return true;
  if (regular.some((s) => s.lastState.terminated || !s.state.waiting)) return true;
  const last = init.find((s) => s.name === specs[specs.length - 1].name);
  return last?.state.terminated?.exitCode === 0 || last?.lastState.terminated?.exitCode === 0;
}

/** status_manager TerminatePod: once initialized, a container with no final state failed (137). */
function terminateStatuses(regular: any[], initializedBefore: boolean): void {
  if (!initializedBefore) return;
  for (const s of regular) {
    if (s.state.terminated) continue;
    s.state = { terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated', startedAt: null, finishedAt: null } };
    s.ready = false;
    s.started = false;
  }
}

/** The status to write for `input.pod`, carrying over what the kubelet does not own. */
export function generatePodStatus(input: PodStatusInput): any {
  const pod = input.pod;
  const prev = pod.status ?? {};
  const specs: any[] = pod.spec?.containers ?? [];
  const initSpecs: any[] = pod.spec?.initContainers ?? [];
  const hasInit = initSpecs.length > 0;
  const init = initSpecs.map((c) => containerStatus(c, { kind: 'init', input, hasInit }));
  const regular = specs.map((c) => containerStatus(c, { kind: 'regular', input, hasInit }));
  regular.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let phase = podPhase(pod, { init, regular, terminal: input.terminal });
  if (input.terminal && phase !== 'Succeeded' && phase !== 'Failed') {
    terminateStatuses(regular, hasInitialized(pod, { init, regular }));
    phase = 'Failed';
  }
  // Pods never leave a terminal phase.
  if (prev.phase === 'Succeeded' || prev.phase === 'Failed') phase = prev.phase;

  const others = (prev.conditions ?? []).filter((c: any) => !KUBELET_CONDITIONS.includes(c?.type));
  const cr = containersReady(pod, { statuses: [...init, ...regular], phase });
  const own: Condition[] = [
    { type: 'PodReadyToStartContainers', status: input.rp?.sandbox.ready && !input.terminal ? 'True' : 'False' },
    initialized(pod, { init, regular, phase }),
    podReady(pod, { containersReady: cr, others }),
    cr,
    { type: 'PodScheduled', status: 'True' },
  ];
  const t = rfc3339(input.now);
  const conditions = [
    ...others,
    ...own.map((c) => {
      const old = (prev.conditions ?? []).find((o: any) => o?.type === c.type);
      return { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : t, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) };
    }),
  ];

  const status: any = { ...prev, phase, conditions, hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }] };
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  status.startTime = prev.startTime ?? t;
  if (hasInit) status.initContainerStatuses = init;
  else delete status.initContainerStatuses;
  status.containerStatuses = regular;
  if (phase !== prev.phase) {
    delete status.reason;
    delete status.message;
  }
  return status;
}
