// Each filter plugin, observed through what a user sees: where the pod lands, or the
// PodScheduled=False message kube-scheduler would write.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import { PODS } from '../client/resources.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import { Scheduler } from './scheduler.js';
import { createNodes, getPod, testNode, testPod, unschedulableMessage } from './test-fixtures.js';

const NOT_HELPFUL = (n: number) => `preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`;

/** Creates the nodes and the pod, runs the scheduler, and returns where the pod landed or why not. */
async function place(nodes: KObject[], pod: KObject, before: KObject[] = []): Promise<{ node?: string; message?: string }> {
  const c = await testCluster();
  const s = new Scheduler(c.deps, { initialBackoffMs: 20, maxBackoffMs: 100 });
  await createNodes(c.client, nodes);
  for (const p of before) await c.client.create(PODS, 'default', p);
  await c.run(s);
  try {
    await c.client.create(PODS, 'default', pod);
    const name = pod.metadata!.name!;
    let out: { node?: string; message?: string } = {};
    await eventually(async () => {
      const node = (await getPod(c.client, name)).spec?.nodeName;
      const message = await unschedulableMessage(c.client, name);
      out = { node, message };
      return !!node || !!message;
    }, `a decision about ${name}`);
    return out;
  } finally {
    await c.close();
  }
}

test('NodeUnschedulable: a cordoned node takes only pods tolerating the unschedulable taint', async () => {
  const nodes = [testNode('cordoned', { unschedulable: true })];
  assert.deepEqual(await place(nodes, testPod('p')), { node: undefined, message: `0/1 nodes are available: 1 node(s) were unschedulable. ${NOT_HELPFUL(1)}` });
  const tolerating = testPod('q', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.equal((await place(nodes, tolerating)).node, 'cordoned');
});

test('TaintToleration: NoSchedule and NoExecute taints must be tolerated; PreferNoSchedule does not filter', async () => {
  const nodes = [
    testNode('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] }),
    testNode('b', { taints: [{ key: 'gpu', effect: 'NoSchedule' }] }),
  ];
  assert.equal(
    (await place(nodes, testPod('p'))).message,
    `0/2 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) had untolerated taint {gpu: }. ${NOT_HELPFUL(2)}`,
  );
  // Equal needs the value; the effect must match when given.
  assert.equal((await place(nodes, testPod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoExecute' }] }))).node, 'a');
  const wrongEffect = await place(nodes, testPod('p', { tolerations: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }));
  assert.equal(wrongEffect.node, undefined);
  // Exists with an empty key tolerates everything.
  assert.ok(['a', 'b'].includes((await place(nodes, testPod('p', { tolerations: [{ operator: 'Exists' }] }))).node!));
  // An empty effect matches every effect.
  assert.equal((await place(nodes, testPod('p', { tolerations: [{ key: 'gpu', operator: 'Exists' }] }))).node, 'b');
  assert.equal((await place([testNode('soft', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] })], testPod('p'))).node, 'soft');
});

test('NodeAffinity: nodeSelector and required terms with every operator', async () => {
  const nodes = [
    testNode('small', { labels: { disk: 'hdd', cores: '4', zone: 'a' } }),
    testNode('large', { labels: { disk: 'ssd', cores: '32', gpu: 'yes' } }),
  ];
  const term = (...matchExpressions: object[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } });
  assert.equal((await place(nodes, testPod('p', { nodeSelector: { disk: 'ssd' } }))).node, 'large');
  assert.equal(
    (await place(nodes, testPod('p', { nodeSelector: { disk: 'nvme' } }))).message,
    `0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. ${NOT_HELPFUL(2)}`,
  );
  assert.equal((await place(nodes, testPod('p', { affinity: term({ key: 'disk', operator: 'In', values: ['hdd', 'tape'] }) }))).node, 'small');
  assert.equal((await place(nodes, testPod('p', { affinity: term({ key: 'disk', operator: 'NotIn', values: ['hdd'] }) }))).node, 'large');
  assert.equal((await place(nodes, testPod('p', { affinity: term({ key: 'gpu', operator: 'Exists' }) }))).node, 'large');
  assert.equal((await place(nodes, testPod('p', { affinity: term({ key: 'gpu', operator: 'DoesNotExist' }) }))).node, 'small');
  assert.equal((await place(nodes, testPod('p', { affinity: term({ key: 'cores', operator: 'Gt', values: ['8'] }) }))).node, 'large');
  assert.equal((await place(nodes, testPod('p', { affinity: term({ key: 'cores', operator: 'Lt', values: ['8'] }) }))).node, 'small');
  // Terms are ORed, expressions within a term ANDed.
  const ored = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'gpu', operator: 'DoesNotExist' }] },
          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
        ],
      },
    },
  };
  assert.equal((await place(nodes, testPod('p', { affinity: ored }))).node, 'small');
});

