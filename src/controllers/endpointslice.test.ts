import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { ENDPOINT_SLICES, PODS, SERVICES } from '../client/resources.js';
import { EndpointSliceController } from './endpointslice.js';
import { desiredEndpoints, planSlices } from './endpointslice-plan.js';
import { eventually, testCluster } from './test-cluster.js';
import { runPod, webPod } from './endpoints-test-support.js';

async function harness(t: TestContext, opts: { maxEndpointsPerSlice?: number } = {}) {
  const c = await testCluster();
  t.after(() => c.close());
  const ctrl = new EndpointSliceController(c.deps, { maxEndpointsPerSlice: opts.maxEndpointsPerSlice });
  await c.run(ctrl);
  return { ...c, ctrl };
}

const service = (name: string, spec: Record<string, any> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', labels: { team: 'a' } },
  spec: { clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...spec },
});

const slicesOf = async (client: Client, svc: string) =>
  (await client.list(ENDPOINT_SLICES, 'default', { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
const allEndpoints = async (client: Client, svc: string) => (await slicesOf(client, svc)).flatMap((s) => s.endpoints ?? []);

test('EndpointSliceController writes one slice per Service with endpoint conditions, ports and an owner', async (t) => {
  const h = await harness(t);
  const svc = await h.client.create(SERVICES, 'default', service('web'));
  const a = await runPod(h.client, webPod('a'), { ip: '10.0.0.1', ready: true });
  await runPod(h.client, webPod('b'), { ip: '10.0.0.2', ready: false });
  await eventually(async () => (await allEndpoints(h.client, 'web')).length === 2, 'two endpoints');
  const [slice] = await slicesOf(h.client, 'web');
  assert.match(slice.metadata?.name ?? '', /^web-[a-z0-9]{5}$/);
  assert.equal(slice.metadata?.generateName, 'web-');
  assert.deepEqual(slice.metadata?.labels, {
    team: 'a',
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
  });
  assert.deepEqual(slice.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata?.uid, controller: true, blockOwnerDeletion: true }]);
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const byName = Object.fromEntries(slice.endpoints.map((e: any) => [e.targetRef.name, e]));
  assert.deepEqual(byName.a, {
    addresses: ['10.0.0.1'],
    conditions: { ready: true, serving: true, terminating: false },
    nodeName: 'node-1',
    targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: a.metadata?.uid },
  });
  assert.deepEqual(byName.b.conditions, { ready: false, serving: false, terminating: false });
  assert.ok(slice.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
});

test('EndpointSliceController keeps terminating pods as terminating, serving endpoints, updated in place', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web'));
  await runPod(h.client, webPod('a', { terminationGracePeriodSeconds: 30 }), { ip: '10.0.0.1', ready: true });
  await eventually(async () => (await allEndpoints(h.client, 'web')).length === 1, 'one endpoint');
  const [before] = await slicesOf(h.client, 'web');
  await h.client.delete(PODS, 'default', 'a');
  await eventually(async () => (await allEndpoints(h.client, 'web'))[0]?.conditions?.terminating === true, 'terminating');
  const [after] = await slicesOf(h.client, 'web');
  assert.equal(after.metadata?.name, before.metadata?.name, 'the same slice, updated');
  assert.deepEqual(after.endpoints[0].conditions, { ready: false, serving: true, terminating: true });
});

test('EndpointSliceController sets hostnames of StatefulSet pods and marks headless Services', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('nginx', { clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }));
  await runPod(h.client, webPod('web-0', { hostname: 'web-0', subdomain: 'nginx' }), { ip: '10.0.0.10', ready: true });
  await eventually(async () => (await allEndpoints(h.client, 'nginx')).length === 1, 'one endpoint');
  const [slice] = await slicesOf(h.client, 'nginx');
  assert.equal(slice.endpoints[0].hostname, 'web-0');
  assert.equal(slice.metadata?.labels?.['service.kubernetes.io/headless'], '');
  assert.deepEqual(slice.ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
});

