import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { NODES, PODS } from '../client/resources.js';
import { PodGarbageCollector } from './pod-gc.js';
import type { PodGcOptions } from './pod-gc.js';
import { eventually, testCluster } from './test-cluster.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function harness(t: TestContext, opts: PodGcOptions = {}) {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const c = await testCluster({ serverNow: () => new Date((clock += 1000)) });
  t.after(() => c.close());
  const gc = new PodGarbageCollector(c.deps, { quarantineMs: 100, ...opts });
  return { ...c, gc };
}

const node = (name: string, opts: { ready?: string; taints?: unknown[] } = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: { taints: opts.taints ?? [] },
  status: { conditions: [{ type: 'Ready', status: opts.ready ?? 'True' }] },
});

const pod = (name: string, nodeName?: string, finalizers?: string[]): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', ...(finalizers ? { finalizers } : {}) },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
});

const OUT_OF_SERVICE = { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' };

const gone = (client: Client, name: string): Promise<boolean> =>
  client.get(PODS, 'default', name).then(
    () => false,
    (e) => (isApiError(e) && e.code === 404) || Promise.reject(e),
  );

async function setPhase(client: Client, name: string, phase: string): Promise<void> {
  const p = await client.get<KObject>(PODS, 'default', name);
  await client.update(PODS, { ...p, status: { ...p.status, phase } }, 'status');
}

test('PodGarbageCollector force-deletes a Terminating pod on a node tainted out-of-service', async (t) => {
  const h = await harness(t);
  await h.client.create(NODES, undefined, node('dead', { ready: 'Unknown' }));
  await h.client.create(NODES, undefined, node('dead-but-not-declared', { ready: 'Unknown' }));
  await h.client.create(PODS, 'default', pod('web-1', 'dead'));
  await h.client.create(PODS, 'default', pod('web-2', 'dead-but-not-declared'));
  await h.client.create(PODS, 'default', pod('running', 'dead'));
  await h.run(h.gc);
  await h.client.delete(PODS, 'default', 'web-1');
  await h.client.delete(PODS, 'default', 'web-2');
  await sleep(200);
  assert.equal(await gone(h.client, 'web-1'), false, 'no out-of-service taint yet');
  const n = await h.client.get<KObject>(NODES, undefined, 'dead');
  await h.client.update(NODES, { ...n, spec: { taints: [OUT_OF_SERVICE] } });
  await eventually(() => gone(h.client, 'web-1'), 'web-1 to be force-deleted');
  await sleep(100);
  assert.equal(await gone(h.client, 'web-2'), false, 'a node not declared out of service keeps its terminating pods');
  assert.equal(await gone(h.client, 'running'), false, 'a pod not being deleted is left to the taint eviction controller');
});

test('PodGarbageCollector force-deletes pods bound to a node that no longer exists, after marking them Failed', async (t) => {
  const h = await harness(t);
  await h.client.create(NODES, undefined, node('n1'));
  await h.client.create(PODS, 'default', pod('a', 'n1'));
  await h.client.create(PODS, 'default', pod('b', 'n1', ['example.com/keep']));
  await h.client.create(PODS, 'default', pod('elsewhere', 'n2'));
  await h.client.create(NODES, undefined, node('n2'));
  await h.run(h.gc);
  await sleep(200);
  assert.equal(await gone(h.client, 'elsewhere'), false, 'the node exists');
  await h.client.delete(NODES, undefined, 'n1');
  await eventually(() => gone(h.client, 'a'), 'pod a to be force-deleted');
  // The finalizer keeps b visible: it was failed with the PodGC condition, then deleted with grace 0.
  const b = await h.client.get<KObject>(PODS, 'default', 'b');
  assert.equal(b.status.phase, 'Failed');
  assert.equal(b.metadata?.deletionGracePeriodSeconds, 0);
  const target = b.status.conditions.find((c: any) => c.type === 'DisruptionTarget');
  assert.deepEqual([target.status, target.reason, target.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
});

test('PodGarbageCollector fails and force-deletes an unscheduled Terminating pod', async (t) => {
  const h = await harness(t);
  await h.client.create(PODS, 'default', pod('p', undefined, ['example.com/keep']));
  await h.run(h.gc);
  await h.client.delete(PODS, 'default', 'p');
  await eventually(async () => (await h.client.get<KObject>(PODS, 'default', 'p')).status.phase === 'Failed', 'pod p to be failed');
});

test('PodGarbageCollector deletes the oldest terminated pods above the threshold, evicted ones first', async (t) => {
  const h = await harness(t, { terminatedPodThreshold: 2 });
  await h.client.create(NODES, undefined, node('n'));
  for (const name of ['old', 'older-evicted', 'mid', 'new', 'running']) await h.client.create(PODS, 'default', pod(name, 'n'));
  await h.run(h.gc);
  await setPhase(h.client, 'running', 'Running');
  for (const name of ['old', 'mid', 'new']) await setPhase(h.client, name, 'Succeeded');
  const e = await h.client.get<KObject>(PODS, 'default', 'older-evicted');
  await h.client.update(PODS, { ...e, status: { ...e.status, phase: 'Failed', reason: 'Evicted' } }, 'status');
  await eventually(async () => (await gone(h.client, 'older-evicted')) && (await gone(h.client, 'old')), 'two pods to be collected');
  await sleep(100);
  for (const name of ['mid', 'new', 'running']) assert.equal(await gone(h.client, name), false, `${name} is kept`);
});
