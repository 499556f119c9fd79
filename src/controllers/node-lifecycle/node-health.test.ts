import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { markConditionsUnknown, observeHealth } from './node-health.js';

const node = (heartbeat?: string): KObject => ({
  metadata: { name: 'n', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: heartbeat ? { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat, lastTransitionTime: heartbeat }] } : {},
});
const lease = (renewTime: string): KObject => ({ spec: { renewTime } });

test('observeHealth() times signs of life on the controller clock, not on the times written in them', () => {
  const first = observeHealth(undefined, { node: node('2020-01-01T00:00:00Z'), lease: lease('2020-01-01T00:00:00.000000Z'), nowMs: 1000 });
  assert.equal(first.probeMs, 1000, 'a node seen for the first time gets a full grace period');
  const same = observeHealth(first, { node: node('2020-01-01T00:00:00Z'), lease: lease('2020-01-01T00:00:00.000000Z'), nowMs: 5000 });
  assert.equal(same.probeMs, 1000, 'nothing new');
  const renewed = observeHealth(same, { node: node('2020-01-01T00:00:00Z'), lease: lease('2020-01-01T00:00:00.000001Z'), nowMs: 6000 });
  assert.equal(renewed.probeMs, 6000, 'a renewal one microsecond later counts');
  const older = observeHealth(renewed, { node: node('2020-01-01T00:00:00Z'), lease: lease('2019-01-01T00:00:00.000000Z'), nowMs: 7000 });
  assert.equal(older.probeMs, 6000, 'a renewTime going back is no sign of life');
  const beat = observeHealth(older, { node: node('2020-01-01T00:00:10Z'), nowMs: 8000 });
  assert.equal(beat.probeMs, 8000, 'a new Ready heartbeat counts');
});

test('observeHealth() runs the startup grace of a node that never posted Ready from its creation', () => {
  const h = observeHealth(undefined, { node: node(), nowMs: Date.parse('2026-01-01T00:05:00Z') });
  assert.equal(h.probeMs, Date.parse('2026-01-01T00:00:00.999Z'), 'the end of the creation second');
  assert.equal(h.hasReady, false);
});

test('markConditionsUnknown() reports a Ready change only once', () => {
  const n = node('2026-01-01T00:00:00Z');
  assert.equal(markConditionsUnknown(n, '2026-01-01T00:01:00Z'), true);
  assert.deepEqual(
    n.status.conditions.map((c: any) => [c.type, c.status, c.reason]),
    [
      ['Ready', 'Unknown', 'NodeStatusUnknown'],
      ['MemoryPressure', 'Unknown', 'NodeStatusNeverUpdated'],
      ['DiskPressure', 'Unknown', 'NodeStatusNeverUpdated'],
      ['PIDPressure', 'Unknown', 'NodeStatusNeverUpdated'],
    ],
  );
  assert.equal(n.status.conditions[1].lastHeartbeatTime, '2026-01-01T00:00:00Z', 'never updated: heartbeat is the creation time');
  assert.equal(markConditionsUnknown(n, '2026-01-01T00:02:00Z'), false);
  assert.equal(n.status.conditions[0].lastTransitionTime, '2026-01-01T00:01:00Z');
});
