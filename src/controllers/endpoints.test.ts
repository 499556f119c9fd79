import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { ENDPOINTS, PODS, SERVICES } from '../client/resources.js';
import { EndpointsController, repackSubsets, truncateSubsets } from './endpoints.js';
import { eventually, testCluster } from './test-cluster.js';
import { rfc3339, runPod, webPod } from './endpoints-test-support.js';

async function harness(t: TestContext, opts: { run?: boolean } = {}) {
  const c = await testCluster();
  t.after(() => c.close());
  const ctrl = new EndpointsController(c.deps);
  if (opts.run !== false) await c.run(ctrl);
  return { ...c, ctrl };
}

const service = (name: string, spec: Record<string, any> = {}, labels?: Record<string, string>): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9090, targetPort: 9100 }], ...spec },
});

const getEp = (client: Client, name: string) => client.get(ENDPOINTS, 'default', name).catch(() => undefined);
const ips = (list: any[] | undefined) => (list ?? []).map((a) => a.ip);

test('EndpointsController lists ready pods in addresses and the others in notReadyAddresses, ports resolved by name and number', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web', { clusterIP: '10.96.0.10' }, { team: 'a' }));
  const a = await runPod(h.client, webPod('a'), { ip: '10.0.0.2', ready: true });
  await runPod(h.client, webPod('b'), { ip: '10.0.0.1', ready: false });
  await runPod(h.client, webPod('c'), { ip: '10.0.0.3', ready: true, phase: 'Succeeded' });
  await h.client.create(PODS, 'default', webPod('no-ip'));
  await h.client.create(PODS, 'default', { ...webPod('other'), metadata: { name: 'other', namespace: 'default', labels: { app: 'db' } } });
  await eventually(async () => (await getEp(h.client, 'web'))?.subsets?.[0]?.notReadyAddresses?.length === 1, 'the endpoints');
  const ep = (await getEp(h.client, 'web'))!;
  assert.equal(ep.subsets.length, 1);
  const [subset] = ep.subsets;
  assert.deepEqual(subset.addresses, [
    { ip: '10.0.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: a.metadata?.uid } },
  ]);
  assert.deepEqual(ips(subset.notReadyAddresses), ['10.0.0.1']);
  assert.deepEqual(subset.ports, [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'metrics', port: 9100, protocol: 'TCP' },
  ]);
  assert.deepEqual(ep.metadata?.labels, { team: 'a' });
  assert.match(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // Readiness changes move the address.
  const b = await h.client.get(PODS, 'default', 'b');
  await h.client.update(PODS, { ...b, status: { ...b.status, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(new Date()) }] } }, 'status');
  await eventually(async () => ips((await getEp(h.client, 'web'))?.subsets?.[0]?.addresses).join() === '10.0.0.1,10.0.0.2', 'both ready, sorted by IP');
  // A terminating pod leaves.
  await h.client.delete(PODS, 'default', 'a');
  await eventually(async () => ips((await getEp(h.client, 'web'))?.subsets?.[0]?.addresses).join() === '10.0.0.1', 'a gone');
});

test('EndpointsController gives StatefulSet-style pods their hostname under the headless Service', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('nginx', { clusterIP: 'None', ports: [{ name: 'web', port: 80 }] }));
  await runPod(h.client, webPod('web-0', { hostname: 'web-0', subdomain: 'nginx' }), { ip: '10.0.0.10', ready: true });
  await runPod(h.client, webPod('web-1', { hostname: 'web-1', subdomain: 'elsewhere' }), { ip: '10.0.0.11', ready: true });
  await eventually(async () => (await getEp(h.client, 'nginx'))?.subsets?.[0]?.addresses?.length === 2, 'two addresses');
  const ep = (await getEp(h.client, 'nginx'))!;
  assert.deepEqual(
    ep.subsets[0].addresses.map((x: any) => [x.ip, x.hostname]),
    [
      ['10.0.0.10', 'web-0'],
      ['10.0.0.11', undefined],
    ],
  );
  assert.deepEqual(ep.subsets[0].ports, [{ name: 'web', port: 80, protocol: 'TCP' }]);
  assert.deepEqual(ep.metadata?.labels, { 'service.kubernetes.io/headless': '' });
});

test('EndpointsController publishes not-ready and terminating pods as addresses with publishNotReadyAddresses', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web', { publishNotReadyAddresses: true }));
  await runPod(h.client, webPod('a', { terminationGracePeriodSeconds: 30 }), { ip: '10.0.0.1', ready: false });
  await runPod(h.client, webPod('b'), { ip: '10.0.0.2', ready: true });
  await h.client.delete(PODS, 'default', 'b');
  await eventually(async () => (await h.client.get(PODS, 'default', 'b')).metadata?.deletionTimestamp !== undefined, 'b terminating');
  await eventually(async () => ips((await getEp(h.client, 'web'))?.subsets?.[0]?.addresses).join() === '10.0.0.1,10.0.0.2', 'both published');
  assert.equal((await getEp(h.client, 'web'))?.subsets[0].notReadyAddresses, undefined);
});

