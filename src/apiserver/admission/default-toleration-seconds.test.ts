import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { PODS } from '../../client/resources.js';
import { testCluster } from '../../controllers/test-cluster.js';
import { defaultTolerationSeconds } from './default-toleration-seconds.js';

async function server(t: TestContext) {
  const c = await testCluster({ admission: () => [defaultTolerationSeconds()] });
  t.after(() => c.close());
  return c.client;
}

const pod = (name: string, tolerations?: unknown[]): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(tolerations ? { tolerations } : {}) },
});

const NOT_READY = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const UNREACHABLE = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

test('defaultTolerationSeconds() adds the not-ready and unreachable NoExecute tolerations of 300 s', async (t) => {
  const client = await server(t);
  const p = await client.create<KObject>(PODS, 'default', pod('a', [{ key: 'example.com/x', operator: 'Exists', effect: 'NoSchedule' }]));
  assert.deepEqual(p.spec.tolerations, [{ key: 'example.com/x', operator: 'Exists', effect: 'NoSchedule' }, NOT_READY, UNREACHABLE]);
});

test('defaultTolerationSeconds() keeps a toleration the pod already has for either key', async (t) => {
  const client = await server(t);
  const own = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6000 };
  const p = await client.create<KObject>(PODS, 'default', pod('a', [own]));
  assert.deepEqual(p.spec.tolerations, [own, NOT_READY]);
  // An empty effect matches NoExecute too.
  const anyEffect = { key: 'node.kubernetes.io/not-ready', operator: 'Exists' };
  const q = await client.create<KObject>(PODS, 'default', pod('b', [anyEffect]));
  assert.deepEqual(q.spec.tolerations, [anyEffect, UNREACHABLE]);
});

test('defaultTolerationSeconds() adds nothing to a pod that tolerates every taint', async (t) => {
  const client = await server(t);
  const p = await client.create<KObject>(PODS, 'default', pod('a', [{ operator: 'Exists' }]));
  assert.deepEqual(p.spec.tolerations, [{ operator: 'Exists' }]);
});

test('defaultTolerationSeconds() leaves status writes alone and keeps the tolerations on update', async (t) => {
  const client = await server(t);
  const p = await client.create<KObject>(PODS, 'default', pod('a'));
  const status = await client.update<KObject>(PODS, { ...p, status: { ...p.status, phase: 'Running' } }, 'status');
  assert.deepEqual(status.spec.tolerations, [NOT_READY, UNREACHABLE]);
  const labelled = await client.update<KObject>(PODS, { ...status, metadata: { ...status.metadata, labels: { app: 'x' } } });
  assert.deepEqual(labelled.spec.tolerations, [NOT_READY, UNREACHABLE]);
});
