import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { NODES, PODS } from '../../client/resources.js';
import { testCluster } from '../../controllers/test-cluster.js';

test('a pod status write with only podIP and hostIP stores podIPs and hostIPs too (v1 conversion)', async (t) => {
  const c = await testCluster();
  t.after(() => c.close());
  const pod = await c.client.create<KObject>(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const written = await c.client.update<KObject>(PODS, { ...pod, status: { ...pod.status, phase: 'Running', podIP: '10.244.1.7', hostIP: '192.168.0.2' } }, 'status');
  assert.deepEqual(written.status.podIPs, [{ ip: '10.244.1.7' }]);
  assert.deepEqual(written.status.hostIPs, [{ ip: '192.168.0.2' }]);
  const read = await c.client.get<KObject>(PODS, 'default', 'p');
  assert.equal(read.status.podIP, '10.244.1.7');
  assert.deepEqual(read.status.podIPs, [{ ip: '10.244.1.7' }]);
});

test('a node written with only spec.podCIDR gets spec.podCIDRs', async (t) => {
  const c = await testCluster();
  t.after(() => c.close());
  const node = await c.client.create<KObject>(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.5.0/24' } });
  assert.deepEqual(node.spec.podCIDRs, ['10.244.5.0/24']);
});
