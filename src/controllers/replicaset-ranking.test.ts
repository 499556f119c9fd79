import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import { ReplicaSetExpectations } from './replicaset-expectations.js';
import { podsToDelete } from './replicaset-ranking.js';

const now = new Date('2024-06-01T12:00:00Z');
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

const pod = (name: string, opts: { node?: string; phase?: string; readyFor?: number; created?: number; cost?: string; restarts?: number } = {}): KObject => ({
  metadata: {
    name,
    uid: name,
    creationTimestamp: ago(opts.created ?? 3600),
    ...(opts.cost ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': opts.cost } } : {}),
  },
  spec: opts.node ? { nodeName: opts.node } : {},
  status: {
    phase: opts.phase ?? 'Pending',
    ...(opts.readyFor !== undefined ? { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: ago(opts.readyFor) }] } : {}),
    ...(opts.restarts ? { containerStatuses: [{ name: 'c', restartCount: opts.restarts }] } : {}),
  },
});

const order = (pods: KObject[], related: KObject[] = pods) => podsToDelete(pods, pods.length - 1, { related, now }).map((p) => p.metadata?.name);

test('podsToDelete() ranks unscheduled < pending < running not ready < ready', () => {
  const pods = [
    pod('ready', { node: 'n1', phase: 'Running', readyFor: 600 }),
    pod('unready', { node: 'n1', phase: 'Running' }),
    pod('pending', { node: 'n1' }),
    pod('unscheduled'),
  ];
  assert.deepEqual(order(pods), ['unscheduled', 'pending', 'unready']);
});

test('podsToDelete() prefers a lower deletion cost, pods doubled up on a node, then the most recently ready', () => {
  const a = pod('cheap', { node: 'n1', phase: 'Running', readyFor: 10, cost: '-5' });
  const b = pod('long-ready', { node: 'n2', phase: 'Running', readyFor: 100_000 });
  const c = pod('just-ready', { node: 'n3', phase: 'Running', readyFor: 5 });
  assert.deepEqual(podsToDelete([b, c, a], 2, { related: [a, b, c], now }).map((p) => p.metadata?.name), ['cheap', 'just-ready']);
  // Two related pods on n2: its pod goes first, whatever its age.
  const sibling = pod('sibling', { node: 'n2', phase: 'Running', readyFor: 100_000 });
  assert.deepEqual(podsToDelete([b, c], 1, { related: [b, c, sibling], now }).map((p) => p.metadata?.name), ['long-ready']);
});

test('podsToDelete() deletes pods with more restarts first, then the newest', () => {
  const a = pod('restarting', { node: 'n1', phase: 'Running', restarts: 3, created: 100_000 });
  const b = pod('new', { node: 'n2', phase: 'Running', created: 10 });
  const c = pod('old', { node: 'n3', phase: 'Running', created: 100_000 });
  assert.deepEqual(podsToDelete([c, b, a], 2, { related: [], now }).map((p) => p.metadata?.name), ['restarting', 'new']);
});

test('ReplicaSetExpectations counts creations and tracks deletions until observed, and expires', () => {
  let t = 0;
  const e = new ReplicaSetExpectations(() => t, 1000);
  e.expectCreations('ns/rs', 2);
  e.expectDeletions('ns/rs', ['ns/a']);
  assert.equal(e.pendingCreates('ns/rs'), 2);
  assert.equal(e.satisfied('ns/rs'), false);
  e.creationObserved('ns/rs');
  e.creationObserved('ns/rs');
  e.creationObserved('ns/rs');
  assert.equal(e.pendingCreates('ns/rs'), 0);
  e.deletionObserved('ns/rs', 'ns/other');
  assert.deepEqual([...e.pendingDeletes('ns/rs')], ['ns/a']);
  e.deletionObserved('ns/rs', 'ns/a');
  assert.equal(e.satisfied('ns/rs'), true);
  e.expectCreations('ns/rs', 1);
  t = 2000;
  assert.equal(e.pendingCreates('ns/rs'), 0, 'expired');
});
