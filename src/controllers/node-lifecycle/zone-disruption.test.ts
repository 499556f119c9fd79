import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { ZoneTracker, computeZoneState, zoneKey } from './zone-disruption.js';

const OPTS = { evictionRate: 0.1, secondaryEvictionRate: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55 };
const node = (ready: boolean, labels: Record<string, string> = {}): KObject => ({
  metadata: { labels },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown' }] },
});

test('computeZoneState() follows Kubernetes: no Ready node is full, more than two and >= 55% not Ready is partial', () => {
  assert.equal(computeZoneState({ ready: 0, notReady: 1 }, 0.55), 'FullDisruption');
  assert.equal(computeZoneState({ ready: 1, notReady: 2 }, 0.55), 'Normal');
  assert.equal(computeZoneState({ ready: 2, notReady: 3 }, 0.55), 'PartialDisruption');
  assert.equal(computeZoneState({ ready: 3, notReady: 3 }, 0.55), 'Normal');
});

test('zoneKey() prefers the beta labels and is empty without any', () => {
  assert.equal(zoneKey(node(true)), '');
  assert.equal(zoneKey(node(true, { 'topology.kubernetes.io/zone': 'z1', 'topology.kubernetes.io/region': 'r' })), 'r:\u0000:z1');
  assert.equal(zoneKey(node(true, { 'failure-domain.beta.kubernetes.io/zone': 'old', 'topology.kubernetes.io/zone': 'z1' })), ':\u0000:old');
});

test('ZoneTracker stops tainting when every zone is down and in small partially disrupted zones', () => {
  const z = new ZoneTracker(OPTS);
  z.update('a', node(false, { 'topology.kubernetes.io/zone': 'z1' }));
  z.update('b', node(true, { 'topology.kubernetes.io/zone': 'z2' }));
  assert.equal(z.rate('z1'), 0.1, 'one zone down, another up: normal rate');
  assert.equal(z.acquire('z1', 0), 0);
  assert.equal(z.acquire('z1', 1000), 9000, 'one taint per 10 s');
  z.refund('z1');
  assert.equal(z.acquire('z1', 1000), 0, 'a refunded token can be taken again');
  z.update('b', node(false, { 'topology.kubernetes.io/zone': 'z2' }));
  assert.equal(z.allFullyDisrupted(), true);
  assert.equal(z.acquire('z1', 100_000), Infinity);
  const small = new ZoneTracker(OPTS);
  for (const [n, ready] of [['a', false], ['b', false], ['c', false], ['d', true]] as const) small.update(n, node(ready));
  assert.equal(small.states().get(''), 'PartialDisruption');
  assert.equal(small.rate(''), 0);
  small.update('x', node(true, { 'node.kubernetes.io/exclude-disruption': '' }));
  assert.equal(small.states().get(''), 'PartialDisruption', 'excluded nodes do not count');
});
