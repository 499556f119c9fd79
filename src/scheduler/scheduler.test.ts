// The scheduler against a real in-process API server: binding and the Scheduled event, the
// FailedScheduling message and PodScheduled condition, retries on cluster changes, the assume
// cache under concurrent decisions, spreading, and scheduler names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NODES, PODS } from '../client/resources.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import type { TestCluster } from '../controllers/test-cluster.js';
import type { SchedulerOptions } from './scheduler.js';
import { Scheduler } from './scheduler.js';
import { createNodes, getPod, podEvents, testNode, testPod, unschedulableMessage } from './test-fixtures.js';

async function withScheduler(fn: (c: TestCluster, s: Scheduler) => Promise<void>, opts: SchedulerOptions = {}): Promise<void> {
  const c = await testCluster();
  const s = new Scheduler(c.deps, { initialBackoffMs: 20, maxBackoffMs: 200, ...opts });
  await c.run(s);
  try {
    await fn(c, s);
  } finally {
    await c.close();
  }
}

async function nodeOf(c: TestCluster, name: string): Promise<string | undefined> {
  return (await getPod(c.client, name)).spec?.nodeName;
}

test('Scheduler binds a pending pod and records Scheduled', async () => {
  await withScheduler(async (c) => {
    await createNodes(c.client, [testNode('node-1')]);
    await c.client.create(PODS, 'default', testPod('web', { cpu: '100m' }));
    await eventually(async () => (await nodeOf(c, 'web')) === 'node-1', 'web bound to node-1');
    const pod = await getPod(c.client, 'web');
    assert.equal(pod.status.conditions.find((x: any) => x.type === 'PodScheduled').status, 'True');
    await eventually(async () => (await podEvents(c.client, 'web')).some((e) => e.reason === 'Scheduled'), 'Scheduled event');
    const ev = (await podEvents(c.client, 'web')).find((e) => e.reason === 'Scheduled')!;
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.message, 'Successfully assigned default/web to node-1');
    assert.equal(ev.source.component, 'default-scheduler');
  });
});

test('Scheduler words FailedScheduling as kube-scheduler does, with the PodScheduled condition', async () => {
  await withScheduler(async (c) => {
    await createNodes(c.client, [
      testNode('node-1', { cpu: '4', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }),
      testNode('node-2', { cpu: '1' }),
      testNode('node-3', { cpu: '1' }),
    ]);
    await c.client.create(PODS, 'default', testPod('big', { cpu: '2' }));
    const want =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    await eventually(async () => (await unschedulableMessage(c.client, 'big')) === want, 'PodScheduled=False with the FitError');
    await eventually(async () => (await podEvents(c.client, 'big')).some((e) => e.reason === 'FailedScheduling' && e.message === want), 'FailedScheduling');
    const ev = (await podEvents(c.client, 'big')).find((e) => e.reason === 'FailedScheduling')!;
    assert.equal(ev.type, 'Warning');
  });
});

test('Scheduler reports resolvable shortfalls as having no preemption victims', async () => {
  await withScheduler(async (c) => {
    await createNodes(c.client, [testNode('node-1', { cpu: '2' }), testNode('node-2', { cpu: '2', pods: 1 })]);
    await c.client.create(PODS, 'default', testPod('a', { cpu: '1500m', nodeName: 'node-1' }));
    await c.client.create(PODS, 'default', testPod('b', { cpu: '100m', nodeName: 'node-2' }));
    await c.client.create(PODS, 'default', testPod('c', { cpu: '1', memory: '1Gi' }));
    const want =
      '0/2 nodes are available: 1 Insufficient cpu, 1 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.';
    await eventually(async () => (await unschedulableMessage(c.client, 'c')) === want, want);
  });
});