test('NodeAffinity: matchFields metadata.name narrows the candidates before filtering', async () => {
  const nodes = [testNode('n1', { cpu: '1' }), testNode('n2'), testNode('n3')];
  const pinned = (name: string, cpu?: string) =>
    testPod('p', { cpu, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [name] }] }] } } } });
  assert.equal((await place(nodes, pinned('n2'))).node, 'n2');
  assert.equal(
    (await place(nodes, pinned('n1', '2'))).message,
    '0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn\'t satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
});

test('NodeResourcesFit: pods, memory, and requests as max(containers, each init container) plus overhead', async () => {
  assert.equal(
    (await place([testNode('n', { pods: 1 })], testPod('p'), [testPod('there', { nodeName: 'n' })])).message,
    '0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
  );
  assert.equal(
    (await place([testNode('n', { memory: '1Gi' })], testPod('p', { memory: '2Gi' }))).message,
    `0/1 nodes are available: 1 Insufficient memory. ${NOT_HELPFUL(1)}`,
  );
  // An init container asking for more than the containers sets the pod's request.
  assert.equal((await place([testNode('n', { cpu: '1' })], testPod('p', { cpu: '500m', initCpu: '2' }))).message, `0/1 nodes are available: 1 Insufficient cpu. ${NOT_HELPFUL(1)}`);
  assert.equal((await place([testNode('n', { cpu: '1' })], testPod('p', { cpu: '500m', initCpu: '1' }))).node, 'n');
  const withOverhead = testPod('p', { cpu: '900m' });
  withOverhead.spec.overhead = { cpu: '200m' };
  assert.equal((await place([testNode('n', { cpu: '1' })], withOverhead)).message, `0/1 nodes are available: 1 Insufficient cpu. ${NOT_HELPFUL(1)}`);
  // Terminal pods do not count; Terminating ones do (until they are gone).
  const done = testPod('done', { cpu: '1', nodeName: 'n' });
  const c = await testCluster();
  try {
    const s = new Scheduler(c.deps, { initialBackoffMs: 20, maxBackoffMs: 100 });
    await createNodes(c.client, [testNode('n', { cpu: '1' })]);
    await c.client.create(PODS, 'default', done);
    await c.client.patch(PODS, 'default', 'done', { status: { phase: 'Succeeded' } }, { sub: 'status' });
    await c.run(s);
    await c.client.create(PODS, 'default', testPod('p', { cpu: '1' }));
    await eventually(async () => (await getPod(c.client, 'p')).spec?.nodeName === 'n', 'p fits beside a finished pod');
  } finally {
    await c.close();
  }
});

test('NodePorts: one pod per host port and node', async () => {
  assert.equal(
    (await place([testNode('n')], testPod('p', { hostPort: 8080 }), [testPod('web', { hostPort: 8080, nodeName: 'n' })])).message,
    "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
  );
  assert.equal((await place([testNode('n')], testPod('p', { hostPort: 8081 }), [testPod('web', { hostPort: 8080, nodeName: 'n' })])).node, 'n');
});

test('Filters run in kube-scheduler order: the first rejection is the reason', async () => {
  const node = testNode('n', { unschedulable: true, cpu: '1', taints: [{ key: 'k', effect: 'NoSchedule' }] });
  assert.equal((await place([node], testPod('p', { cpu: '2' }))).message, `0/1 nodes are available: 1 node(s) were unschedulable. ${NOT_HELPFUL(1)}`);
});

test('InterPodAffinity: required anti-affinity keeps replicas apart, in both directions', async () => {
  const nodes = ['n1', 'n2'].map((n) => testNode(n));
  const apart = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'zk' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  const placed = [testPod('zk-0', { labels: { app: 'zk' }, affinity: apart, nodeName: 'n1' }), testPod('zk-1', { labels: { app: 'zk' }, affinity: apart, nodeName: 'n2' })];
  assert.equal(
    (await place(nodes, testPod('zk-2', { labels: { app: 'zk' }, affinity: apart }), placed)).message,
    "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  );
  // A pod without terms of its own still keeps away from pods whose anti-affinity it matches.
  assert.equal(
    (await place(nodes, testPod('intruder', { labels: { app: 'zk' } }), placed)).message,
    "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  );
  assert.equal((await place(nodes, testPod('other', { labels: { app: 'web' } }), [placed[0]])).node !== undefined, true);
  assert.equal((await place(nodes, testPod('zk-1', { labels: { app: 'zk' }, affinity: apart }), [placed[0]])).node, 'n2');
});

test('InterPodAffinity: required affinity follows the matching pods; the first of a group may start anywhere', async () => {
  const nodes = [testNode('n1', { labels: { zone: 'a' } }), testNode('n2', { labels: { zone: 'b' } })];
  const near = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' }] } };
  assert.equal((await place(nodes, testPod('web', { affinity: near }), [testPod('cache-0', { labels: { app: 'cache' }, nodeName: 'n2' })])).node, 'n2');
  assert.equal(
    (await place(nodes, testPod('web', { affinity: near }))).message,
    `0/2 nodes are available: 2 node(s) didn't match pod affinity rules. ${NOT_HELPFUL(2)}`,
  );
  assert.ok((await place(nodes, testPod('cache-0', { labels: { app: 'cache' }, affinity: near }))).node);
});
