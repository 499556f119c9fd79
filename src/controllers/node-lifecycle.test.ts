import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { EVENTS, LEASES, NODES, PODS } from '../client/resources.js';
import { NodeLifecycleController } from './node-lifecycle.js';
import type { NodeLifecycleOptions } from './node-lifecycle.js';
import { eventually, testCluster } from './test-cluster.js';

const GRACE = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const micro = (d = new Date()) => d.toISOString().replace('Z', '000Z');
const iso = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A cluster running the controller with a 300 ms grace period; closed after the test. */
async function harness(t: TestContext, opts: NodeLifecycleOptions = {}) {
  const c = await testCluster();
  const ctrl = new NodeLifecycleController(c.deps, { nodeMonitorGracePeriodMs: GRACE, ...opts });
  const alive = new Set<string>();
  // The agents of the nodes in `alive` renew their leases every 50 ms.
  const beat = setInterval(() => {
    for (const n of alive) void renew(c.client, n).catch(() => undefined);
  }, 50);
  t.after(async () => {
    clearInterval(beat);
    await c.close();
  });
  return { ...c, ctrl, alive };
}

function node(name: string, opts: { ready?: 'True' | 'False'; labels?: Record<string, string> } = {}): KObject {
  const now = iso();
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/os': 'linux', 'beta.kubernetes.io/os': 'linux', ...opts.labels } },
    status: {
      conditions: [
        { type: 'Ready', status: opts.ready ?? 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
    },
  };
}

async function renew(client: Client, name: string): Promise<void> {
  await client.patch(LEASES, 'kube-node-lease', name, { spec: { renewTime: micro() } });
}

/** A node with its lease, as an agent registers it. */
async function addNode(client: Client, name: string, opts: { ready?: 'True' | 'False'; labels?: Record<string, string> } = {}): Promise<void> {
  await client.create(NODES, undefined, node(name, opts));
  await client.create(LEASES, 'kube-node-lease', {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: micro(new Date(Date.now() - 3_600_000)) },
  });
}

/** The agent is back: it renews its lease and reports Ready True. */
async function comeBack(client: Client, name: string): Promise<void> {
  await renew(client, name);
  const n = await client.get<KObject>(NODES, undefined, name);
  const now = iso();
  n.status.conditions = n.status.conditions.map((c: any) =>
    c.type === 'Ready' ? { ...c, status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now } : c,
  );
  await client.update(NODES, n, 'status');
}

const readyPod = (name: string, nodeName: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
});

async function makeReady(client: Client, name: string): Promise<void> {
  const p = await client.get<KObject>(PODS, 'default', name);
  p.status = { ...p.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: iso() }] };
  await client.update(PODS, p, 'status');
}

const getNode = (client: Client, name: string) => client.get<KObject>(NODES, undefined, name);
const cond = (n: KObject, type: string) => n.status?.conditions?.find((c: any) => c.type === type);
const taintsOf = (n: KObject) => (n.spec?.taints ?? []).map((t: any) => `${t.key}:${t.effect}`).sort();
const podReady = async (client: Client, name: string) =>
  (await client.get<KObject>(PODS, 'default', name)).status.conditions?.find((c: any) => c.type === 'Ready')?.status;

async function events(client: Client, reason: string): Promise<KObject[]> {
  return (await client.list<KObject>(EVENTS, 'default')).items.filter((e) => e.reason === reason);
}

