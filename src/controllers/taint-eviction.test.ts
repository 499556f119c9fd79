import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTolerationSeconds } from '../apiserver/admission/default-toleration-seconds.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { EVENTS, LEASES, NODES, PODS } from '../client/resources.js';
import { NodeLifecycleController } from './node-lifecycle.js';
import { TaintEvictionController } from './taint-eviction.js';
import { eventually, testCluster } from './test-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

async function harness(t: TestContext, opts: { admission?: boolean; now?: () => Date } = {}) {
  const c = await testCluster({ admission: () => (opts.admission ? [defaultTolerationSeconds({ notReadySeconds: 1, unreachableSeconds: 1 })] : []), now: opts.now });
  t.after(() => c.close());
  const ctrl = new TaintEvictionController(c.deps);
  return { ...c, ctrl };
}

const node = (name: string, taints: unknown[] = []): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: { taints },
  status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: iso(), lastTransitionTime: iso() }] },
});

const pod = (name: string, nodeName: string, tolerations: unknown[] = []): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName, tolerations, containers: [{ name: 'c', image: 'busybox' }] },
});

const BAD = { key: 'example.com/broken', effect: 'NoExecute' };

async function setTaints(client: Client, name: string, taints: unknown[]): Promise<void> {
  const n = await client.get<KObject>(NODES, undefined, name);
  await client.update(NODES, { ...n, spec: { ...n.spec, taints } });
}

const terminating = async (client: Client, name: string) => !!(await client.get<KObject>(PODS, 'default', name)).metadata?.deletionTimestamp;

async function eventMessages(client: Client, reason: string): Promise<string[]> {
  return (await client.list<KObject>(EVENTS, 'default')).items.filter((e) => e.reason === reason).map((e) => e.message);
}

/** Pod p on node n tolerates BAD for 1 s; the controller runs, then n is tainted with BAD. */
async function taintedForOneSecond(t: TestContext) {
  const h = await harness(t);
  await h.client.create(NODES, undefined, node('n'));
  await h.client.create(PODS, 'default', pod('p', 'n', [{ key: BAD.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]));
  await h.run(h.ctrl);
  await setTaints(h.client, 'n', [{ ...BAD, timeAdded: iso() }]);
  return h;
}

test('TaintEvictionController evicts a pod that does not tolerate a NoExecute taint at once, gracefully', async (t) => {
  const h = await harness(t);
  await h.client.create(NODES, undefined, node('n', [BAD]));
  await h.client.create(PODS, 'default', pod('p', 'n'));
  await h.client.create(PODS, 'default', pod('tolerant', 'n', [{ key: BAD.key, operator: 'Exists', effect: 'NoExecute' }]));
  await h.run(h.ctrl);
  await eventually(() => terminating(h.client, 'p'), 'pod p to be deleted');
  const p = await h.client.get<KObject>(PODS, 'default', 'p');
  // A graceful deletion: with no agent to confirm it, the pod stays Terminating.
  assert.equal(p.metadata?.deletionGracePeriodSeconds, 30);
  const target = p.status.conditions.find((c: any) => c.type === 'DisruptionTarget');
  assert.equal(target.status, 'True');
  assert.equal(target.reason, 'DeletionByTaintManager');
  assert.equal(target.message, 'Taint manager: deleting due to NoExecute taint');
  await eventually(async () => (await eventMessages(h.client, 'TaintManagerEviction')).includes('Marking for deletion Pod default/p'), 'the eviction event');
  await sleep(200);
  assert.equal(await terminating(h.client, 'tolerant'), false, 'a toleration without seconds tolerates for good');
});

test('TaintEvictionController evicts a tolerating pod once its tolerationSeconds have passed', async (t) => {
  const h = await taintedForOneSecond(t);
  await sleep(300);
  assert.equal(await terminating(h.client, 'p'), false, 'still tolerated');
  await eventually(() => terminating(h.client, 'p'), 'pod p to be evicted after 1 s', 3000);
});

test('TaintEvictionController cancels a scheduled eviction when the taint goes away', async (t) => {
  const h = await taintedForOneSecond(t);
  await sleep(200);
  await setTaints(h.client, 'n', []);
  await eventually(async () => (await eventMessages(h.client, 'TaintManagerEviction')).includes('Cancelling deletion of Pod default/p'), 'the cancel event');
  await sleep(1200);
  assert.equal(await terminating(h.client, 'p'), false);
});

test('TaintEvictionController.evictionTime() counts from timeAdded, the pod binding and its own start, taking the earliest deadline', async (t) => {
  let clock = Date.parse('2026-01-01T00:10:00Z');
  const h = await harness(t, { now: () => new Date(clock) });
  const at = (iso: string) => Date.parse(iso);
  const n = node('n', [
    { ...BAD, timeAdded: '2026-01-01T00:09:00Z' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2026-01-01T00:09:30Z' },
  ]);
  const p = (tolerations: unknown[], created = '2026-01-01T00:00:00Z') => ({ ...pod('p', 'n', tolerations), metadata: { name: 'p', namespace: 'default', creationTimestamp: created } });
  const both = [
    { key: BAD.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 600 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 60 },
  ];
  // The controller started at 00:10:00; both taints are older, so both countdowns start then.
  assert.equal(h.ctrl.evictionTime(p(both), n, { nowMs: clock }), at('2026-01-01T00:11:00Z'));
  clock = at('2026-01-01T00:20:00Z');
  assert.equal(h.ctrl.evictionTime(p([both[0]]), n, { nowMs: clock }), clock, 'the unreachable taint is not tolerated');
  assert.equal(h.ctrl.evictionTime(p([{ operator: 'Exists' }]), n, { nowMs: clock }), Infinity, 'tolerates everything for good');
  assert.equal(h.ctrl.evictionTime(p([{ operator: 'Exists', tolerationSeconds: 0 }]), n, { nowMs: clock }), clock);
  // A pod bound after the taints gets its whole toleration.
  assert.equal(h.ctrl.evictionTime(p(both, '2026-01-01T00:15:00Z'), n, { nowMs: clock }), at('2026-01-01T00:16:00Z'));
  assert.equal(h.ctrl.evictionTime(p(both), node('m'), { nowMs: clock }), Infinity, 'no NoExecute taint');
});

test('a pod on a node that stops renewing its lease is evicted after its default toleration and stays Terminating', async (t) => {
  const h = await harness(t, { admission: true });
  const lifecycle = new NodeLifecycleController(h.deps, { nodeMonitorGracePeriodMs: 200 });
  const micro = () => new Date().toISOString().replace('Z', '000Z');
  for (const name of ['a', 'b', 'c']) {
    await h.client.create(NODES, undefined, node(name));
    await h.client.create(LEASES, 'kube-node-lease', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, renewTime: micro() },
    });
  }
  const beat = setInterval(() => {
    for (const name of ['b', 'c']) void h.client.patch(LEASES, 'kube-node-lease', name, { spec: { renewTime: micro() } }).catch(() => undefined);
  }, 50);
  t.after(() => clearInterval(beat));
  const created = await h.client.create<KObject>(PODS, 'default', pod('web-1', 'a'));
  assert.equal(created.spec.tolerations.length, 2, 'the admission plugin added the default tolerations');
  const start = Date.now();
  await h.run(lifecycle, h.ctrl);
  await eventually(() => terminating(h.client, 'web-1'), 'web-1 to be evicted', 4000);
  assert.ok(Date.now() - start >= 1000, 'not before the toleration ran out');
  await sleep(200);
  assert.ok(await terminating(h.client, 'web-1'), 'no agent confirms: the pod stays Terminating');
});