test('EndpointSliceController keeps a placeholder slice for a Service with no endpoints', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web'));
  await eventually(async () => (await slicesOf(h.client, 'web')).length === 1, 'a placeholder');
  const [placeholder] = await slicesOf(h.client, 'web');
  assert.deepEqual(placeholder.endpoints ?? [], []);
  await runPod(h.client, webPod('a'), { ip: '10.0.0.1', ready: true });
  await eventually(async () => (await allEndpoints(h.client, 'web')).length === 1, 'one endpoint');
  const slices = await slicesOf(h.client, 'web');
  assert.equal(slices.length, 1);
  assert.equal(slices[0].metadata?.name, placeholder.metadata?.name, 'the placeholder was reused');
});

test('EndpointSliceController spreads endpoints over slices of at most maxEndpointsPerSlice and shrinks them in place', async (t) => {
  const h = await harness(t, { maxEndpointsPerSlice: 3 });
  await h.client.create(SERVICES, 'default', service('web'));
  await Promise.all(Array.from({ length: 7 }, (_, i) => runPod(h.client, webPod(`p${i}`), { ip: `10.0.0.${i + 1}`, ready: true })));
  await eventually(async () => (await allEndpoints(h.client, 'web')).length === 7, 'seven endpoints');
  const slices = await slicesOf(h.client, 'web');
  assert.equal(slices.length, 3);
  for (const s of slices) assert.ok(s.endpoints.length <= 3);
  const names = slices.map((s) => s.metadata?.name).sort();
  await h.client.delete(PODS, 'default', 'p0', { gracePeriodSeconds: 0 });
  await eventually(async () => (await allEndpoints(h.client, 'web')).length === 6, 'six endpoints');
  assert.deepEqual((await slicesOf(h.client, 'web')).map((s) => s.metadata?.name).sort(), names, 'no slice replaced');
});

test('EndpointSliceController replaces a slice someone deleted', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web'));
  await runPod(h.client, webPod('a'), { ip: '10.0.0.1', ready: true });
  await eventually(async () => (await allEndpoints(h.client, 'web')).length === 1, 'one endpoint');
  const [slice] = await slicesOf(h.client, 'web');
  await h.client.delete(ENDPOINT_SLICES, 'default', slice.metadata!.name!);
  await eventually(async () => {
    const now = await slicesOf(h.client, 'web');
    return now.length === 1 && now[0].metadata?.name !== slice.metadata?.name && now[0].endpoints?.length === 1;
  }, 'a new slice');
});

test('planSlices() deletes slices the Service does not own and of address types it lost', () => {
  const svc: KObject = { metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { clusterIP: '10.96.0.1', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } };
  const foreign: KObject = { metadata: { name: 'web-old', namespace: 'default', ownerReferences: [{ uid: 'u0', controller: true }] }, addressType: 'IPv4', endpoints: [] };
  const v6: KObject = { metadata: { name: 'web-v6', namespace: 'default', ownerReferences: [{ uid: 'u1', controller: true }] }, addressType: 'IPv6', endpoints: [] };
  const pods: KObject[] = [{ metadata: { name: 'a', namespace: 'default', uid: 'pa' }, spec: {}, status: { phase: 'Running', podIP: '10.0.0.1' } }];
  const plan = planSlices(svc, {
    existing: [foreign, v6],
    desired: desiredEndpoints(svc, pods, ['IPv4']),
    labels: { 'kubernetes.io/service-name': 'web' },
    maxPerSlice: 100,
    owned: (s) => s.metadata?.ownerReferences?.[0]?.uid === 'u1',
  });
  assert.deepEqual(plan.delete.map((s) => s.metadata?.name).sort(), ['web-old', 'web-v6']);
  assert.equal(plan.create.length, 1);
  assert.deepEqual(plan.create[0].endpoints.map((e: any) => e.addresses), [['10.0.0.1']]);
});
