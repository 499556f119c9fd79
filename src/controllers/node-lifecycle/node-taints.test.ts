import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { desiredTaints, labelsToReconcile } from './node-taints.js';
import { matchingTolerations, toleratesTaint } from './taints.js';

const NOW = '2026-01-01T00:00:00Z';
const node = (conditions: [string, string][], taints: unknown[] = [], unschedulable = false): KObject => ({
  metadata: { name: 'n' },
  spec: { taints, unschedulable },
  status: { conditions: conditions.map(([type, status]) => ({ type, status })) },
});
const keys = (ts: any[] | undefined) => ts?.map((t) => `${t.key}:${t.effect}`);

test('desiredTaints() derives NoSchedule taints from conditions and unschedulable, and swaps NoExecute', () => {
  const n = node([['Ready', 'Unknown'], ['MemoryPressure', 'True']], [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: NOW }], true);
  assert.deepEqual(keys(desiredTaints(n, { noExecute: 'node.kubernetes.io/unreachable', nowIso: NOW })), [
    'node.kubernetes.io/unreachable:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule',
    'node.kubernetes.io/unschedulable:NoSchedule',
    'node.kubernetes.io/unreachable:NoExecute',
  ]);
  assert.deepEqual(keys(desiredTaints(n, { noExecute: 'keep', nowIso: NOW })), [
    'node.kubernetes.io/not-ready:NoExecute',
    'node.kubernetes.io/unreachable:NoSchedule',
    'node.kubernetes.io/memory-pressure:NoSchedule',
    'node.kubernetes.io/unschedulable:NoSchedule',
  ]);
  const healthy = node([['Ready', 'True']], [{ key: 'example.com/x', effect: 'NoExecute' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }]);
  assert.deepEqual(keys(desiredTaints(healthy, { noExecute: 'none', nowIso: NOW })), ['example.com/x:NoExecute']);
  assert.equal(desiredTaints(node([['Ready', 'True']]), { noExecute: 'none', nowIso: NOW }), undefined, 'nothing to change');
});

test('labelsToReconcile() mirrors the stable os/arch labels into the beta ones', () => {
  assert.deepEqual(labelsToReconcile({ metadata: { labels: { 'kubernetes.io/os': 'linux', 'beta.kubernetes.io/os': 'windows' } } }), { 'beta.kubernetes.io/os': 'linux' });
  assert.equal(labelsToReconcile({ metadata: { labels: { 'beta.kubernetes.io/arch': 'amd64' } } }), undefined);
});

test('toleratesTaint() and matchingTolerations() follow Kubernetes', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  assert.equal(toleratesTaint({ key: 'k', value: 'v' }, taint), true, 'empty operator means Equal, empty effect matches all');
  assert.equal(toleratesTaint({ key: 'k', operator: 'Equal', value: 'w' }, taint), false);
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true);
  assert.equal(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint), false);
  const first = { key: 'k', operator: 'Exists', tolerationSeconds: 5 };
  assert.deepEqual(matchingTolerations([taint], [first, { operator: 'Exists' }]), [first], 'the first matching toleration is used');
  assert.equal(matchingTolerations([taint, { key: 'other', effect: 'NoExecute' }], [first]), undefined);
});
