// The scheduler with 2,000 pods on 200 nodes: every pod bound, every node used. It prints the
// rate; the performance goal itself is measured by the bench, never asserted here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PODS } from '../client/resources.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import { Scheduler } from './scheduler.js';
import { createNodes, testNode, testPod } from './test-fixtures.js';

test('Scheduler places 2,000 pods on 200 nodes', async () => {
  const c = await testCluster();
  await c.run(new Scheduler(c.deps));
  try {
    await createNodes(c.client, Array.from({ length: 200 }, (_, i) => testNode(`node-${i}`, { cpu: '16', memory: '64Gi' })));
    const owner = { kind: 'ReplicaSet', name: 'big-abc', uid: '7d3c0a2e-0000-4000-8000-000000000002' };
    const started = performance.now();
    for (let i = 0; i < 2000; i += 200) {
      await Promise.all(Array.from({ length: 200 }, (_, j) => c.client.create(PODS, 'default', testPod(`p-${i + j}`, { cpu: '100m', memory: '128Mi', owner }))));
    }
    const pods = c.informers.for(PODS);
    await eventually(() => pods.list().length === 2000 && pods.list().every((p) => p.spec?.nodeName), '2,000 pods bound', 60_000);
    const seconds = (performance.now() - started) / 1000;
    const counts = new Map<string, number>();
    for (const p of (await c.client.list(PODS, 'default')).items) counts.set(p.spec.nodeName, (counts.get(p.spec.nodeName) ?? 0) + 1);
    assert.equal(counts.size, 200);
    console.log(`# 2,000 pods on 200 nodes in ${seconds.toFixed(2)} s (${Math.round(2000 / seconds)} pods/s), ${Math.min(...counts.values())}..${Math.max(...counts.values())} per node`);
  } finally {
    await c.close();
  }
});
