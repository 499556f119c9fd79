import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Status } from './framework.js';
import { unresolvable, unschedulable } from './framework.js';
import { fitErrorMessage, preemptionMessage, unschedulableMessage } from './fit-error.js';

const statuses = (...s: Status[]) => new Map(s.map((x, i) => [`n${i}`, x]));

test('fitErrorMessage() sorts the reason histogram as Go sorts strings', () => {
  const nodeStatuses = statuses(
    ...Array.from({ length: 10 }, () => unschedulable('NodeResourcesFit', 'Insufficient cpu')),
    unresolvable('TaintToleration', 'node(s) had untolerated taint {a: b}'),
    unresolvable('TaintToleration', 'node(s) had untolerated taint {a: b}'),
    unschedulable('NodeResourcesFit', 'Insufficient cpu', 'Insufficient memory'),
  );
  assert.equal(
    fitErrorMessage({ numAllNodes: 13, nodeStatuses }),
    '0/13 nodes are available: 1 Insufficient memory, 11 Insufficient cpu, 2 node(s) had untolerated taint {a: b}.',
  );
});

test('fitErrorMessage() counts nodes a PreFilter excluded with the absent status', () => {
  const d = { numAllNodes: 5, nodeStatuses: statuses(unschedulable('NodeResourcesFit', 'Insufficient cpu')), absent: unresolvable('VolumeBinding', "node(s) didn't satisfy plugin(s) [VolumeBinding]") };
  assert.equal(
    unschedulableMessage({ spec: {} }, d),
    "0/5 nodes are available: 1 Insufficient cpu, 4 node(s) didn't satisfy plugin(s) [VolumeBinding]. preemption: 0/5 nodes are available: 1 No preemption victims found for incoming pod, 4 Preemption is not helpful for scheduling.",
  );
});

test('a PreFilter rejection is the whole message', () => {
  const s = unresolvable('VolumeBinding', 'pod has unbound immediate PersistentVolumeClaims');
  const d = { numAllNodes: 2, nodeStatuses: new Map(), absent: s, preFilterMsg: s.reasons.join(', ') };
  assert.equal(
    unschedulableMessage({ spec: {} }, d),
    '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
  );
});

test('preemptionPolicy Never and an empty cluster', () => {
  const d = { numAllNodes: 1, nodeStatuses: statuses(unschedulable('NodeResourcesFit', 'Too many pods')) };
  assert.equal(preemptionMessage({ spec: { preemptionPolicy: 'Never' } }, d), 'preemption: not eligible due to preemptionPolicy=Never.');
  assert.equal(unschedulableMessage({ spec: {} }, { numAllNodes: 0, nodeStatuses: new Map() }), 'no nodes available to schedule pods');
});
