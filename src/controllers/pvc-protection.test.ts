import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storageObjectInUseProtection } from '../apiserver/admission/storage-protection.js';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../client/resources.js';
import { PvcProtectionController, podUsesClaim } from './pvc-protection.js';
import { eventually, testCluster } from './test-cluster.js';

/**
 * A cluster with the controller, with the protection admission plugin unless `admission: false`,
 * running unless `run: false` (then nothing is started); closed after the test.
 */
async function harness(t: TestContext, opts: { admission?: boolean; run?: boolean } = {}) {
  const c = await testCluster({ admission: () => (opts.admission === false ? [] : [storageObjectInUseProtection()]) });
  t.after(() => c.close());
  const ctrl = new PvcProtectionController(c.deps);
  if (opts.run !== false) await c.run(ctrl);
  return { ...c, ctrl };
}

const claim = (name: string, extra: Partial<KObject['metadata']> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', ...extra },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

const pod = (name: string, claimName: string, nodeName?: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    ...(nodeName ? { nodeName } : {}),
    containers: [{ name: 'c', image: 'busybox' }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
  },
});

/** Whether the claim is gone (404); any other error fails. */
const gone = (client: Client, name: string): Promise<boolean> =>
  client.get(PERSISTENT_VOLUME_CLAIMS, 'default', name).then(() => false, (e) => (isApiError(e) && e.code === 404) || Promise.reject(e));

const finalizers = async (client: Client, name: string) => (await client.get(PERSISTENT_VOLUME_CLAIMS, 'default', name)).metadata?.finalizers;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('PvcProtectionController removes the finalizer of a deleted claim no pod uses', async (t) => {
  const h = await harness(t);
  await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
  await eventually(() => gone(h.client, 'a'), 'claim a to be removed');
});

test('PvcProtectionController keeps a claim a scheduled pod uses until the pod is deleted', async (t) => {
  const h = await harness(t);
  await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  await h.client.create(PODS, 'default', pod('p', 'a', 'node-1'));
  await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
  await sleep(100);
  const kept = await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
  assert.ok(kept.metadata?.deletionTimestamp);
  assert.deepEqual(kept.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
  await h.client.delete(PODS, 'default', 'p', { gracePeriodSeconds: 0 });
  await eventually(() => gone(h.client, 'a'), 'claim a to be removed after its pod');
});

test('PvcProtectionController keeps a claim while a finished pod object still names it, as Kubernetes does', async (t) => {
  const h = await harness(t);
  await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  const p = await h.client.create(PODS, 'default', pod('p', 'a', 'node-1'));
  await h.client.update(PODS, { ...p, status: { phase: 'Succeeded' } }, 'status');
  await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
  await sleep(100);
  assert.ok((await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'a')).metadata?.deletionTimestamp);
  await h.client.delete(PODS, 'default', 'p');
  await eventually(() => gone(h.client, 'a'), 'claim a to be removed after the finished pod');
});

test('PvcProtectionController does not count an unscheduled pod or a pod in another namespace', async (t) => {
  const h = await harness(t);
  await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  await h.client.create(PODS, 'default', pod('pending', 'a'));
  await h.client.create(PODS, 'other', { ...pod('elsewhere', 'a', 'node-1'), metadata: { name: 'elsewhere', namespace: 'other' } });
  await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
  await eventually(() => gone(h.client, 'a'), 'claim a to be removed');
});

test('PvcProtectionController.reconcile() asks the API server when its cache has not seen the pod', async (t) => {
  const h = await harness(t, { run: false });
  // Only the claim informer runs: the pod cache stays empty.
  await h.informers.for(PERSISTENT_VOLUME_CLAIMS).start();
  await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  await h.client.create(PODS, 'default', pod('p', 'a', 'node-1'));
  await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
  await eventually(async () => !!h.informers.for(PERSISTENT_VOLUME_CLAIMS).get('default/a')?.metadata?.deletionTimestamp, 'the cache to see the deletion');
  await h.ctrl.reconcile('default/a');
  assert.deepEqual(await finalizers(h.client, 'a'), ['kubernetes.io/pvc-protection']);
  await h.client.delete(PODS, 'default', 'p', { gracePeriodSeconds: 0 });
  await h.ctrl.reconcile('default/a');
  assert.ok(await gone(h.client, 'a'));
});

test('PvcProtectionController adds the finalizer to a live claim created without it', async (t) => {
  const h = await harness(t, { admission: false });
  await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('old', { finalizers: ['example.com/keep'] }));
  await eventually(async () => ((await finalizers(h.client, 'old')) ?? []).length === 2, 'the finalizer to be added');
  assert.deepEqual(await finalizers(h.client, 'old'), ['example.com/keep', 'kubernetes.io/pvc-protection']);
});

test('PvcProtectionController removes only its own finalizer', async (t) => {
  const h = await harness(t);
  await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a', { finalizers: ['example.com/keep'] }));
  await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
  await eventually(async () => !(await finalizers(h.client, 'a'))?.includes('kubernetes.io/pvc-protection'), 'the protection finalizer to go');
  assert.deepEqual(await finalizers(h.client, 'a'), ['example.com/keep']);
});

test('podUsesClaim() follows Kubernetes for ephemeral volumes: owned, scheduled and not shut down', () => {
  const c: KObject = {
    metadata: { name: 'p-scratch', namespace: 'default', ownerReferences: [{ kind: 'Pod', name: 'p', uid: 'u1', controller: true }] },
  };
  const p: KObject = {
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: { nodeName: 'n', volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] },
  };
  assert.equal(podUsesClaim(p, c), true);
  assert.equal(podUsesClaim({ ...p, metadata: { ...p.metadata, uid: 'other' } }, c), false, 'not the owner');
  assert.equal(podUsesClaim({ ...p, spec: { ...p.spec, nodeName: undefined } }, c), false, 'not scheduled');
  const shutDown = { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } };
  assert.equal(podUsesClaim(shutDown, c), false, 'shut down');
});
