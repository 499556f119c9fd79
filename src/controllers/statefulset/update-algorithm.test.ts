import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { newRevision } from './revision-history.js';
import type { StatefulPodControl } from './stateful-pod-control.js';
import { updateStatefulSet } from './update-algorithm.js';
import { webSet } from './sts-test-support.js';

const NOW = new Date('2026-01-01T00:01:00Z');

/** Records what the algorithm asks for instead of writing. */
function fakeControl() {
  const calls: string[] = [];
  const control = {
    event: () => undefined,
    createPod: async (_s: KObject, p: KObject) => (calls.push(`create ${p.metadata!.name}`), 'created'),
    deletePod: async (_s: KObject, p: KObject) => void calls.push(`delete ${p.metadata!.name}`),
    podClaimIsStale: () => false,
    createMissingClaims: async () => undefined,
    claimsMatchRetentionPolicy: () => true,
    updateClaimsForRetentionPolicy: async () => undefined,
    updatePod: async (_s: KObject, p: KObject) => void calls.push(`update ${p.metadata!.name}`),
  };
  return { calls, control: control as unknown as StatefulPodControl };
}

function setWithUid(o: Parameters<typeof webSet>[1] & { maxUnavailable?: number | string } = {}): KObject {
  const s = webSet('web', o);
  s.metadata = { ...s.metadata, uid: 'set-uid', generation: 3 };
  if (o.maxUnavailable !== undefined) s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: o.maxUnavailable } };
  return s;
}

function pod(name: string, revision: string, state: 'ready' | 'pending' | 'terminating' = 'ready'): KObject {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': name, 'controller-revision-hash': revision },
      ...(state === 'terminating' ? { deletionTimestamp: '2026-01-01T00:00:59Z' } : {}),
    },
    spec: {},
    status:
      state === 'pending'
        ? { phase: 'Pending' }
        : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
  };
}

function revisions(set: KObject) {
  const current = newRevision(set, { revision: 1, collisionCount: 0 });
  const next = structuredClone(set);
  next.spec.template.spec.containers[0].image = 'nginx:2';
  const update = newRevision(next, { revision: 2, collisionCount: 0 });
  return { current, update, collisionCount: 0, names: [current.metadata!.name!, update.metadata!.name!] as const };
}

test('updateStatefulSet() with maxUnavailable deletes that many outdated pods at once, highest first', async () => {
  const set = setWithUid({ replicas: 4, maxUnavailable: 2 });
  const revs = revisions(set);
  const [cur] = revs.names;
  const { calls, control } = fakeControl();
  const res = await updateStatefulSet({ set, revisions: revs, pods: ['web-0', 'web-1', 'web-2', 'web-3'].map((n) => pod(n, cur)), now: NOW, control });
  assert.equal(res.error, undefined);
  assert.deepEqual(calls.sort(), ['delete web-2', 'delete web-3']);
  assert.equal(res.status.currentReplicas, 2);
  assert.equal(res.status.observedGeneration, 3);
});

test('updateStatefulSet() counts unavailable pods against maxUnavailable and honours the partition', async () => {
  const set = setWithUid({ replicas: 4, maxUnavailable: '50%' });
  set.spec.updateStrategy.rollingUpdate.partition = 1;
  const revs = revisions(set);
  const [cur, upd] = revs.names;
  // web-3 is already updated but not Ready: one of the two slots is taken.
  const pods = [pod('web-0', cur), pod('web-1', cur), pod('web-2', cur), pod('web-3', upd, 'pending')];
  set.spec.podManagementPolicy = 'Parallel';
  const { calls, control } = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods, now: NOW, control });
  assert.deepEqual(calls, ['delete web-2']);
  // All others available, partition 1: web-0 is never touched.
  const ready = [pod('web-0', cur), pod('web-1', cur), pod('web-2', upd), pod('web-3', upd)];
  const second = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: ready, now: NOW, control: second.control });
  assert.deepEqual(second.calls, ['delete web-1']);
});

test('updateStatefulSet() without maxUnavailable replaces one pod and waits for it', async () => {
  const set = setWithUid({ replicas: 3 });
  const revs = revisions(set);
  const [cur, upd] = revs.names;
  const first = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: [pod('web-0', cur), pod('web-1', cur), pod('web-2', cur)], now: NOW, control: first.control });
  assert.deepEqual(first.calls, ['delete web-2']);
  // web-2 is back at the update revision but not Ready (OrderedReady: nothing at all happens).
  const waiting = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: [pod('web-0', cur), pod('web-1', cur), pod('web-2', upd, 'pending')], now: NOW, control: waiting.control });
  assert.deepEqual(waiting.calls, []);
});

test('updateStatefulSet() creates missing ordinals at once under Parallel and one at a time under OrderedReady', async () => {
  const set = setWithUid({ replicas: 3, start: 5 });
  const revs = revisions(set);
  const ordered = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: [], now: NOW, control: ordered.control });
  assert.deepEqual(ordered.calls, ['create web-5']);
  set.spec.podManagementPolicy = 'Parallel';
  const parallel = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: [], now: NOW, control: parallel.control });
  assert.deepEqual(parallel.calls.sort(), ['create web-5', 'create web-6', 'create web-7']);
});

test('updateStatefulSet() scales down from the highest ordinal; an unhealthy condemned pod may go only when it is the first unhealthy one', async () => {
  const set = setWithUid({ replicas: 1 });
  const revs = revisions(set);
  const [cur] = revs.names;
  const a = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: [pod('web-0', cur), pod('web-1', cur), pod('web-2', cur)], now: NOW, control: a.control });
  assert.deepEqual(a.calls, ['delete web-2']);
  // web-1 unhealthy, web-2 healthy: web-2 goes first (Kubernetes' firstUnhealthyPod rule).
  const b = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: [pod('web-0', cur), pod('web-1', cur, 'pending'), pod('web-2', cur)], now: NOW, control: b.control });
  assert.deepEqual(b.calls, ['delete web-2']);
  // A terminating condemned pod blocks the next deletion.
  const c = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: [pod('web-0', cur), pod('web-1', cur), pod('web-2', cur, 'terminating')], now: NOW, control: c.control });
  assert.deepEqual(c.calls, []);
  // An unhealthy pod in range blocks scale-down altogether.
  const d = fakeControl();
  await updateStatefulSet({ set, revisions: revs, pods: [pod('web-0', cur, 'pending'), pod('web-1', cur)], now: NOW, control: d.control });
  assert.deepEqual(d.calls, []);
});

test('updateStatefulSet() only reports status for a set being deleted', async () => {
  const set = setWithUid({ replicas: 2 });
  set.metadata!.deletionTimestamp = '2026-01-01T00:00:00Z';
  const revs = revisions(set);
  const { calls, control } = fakeControl();
  const res = await updateStatefulSet({ set, revisions: revs, pods: [pod('web-0', revs.names[0])], now: NOW, control });
  assert.deepEqual(calls, []);
  assert.equal(res.status.replicas, 1);
  assert.equal(res.status.readyReplicas, 1);
});
