import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import type { EndpointSliceObject } from '../../api/discovery/endpoint-slice.js';
import { CONFIG_MAPS, ENDPOINT_SLICES } from '../../client/resources.js';
import { testCluster } from '../../controllers/test-cluster.js';

function slice(): EndpointSliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'default' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  };
}

test('EndpointSlice metadata.generation: 1 on create, bumped by endpoints, ports or labels, not by annotations', async (t) => {
  const c = await testCluster();
  t.after(() => c.close());
  const s0 = await c.client.create<EndpointSliceObject>(ENDPOINT_SLICES, 'default', slice());
  assert.equal(s0.metadata?.generation, 1);
  const s1 = await c.client.update<EndpointSliceObject>(ENDPOINT_SLICES, { ...s0, endpoints: [{ addresses: ['10.0.0.2'], conditions: { ready: true } }] });
  assert.equal(s1.metadata?.generation, 2);
  const s2 = await c.client.update<EndpointSliceObject>(ENDPOINT_SLICES, { ...s1, metadata: { ...s1.metadata, labels: { 'kubernetes.io/service-name': 'web' } } });
  assert.equal(s2.metadata?.generation, 3);
  const s3 = await c.client.update<EndpointSliceObject>(ENDPOINT_SLICES, { ...s2, metadata: { ...s2.metadata, annotations: { note: 'x' } } });
  assert.equal(s3.metadata?.generation, 3);
  // A user cannot set it.
  const s4 = await c.client.update<EndpointSliceObject>(ENDPOINT_SLICES, { ...s3, metadata: { ...s3.metadata, generation: 42 } });
  assert.equal(s4.metadata?.generation, 3);
  // Kinds without a spec otherwise keep none.
  const cm = await c.client.create<KObject>(CONFIG_MAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} });
  assert.equal(cm.metadata?.generation, undefined);
});