test('EndpointsController leaves Services without a selector to the user and deletes Endpoints with their Service', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  await h.client.create(ENDPOINTS, 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'ext', namespace: 'default' },
    subsets: [{ addresses: [{ ip: '192.168.1.1' }], ports: [{ port: 80 }] }],
  });
  await h.client.create(SERVICES, 'default', service('web'));
  await runPod(h.client, webPod('a'), { ip: '10.0.0.1', ready: true });
  await eventually(async () => !!(await getEp(h.client, 'web'))?.subsets, 'web endpoints');
  assert.deepEqual(ips((await getEp(h.client, 'ext'))?.subsets[0].addresses), ['192.168.1.1']);
  await h.client.delete(SERVICES, 'default', 'web');
  await eventually(async () => !(await getEp(h.client, 'web')), 'web endpoints deleted');
  await h.client.delete(SERVICES, 'default', 'ext');
  await eventually(async () => !(await getEp(h.client, 'ext')), 'ext endpoints deleted with their Service');
});

test('EndpointsController recreates deleted Endpoints and deletes leftovers at start', async (t) => {
  const h = await harness(t, { run: false });
  await h.client.create(ENDPOINTS, 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'orphan', namespace: 'default' } });
  await h.client.create(SERVICES, 'default', service('web'));
  await runPod(h.client, webPod('a'), { ip: '10.0.0.1', ready: true });
  await h.run(h.ctrl);
  await eventually(async () => !(await getEp(h.client, 'orphan')), 'the leftover deleted');
  await eventually(async () => !!(await getEp(h.client, 'web')), 'web endpoints');
  await h.client.delete(ENDPOINTS, 'default', 'web');
  await eventually(async () => ips((await getEp(h.client, 'web'))?.subsets?.[0]?.addresses).join() === '10.0.0.1', 'recreated');
});

test('EndpointsController truncates beyond 1000 addresses and says so', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web', { ports: [{ port: 80 }] }));
  const n = 1003;
  await Promise.all(
    Array.from({ length: n }, (_, i) => runPod(h.client, webPod(`p${i}`), { ip: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, ready: true })),
  );
  await eventually(async () => (await getEp(h.client, 'web'))?.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'] === 'truncated', 'truncated', 8000);
  const ep = (await getEp(h.client, 'web'))!;
  assert.equal(ep.subsets[0].addresses.length, 1000);
  for (let i = 0; i < n; i++) await h.client.delete(PODS, 'default', `p${i}`, { gracePeriodSeconds: 0 }).catch(() => undefined);
  await eventually(async () => !(await getEp(h.client, 'web'))?.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'], 'annotation removed', 8000);
});

test('repackSubsets() groups addresses by the ports they offer and keeps a pod not ready on any port not ready', () => {
  const addr = (ip: string) => ({ ip, targetRef: { kind: 'Pod' as const, namespace: 'default', name: ip, uid: ip } });
  const http = { name: 'http', port: 8080, protocol: 'TCP' };
  const dns = { name: 'dns', port: 53, protocol: 'UDP' };
  const subsets = repackSubsets([
    { address: addr('10.0.0.2'), ready: true, port: http },
    { address: addr('10.0.0.1'), ready: true, port: http },
    { address: addr('10.0.0.1'), ready: true, port: dns },
    { address: addr('10.0.0.2'), ready: false, port: http },
  ]);
  assert.deepEqual(subsets, [
    { addresses: [addr('10.0.0.1')], ports: [dns] },
    { addresses: [addr('10.0.0.1')], notReadyAddresses: [addr('10.0.0.2')], ports: [http] },
  ]);
});

test('truncateSubsets() keeps ready addresses first and each subset its share', () => {
  const addrs = (n: number, base: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.0.${base}.${i}`, targetRef: { kind: 'Pod' as const, namespace: 'd', name: `${i}`, uid: `${base}-${i}` } }));
  const subsets: any[] = [
    { addresses: addrs(900, 1), notReadyAddresses: addrs(100, 2) },
    { addresses: addrs(50, 3), notReadyAddresses: addrs(150, 4) },
  ];
  assert.equal(truncateSubsets(subsets), true);
  assert.equal(subsets[0].addresses.length, 900);
  assert.equal(subsets[1].addresses.length, 50);
  // 50 not-ready slots left, shared 100:150 rounding up: 20 and 30.
  assert.equal(subsets[0].notReadyAddresses.length, 20);
  assert.equal(subsets[1].notReadyAddresses.length, 30);
  assert.equal(truncateSubsets([{ addresses: addrs(10, 5) }] as any[]), false);
});
