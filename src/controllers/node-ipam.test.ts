import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import { NODES } from '../client/resources.js';
import { eventually, testCluster } from './test-cluster.js';
import { NodeIpamController } from './node-ipam.js';

test('NodeIpamController gives every node its own /24 and keeps ranges already set', async (t) => {
  const c = await testCluster();
  t.after(() => c.close());
  const ipam = new NodeIpamController(c.deps);
  await c.run(ipam);
  await c.client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'preset' }, spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] } });
  for (const n of ['a', 'b', 'c']) await c.client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: n } });
  let nodes: KObject[] = [];
  await eventually(async () => {
    nodes = (await c.client.list<KObject>(NODES)).items;
    return nodes.every((n) => n.spec?.podCIDR);
  }, 'every node has a range');
  const cidrs = nodes.map((n) => n.spec.podCIDR);
  assert.equal(new Set(cidrs).size, 4);
  assert.equal(nodes.find((n) => n.metadata!.name === 'preset')!.spec.podCIDR, '10.244.0.0/24');
  for (const n of nodes) assert.deepEqual(n.spec.podCIDRs, [n.spec.podCIDR]);
});

test('NodeIpamController hands out /24s beyond the first /16 of a larger range, and refuses bad ranges', async (t) => {
  const c = await testCluster();
  t.after(() => c.close());
  await c.run(new NodeIpamController(c.deps, { clusterCidr: '10.244.0.0/23' }));
  for (const n of ['a', 'b', 'c']) await c.client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: n } });
  await eventually(async () => (await c.client.list<KObject>(NODES)).items.filter((n) => n.spec?.podCIDR).length === 2, 'two ranges given');
  const cidrs = (await c.client.list<KObject>(NODES)).items.map((n) => n.spec?.podCIDR).filter(Boolean).sort();
  assert.deepEqual(cidrs, ['10.244.0.0/24', '10.244.1.0/24'], 'a /23 holds two node ranges');
  assert.throws(() => new NodeIpamController(c.deps, { clusterCidr: '10.244.1.0/16' }), /must be an IPv4 range/);
});