test('NodeLifecycleController marks a node Unknown and taints it unreachable after the grace period, and untaints it when it comes back', async (t) => {
  const h = await harness(t);
  for (const n of ['a', 'b', 'c']) await addNode(h.client, n);
  h.alive.add('b').add('c');
  await h.run(h.ctrl);
  await eventually(async () => cond(await getNode(h.client, 'a'), 'Ready').status === 'Unknown', 'node a to become Unknown', 3000);
  const a = await getNode(h.client, 'a');
  assert.equal(cond(a, 'Ready').reason, 'NodeStatusUnknown');
  assert.equal(cond(a, 'Ready').message, 'Kubelet stopped posting node status.');
  assert.equal(cond(a, 'MemoryPressure').status, 'Unknown');
  // Conditions the agent never posted are added as never updated.
  assert.equal(cond(a, 'DiskPressure').reason, 'NodeStatusNeverUpdated');
  assert.equal(cond(a, 'DiskPressure').message, 'Kubelet never posted node status.');
  await eventually(async () => taintsOf(await getNode(h.client, 'a')).length === 2, 'node a to be tainted');
  const tainted = await getNode(h.client, 'a');
  assert.deepEqual(taintsOf(tainted), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  assert.ok(tainted.spec.taints.every((x: any) => typeof x.timeAdded === 'string'));
  assert.equal(cond(await getNode(h.client, 'b'), 'Ready').status, 'True', 'a node renewing its lease stays Ready');
  await eventually(async () => (await events(h.client, 'NodeNotReady')).some((e) => e.message === 'Node a status is now: NodeNotReady'), 'the NodeNotReady event');
  assert.ok((await events(h.client, 'RegisteredNode')).some((e) => e.message === 'Node a event: Registered Node a in Controller'));

  await comeBack(h.client, 'a');
  h.alive.add('a');
  await eventually(async () => taintsOf(await getNode(h.client, 'a')).length === 0, 'the taints to be removed');
  await sleep(GRACE * 2);
  assert.equal(cond(await getNode(h.client, 'a'), 'Ready').status, 'True', 'a renewing node stays Ready');
});

test('NodeLifecycleController marks the pods of a node it turns Unknown not ready, and later-bound pods too', async (t) => {
  const h = await harness(t);
  for (const n of ['a', 'b', 'c']) await addNode(h.client, n);
  h.alive.add('a').add('b').add('c');
  await h.client.create(PODS, 'default', readyPod('p', 'a'));
  await h.client.create(PODS, 'default', readyPod('q', 'b'));
  await makeReady(h.client, 'p');
  await makeReady(h.client, 'q');
  await h.run(h.ctrl);
  await sleep(GRACE);
  assert.equal(await podReady(h.client, 'p'), 'True');
  h.alive.delete('a');
  await eventually(async () => (await podReady(h.client, 'p')) === 'False', 'pod p to be marked not ready', 3000);
  assert.equal(await podReady(h.client, 'q'), 'True', 'a pod on a healthy node is left alone');
  await eventually(async () => (await events(h.client, 'NodeNotReady')).some((e) => e.involvedObject.name === 'p' && e.message === 'Node is not ready'), 'the pod event');

  // A pod bound to the node after it went Unknown is marked as well (processPod).
  await h.client.create(PODS, 'default', { ...readyPod('r', 'a'), spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await makeReady(h.client, 'r');
  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'r' }, target: { kind: 'Node', name: 'a' } };
  await h.client.raw({ method: 'POST', path: '/api/v1/namespaces/default/pods/r/binding', body: JSON.stringify(binding), headers: { 'content-type': 'application/json' } });
  await eventually(async () => (await podReady(h.client, 'r')) === 'False', 'pod r to be marked not ready');
});

test('NodeLifecycleController taints a node its agent reports not Ready with not-ready, without marking it Unknown', async (t) => {
  const h = await harness(t);
  await addNode(h.client, 'a', { ready: 'False' });
  for (const n of ['b', 'c']) await addNode(h.client, n);
  h.alive.add('a').add('b').add('c');
  await h.run(h.ctrl);
  await eventually(async () => taintsOf(await getNode(h.client, 'a')).length === 2, 'node a to be tainted');
  const a = await getNode(h.client, 'a');
  assert.deepEqual(taintsOf(a), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
  assert.equal(cond(a, 'Ready').status, 'False');
  assert.deepEqual(taintsOf(await getNode(h.client, 'b')), []);
  await comeBack(h.client, 'a');
  await eventually(async () => taintsOf(await getNode(h.client, 'a')).length === 0, 'the taints to be removed');
});

test('NodeLifecycleController adds no NoExecute taint when every node is down (full disruption)', async (t) => {
  const h = await harness(t);
  await addNode(h.client, 'only');
  await h.run(h.ctrl);
  await eventually(async () => cond(await getNode(h.client, 'only'), 'Ready').status === 'Unknown', 'the node to become Unknown', 3000);
  await eventually(async () => taintsOf(await getNode(h.client, 'only')).length > 0, 'the NoSchedule taint');
  await sleep(200);
  assert.deepEqual(taintsOf(await getNode(h.client, 'only')), ['node.kubernetes.io/unreachable:NoSchedule']);
});

test('NodeLifecycleController taints the nodes of a zone no faster than the eviction rate', async (t) => {
  const h = await harness(t, { evictionRate: 1 });
  for (const n of ['a', 'b', 'c', 'd', 'e']) await addNode(h.client, n);
  h.alive.add('c').add('d').add('e');
  await h.run(h.ctrl);
  const noExecute = async () =>
    (await h.client.list<KObject>(NODES)).items.filter((n) => taintsOf(n).includes('node.kubernetes.io/unreachable:NoExecute')).length;
  await eventually(async () => (await noExecute()) === 1, 'the first node to be tainted', 3000);
  const first = Date.now();
  await eventually(async () => (await noExecute()) === 2, 'the second node to be tainted', 3000);
  assert.ok(Date.now() - first >= 700, 'one node per second');
});

test('NodeLifecycleController mirrors the beta os label and keeps taints it does not own', async (t) => {
  const h = await harness(t);
  for (const n of ['b', 'c']) await addNode(h.client, n);
  await h.client.create(NODES, undefined, {
    ...node('a', { labels: { 'kubernetes.io/arch': 'arm64' } }),
    spec: { taints: [{ key: 'example.com/dedicated', value: 'db', effect: 'NoSchedule' }] },
  });
  h.alive.add('a').add('b').add('c');
  await h.run(h.ctrl);
  await eventually(async () => (await getNode(h.client, 'a')).metadata?.labels?.['beta.kubernetes.io/arch'] === 'arm64', 'the beta arch label');
  assert.deepEqual(taintsOf(await getNode(h.client, 'a')), ['example.com/dedicated:NoSchedule']);
});

test('NodeLifecycleController leaves a node that never posted Ready alone for the startup grace period, then marks it never updated', async (t) => {
  const h = await harness(t, { nodeStartupGracePeriodMs: 600 });
  for (const n of ['b', 'c']) await addNode(h.client, n);
  h.alive.add('b').add('c');
  await h.client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'new' } });
  await h.run(h.ctrl);
  await sleep(300);
  const early = await getNode(h.client, 'new');
  assert.deepEqual(taintsOf(early), []);
  assert.equal(early.status?.conditions, undefined);
  await eventually(async () => cond(await getNode(h.client, 'new'), 'Ready')?.reason === 'NodeStatusNeverUpdated', 'the node to be marked', 3000);
  await eventually(async () => taintsOf(await getNode(h.client, 'new')).length === 2, 'the unreachable taints');
});