test('Scheduler retries an unschedulable pod when a node changes', async () => {
  await withScheduler(async (c) => {
    await createNodes(c.client, [testNode('node-1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })]);
    await c.client.create(PODS, 'default', testPod('p'));
    await eventually(
      async () => (await unschedulableMessage(c.client, 'p')) === '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      'taint message',
    );
    await c.client.patch(NODES, undefined, 'node-1', { spec: { taints: null } });
    await eventually(async () => (await nodeOf(c, 'p')) === 'node-1', 'p scheduled once the taint is gone');
  });
});

test('Scheduler retries periodically even without a cluster change', async () => {
  await withScheduler(
    async (c) => {
      await c.client.create(PODS, 'default', testPod('p'));
      await eventually(async () => (await podEvents(c.client, 'p')).some((e) => e.message === 'no nodes available to schedule pods'), 'no nodes');
      await eventually(async () => ((await podEvents(c.client, 'p')).find((e) => e.reason === 'FailedScheduling')?.count ?? 0) >= 3, 'periodic retries');
    },
    { retryMs: 100 },
  );
});

test('Scheduler counts assumed pods: concurrent decisions never overcommit a node', async () => {
  await withScheduler(async (c) => {
    await createNodes(c.client, ['n1', 'n2', 'n3', 'n4'].map((n) => testNode(n, { cpu: '2' })));
    await Promise.all(Array.from({ length: 9 }, (_, i) => c.client.create(PODS, 'default', testPod(`p${i}`, { cpu: '1' }))));
    await eventually(async () => {
      const l = await c.client.list(PODS, 'default');
      return l.items.filter((p) => p.spec?.nodeName).length === 8;
    }, '8 pods bound');
    const l = await c.client.list(PODS, 'default');
    const perNode = new Map<string, number>();
    for (const p of l.items) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    assert.deepEqual([...perNode.values()], [2, 2, 2, 2]);
    const left = l.items.find((p) => !p.spec?.nodeName)!;
    await eventually(
      async () =>
        (await unschedulableMessage(c.client, left.metadata!.name!)) ===
        '0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.',
      'the ninth pod does not fit',
    );
    // Freeing room schedules it.
    const victim = l.items.find((p) => p.spec?.nodeName)!;
    await c.client.delete(PODS, 'default', victim.metadata!.name!, { gracePeriodSeconds: 0 });
    await eventually(async () => (await nodeOf(c, left.metadata!.name!)) === victim.spec.nodeName, 'the ninth pod takes the freed room');
  });
});

test('Scheduler spreads the pods of one owner across nodes', async () => {
  await withScheduler(async (c) => {
    await createNodes(c.client, ['n1', 'n2', 'n3'].map((n) => testNode(n)));
    const owner = { kind: 'ReplicaSet', name: 'web-abc', uid: '7d3c0a2e-0000-4000-8000-000000000001' };
    await Promise.all(Array.from({ length: 6 }, (_, i) => c.client.create(PODS, 'default', testPod(`web-${i}`, { cpu: '10m', owner }))));
    await eventually(async () => (await c.client.list(PODS, 'default')).items.every((p) => p.spec?.nodeName), 'all bound');
    const counts = new Map<string, number>();
    for (const p of (await c.client.list(PODS, 'default')).items) counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
    assert.deepEqual([...counts.values()].sort(), [2, 2, 2]);
  });
});

test('Scheduler leaves pods of other schedulers, gated and terminating pods alone', async () => {
  await withScheduler(async (c, s) => {
    await createNodes(c.client, [testNode('node-1')]);
    await c.client.create(PODS, 'default', testPod('other', { schedulerName: 'my-scheduler' }));
    const gated = testPod('gated');
    gated.spec.schedulingGates = [{ name: 'example.com/wait' }];
    await c.client.create(PODS, 'default', gated);
    await c.client.create(PODS, 'default', testPod('mine'));
    await eventually(async () => (await nodeOf(c, 'mine')) === 'node-1', 'mine bound');
    await s.reconcile('default/other');
    await s.reconcile('default/gated');
    assert.equal(await nodeOf(c, 'other'), undefined);
    assert.equal(await nodeOf(c, 'gated'), undefined);
    assert.equal((await podEvents(c.client, 'other')).length, 0);
  });
});

test('Scheduler keeps anti-affine replicas apart even when decided back to back', async () => {
  await withScheduler(async (c) => {
    await createNodes(c.client, ['n1', 'n2', 'n3'].map((n) => testNode(n)));
    const apart = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'zk' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    await Promise.all([0, 1, 2].map((i) => c.client.create(PODS, 'default', testPod(`zk-${i}`, { labels: { app: 'zk' }, affinity: apart }))));
    await eventually(async () => (await c.client.list(PODS, 'default')).items.every((p) => p.spec?.nodeName), 'all bound');
    const nodes = (await c.client.list(PODS, 'default')).items.map((p) => p.spec.nodeName).sort();
    assert.deepEqual(nodes, ['n1', 'n2', 'n3']);
  });
});
