import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import {
  annotationsForRollback,
  equalIgnoreHash,
  findActiveOrLatest,
  findNewReplicaSet,
  lastRevision,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportion,
  resolveFenceposts,
  setCondition,
  setNewReplicaSetAnnotations,
} from './deployment-util.js';

const deploy = (replicas: number, ru: Record<string, unknown> = {}, extra: Record<string, any> = {}): KObject => ({
  metadata: { name: 'd', annotations: { 'kubernetes.io/change-cause': 'v2', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%', ...ru } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'a' }] } } },
  ...extra,
});

const rs = (name: string, replicas: number, extra: Record<string, any> = {}): KObject => ({
  metadata: { name, creationTimestamp: extra.created ?? '2024-01-01T00:00:00Z', annotations: extra.annotations ?? {} },
  spec: { replicas, template: extra.template ?? { metadata: { labels: { app: 'd', 'pod-template-hash': name } }, spec: { containers: [{ name: 'c', image: name }] } } },
  status: extra.status ?? {},
});

test('resolveFenceposts() rounds maxSurge up and maxUnavailable down, and never lets both be zero', () => {
  assert.deepEqual(resolveFenceposts(deploy(10)), [3, 2]);
  assert.deepEqual(resolveFenceposts(deploy(1)), [1, 0]);
  assert.deepEqual(resolveFenceposts(deploy(3, { maxSurge: 0, maxUnavailable: '10%' })), [0, 1]);
  assert.deepEqual(resolveFenceposts(deploy(4, { maxSurge: 2, maxUnavailable: 1 })), [2, 1]);
  assert.equal(maxUnavailable(deploy(2, { maxUnavailable: '100%' })), 2);
  assert.equal(maxUnavailable(deploy(0)), 0);
  assert.equal(maxSurge({ spec: { replicas: 3, strategy: { type: 'Recreate' } } }), 0);
});

test('newRSNewReplicas() grows the new ReplicaSet within replicas + maxSurge and not beyond replicas', () => {
  const d = deploy(4, { maxSurge: 1, maxUnavailable: 0 });
  const newRS = rs('new', 0);
  assert.equal(newRSNewReplicas(d, [rs('old', 4), newRS], newRS), 1);
  assert.equal(newRSNewReplicas(d, [rs('old', 4), rs('new', 1)], rs('new', 1)), 1);
  assert.equal(newRSNewReplicas(d, [rs('old', 0), rs('new', 3)], rs('new', 3)), 4);
  assert.equal(newRSNewReplicas({ ...d, spec: { ...d.spec, strategy: { type: 'Recreate' } } }, [newRS], newRS), 4);
});

test('proportion() shares a scaling change by each ReplicaSet size over the size it was made for', () => {
  const d = deploy(20, { maxSurge: 3, maxUnavailable: 0 });
  const old = rs('old', 10, { annotations: { 'deployment.kubernetes.io/max-replicas': '13' } });
  const cur = rs('new', 3, { annotations: { 'deployment.kubernetes.io/max-replicas': '13' } });
  assert.equal(proportion(old, d, { toAdd: 10, added: 0 }), 8);
  assert.equal(proportion(cur, d, { toAdd: 10, added: 8 }), 2);
  assert.equal(proportion(cur, d, { toAdd: 10, added: 10 }), 0);
  // Scaling to zero takes everything.
  assert.equal(proportion(old, deploy(0), { toAdd: -13, added: 0 }), -10);
});

test('findNewReplicaSet() matches templates ignoring pod-template-hash and picks the oldest', () => {
  const d = deploy(1);
  const a = rs('a', 1, { created: '2024-01-02T00:00:00Z', template: { metadata: { labels: { app: 'd', 'pod-template-hash': 'x' } }, spec: { containers: [{ name: 'c', image: 'a' }] } } });
  const b = rs('b', 1, { created: '2024-01-01T00:00:00Z', template: { metadata: { labels: { app: 'd', 'pod-template-hash': 'y' } }, spec: { containers: [{ name: 'c', image: 'a' }] } } });
  assert.equal(findNewReplicaSet(d, [a, b])?.metadata?.name, 'b');
  assert.equal(findNewReplicaSet(d, [rs('c', 1)]), undefined);
  assert.ok(equalIgnoreHash({ metadata: { labels: { a: '1' }, creationTimestamp: null }, spec: { x: [] } }, { metadata: { labels: { a: '1', 'pod-template-hash': 'z' } }, spec: {} }));
});

test('findActiveOrLatest() returns the only active ReplicaSet, the newest when none is, nothing when several are', () => {
  const old = rs('old', 0, { created: '2024-01-01T00:00:00Z' });
  const older = rs('older', 0, { created: '2023-01-01T00:00:00Z' });
  assert.equal(findActiveOrLatest(undefined, [older, old])?.metadata?.name, 'old');
  assert.equal(findActiveOrLatest(rs('new', 0), [rs('x', 2)])?.metadata?.name, 'x');
  assert.equal(findActiveOrLatest(rs('new', 1), [rs('x', 2)]), undefined);
});

test('setNewReplicaSetAnnotations() copies annotations, bumps the revision and records the old one in revision-history', () => {
  const d = deploy(3);
  const fresh = rs('n', 0);
  assert.equal(setNewReplicaSetAnnotations(d, fresh, { newRevision: 1, exists: false }), true);
  assert.deepEqual(fresh.metadata?.annotations, {
    'kubernetes.io/change-cause': 'v2',
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
  });
  const back = rs('b', 0, { annotations: { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/revision-history': '1' } });
  assert.equal(setNewReplicaSetAnnotations(d, back, { newRevision: 5, exists: true }), true);
  assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision'], '5');
  assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1,2');
  assert.equal(setNewReplicaSetAnnotations(d, back, { newRevision: 5, exists: true }), false, 'nothing more to change');
  assert.equal(lastRevision([rs('x', 0, { annotations: { 'deployment.kubernetes.io/revision': '7' } }), back, rs('y', 0)]), 5);
});

test('annotationsForRollback() takes the ReplicaSet annotations but keeps the Deployment own ones', () => {
  const d = deploy(1, {}, { metadata: { annotations: { 'deployment.kubernetes.io/revision': '4', a: 'old' } } });
  const r = rs('r', 0, { annotations: { 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/desired-replicas': '1', a: 'new', b: 'x' } });
  assert.deepEqual(annotationsForRollback(d, r), { 'deployment.kubernetes.io/revision': '4', a: 'new', b: 'x' });
});

test('setCondition() keeps lastTransitionTime while the status stays and ignores an identical reason', () => {
  const status: any = { conditions: [{ type: 'Available', status: 'True', reason: 'A', lastTransitionTime: 't0', lastUpdateTime: 't0' }] };
  setCondition(status, { type: 'Available', status: 'True', reason: 'A', lastTransitionTime: 't1', lastUpdateTime: 't1' });
  assert.equal(status.conditions[0].lastUpdateTime, 't0');
  setCondition(status, { type: 'Available', status: 'True', reason: 'B', lastTransitionTime: 't2', lastUpdateTime: 't2' });
  assert.deepEqual([status.conditions[0].reason, status.conditions[0].lastTransitionTime, status.conditions[0].lastUpdateTime], ['B', 't0', 't2']);
});
