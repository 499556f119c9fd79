import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import { generatePodStatus } from './pod-status.js';
import type { PodStatusInput, ProbeState } from './pod-status.js';
import type { RuntimeContainer, RuntimePod } from './runtime.js';

const T0 = new Date('2025-01-01T00:00:00Z');
const T1 = new Date('2025-01-01T00:01:00Z');

function pod(spec: any = {}, status: any = { phase: 'Pending', qosClass: 'BestEffort' }): KObject {
  return { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [{ name: 'app', image: 'img' }], restartPolicy: 'Always', ...spec }, status };
}

function container(name: string, over: Partial<RuntimeContainer> = {}): RuntimeContainer {
  return { name, kind: 'regular', id: `${name}-id`, image: 'img', imageID: 'img@sha256:0', attempt: 0, phase: 'running', createdAt: T0, startedAt: T0, ...over };
}

function input(p: KObject, over: Partial<PodStatusInput> = {}): PodStatusInput {
  return { pod: p, runtimeType: 'sim', rp: undefined, probes: new Map(), waiting: new Map(), hostIP: '10.0.0.1', podIP: '10.244.0.2', terminal: false, now: T1, ...over };
}

const rp = (...containers: RuntimeContainer[]): RuntimePod => ({ uid: 'u', namespace: 'default', name: 'p', sandbox: { ready: true, createdAt: T0 }, containers });
const ready = (...names: string[]) => new Map<string, ProbeState>(names.map((n) => [n, { id: `${n}-id`, started: true, ready: true }]));
const cond = (s: any, type: string) => s.conditions.find((c: any) => c.type === type);

test('generatePodStatus() reports a running, ready pod', () => {
  const s = generatePodStatus(input(pod(), { rp: rp(container('app')), probes: ready('app') }));
  assert.equal(s.phase, 'Running');
  assert.equal(s.qosClass, 'BestEffort');
  assert.deepEqual(s.containerStatuses, [
    {
      name: 'app',
      state: { running: { startedAt: '2025-01-01T00:00:00Z' } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: 'img',
      imageID: 'img@sha256:0',
      started: true,
      containerID: 'sim://app-id',
    },
  ]);
  assert.deepEqual(
    s.conditions.map((c: any) => [c.type, c.status, c.lastTransitionTime]),
    ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((t) => [t, 'True', '2025-01-01T00:01:00Z']),
  );
  assert.equal(s.startTime, '2025-01-01T00:01:00Z');
});

test('generatePodStatus() keeps lastTransitionTime and startTime, and conditions others own', () => {
  const first = generatePodStatus(input(pod(), { rp: rp(container('app')), probes: ready('app'), now: T0 }));
  first.conditions.unshift({ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' });
  const next = generatePodStatus(input(pod({}, first), { rp: rp(container('app')), probes: new Map([['app', { id: 'app-id', started: true, ready: false }]]) }));
  assert.equal(next.startTime, '2025-01-01T00:00:00Z');
  assert.equal(next.conditions[0].type, 'DisruptionTarget');
  assert.equal(cond(next, 'PodScheduled').lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(cond(next, 'Ready').lastTransitionTime, '2025-01-01T00:01:00Z');
  assert.equal(cond(next, 'Ready').message, 'containers with unready status: [app]');
});

test('generatePodStatus() follows getPhase for exited containers and restart policies', () => {
  const exited = (code: number) => container('app', { phase: 'exited', exitCode: code, reason: code ? 'Error' : 'Completed', finishedAt: T1 });
  const phase = (restartPolicy: string, code: number, terminal = false) => generatePodStatus(input(pod({ restartPolicy }), { rp: rp(exited(code)), terminal })).phase;
  assert.equal(phase('Never', 0), 'Succeeded');
  assert.equal(phase('Never', 2), 'Failed');
  assert.equal(phase('OnFailure', 0), 'Succeeded');
  assert.equal(phase('OnFailure', 1), 'Running');
  assert.equal(phase('Always', 0), 'Running');
  assert.equal(phase('Always', 0, true), 'Succeeded');
  assert.equal(phase('Always', 137, true), 'Failed');
  const failed = generatePodStatus(input(pod({ restartPolicy: 'Never' }), { rp: rp(exited(2)) }));
  assert.deepEqual([cond(failed, 'Ready').status, cond(failed, 'Ready').reason], ['False', 'PodFailed']);
  assert.equal(failed.containerStatuses[0].state.terminated.containerID, 'sim://app-id');
});

test('generatePodStatus() shows a crash-looping container as waiting with its last termination', () => {
  const crashed = container('app', { phase: 'exited', exitCode: 1, reason: 'Error', finishedAt: T1, attempt: 2 });
  const waiting = new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_default(u)' }]]);
  const s = generatePodStatus(input(pod(), { rp: rp(crashed), waiting }));
  const cs = s.containerStatuses[0];
  assert.equal(s.phase, 'Running');
  assert.equal(cs.restartCount, 2);
  assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container=app pod=p_default(u)' } });
  assert.equal(cs.lastState.terminated.exitCode, 1);
  assert.equal(cs.ready, false);
});

test('generatePodStatus() reports init containers and PodInitializing', () => {
  const p = pod({ initContainers: [{ name: 'init', image: 'busybox' }] });
  const s = generatePodStatus(input(p, { rp: rp(container('init', { kind: 'init' })) }));
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(s.containerStatuses[0].state, { waiting: { reason: 'PodInitializing' } });
  assert.deepEqual([cond(s, 'Initialized').status, cond(s, 'Initialized').message], ['False', 'containers with incomplete status: [init]']);
});

test('generatePodStatus() waits on readiness gates', () => {
  const p = pod({ readinessGates: [{ conditionType: 'example.com/lb' }] });
  const s = generatePodStatus(input(p, { rp: rp(container('app')), probes: ready('app') }));
  assert.deepEqual([cond(s, 'Ready').status, cond(s, 'Ready').reason, cond(s, 'Ready').message], ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/lb" does not exist.']);
  assert.equal(cond(s, 'ContainersReady').status, 'True');
});

test('generatePodStatus() fails a terminated pod whose containers never started, and never leaves a terminal phase', () => {
  const s = generatePodStatus(input(pod(), { terminal: true }));
  assert.equal(s.phase, 'Failed');
  // A pod without init containers counts as initialized: the container is reported lost (137).
  assert.deepEqual(s.containerStatuses[0].state.terminated, {
    exitCode: 137,
    reason: 'ContainerStatusUnknown',
    message: 'The container could not be located when the pod was terminated',
    startedAt: null,
    finishedAt: null,
  });
  assert.equal(cond(s, 'PodReadyToStartContainers').status, 'False');
  const uninit = generatePodStatus(input(pod({ initContainers: [{ name: 'init', image: 'busybox' }] }), { terminal: true }));
  assert.equal(uninit.phase, 'Failed');
  assert.deepEqual(uninit.containerStatuses[0].state, { waiting: { reason: 'PodInitializing' } });
  const again = generatePodStatus(input(pod({}, { phase: 'Succeeded' }), { rp: rp(container('app')), probes: ready('app') }));
  assert.equal(again.phase, 'Succeeded');
});
