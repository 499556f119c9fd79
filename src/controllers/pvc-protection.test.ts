import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../apiserver/api-server.js';
import { ALL_RESOURCES } from '../api/registry.js';
import { fieldManager } from '../apiserver/registry/field-manager.js';
import { storageObjectInUseProtection } from '../apiserver/admission/storage-protection.js';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import { Client } from '../client/client.js';
import { InProcessTransport } from '../client/transport.js';
import { SharedInformers } from '../client/shared-informers.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../client/resources.js';
import { controllerDeps } from './deps.js';
import { PvcProtectionController, podUsesClaim } from './pvc-protection.js';

function deepFreeze(o: unknown): void {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
}

async function harness(opts: { admission?: boolean; run?: boolean } = {}) {
  const api = await ApiServer.open(
    { kind: 'memory', dataDir: '' },
    { resources: ALL_RESOURCES, admission: opts.admission === false ? [] : [storageObjectInUseProtection()], fieldManager },
  );
  await api.start();
  const client = new Client(new InProcessTransport((r) => api.handle(r), 'test'));
  const informers = new SharedInformers(client);
  const ctrl = new PvcProtectionController(controllerDeps(client, informers));
  for (const r of [PERSISTENT_VOLUME_CLAIMS, PODS]) informers.for(r).onChange((_k, o) => deepFreeze(o));
  if (opts.run !== false) {
    await informers.start();
    ctrl.start();
  }
  return {
    api,
    client,
    informers,
    ctrl,
    async close() {
      ctrl.stop();
      await informers.stop();
      await api.close();
    },
  };
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
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

async function gone(client: Client, name: string): Promise<boolean> {
  try {
    await client.get(PERSISTENT_VOLUME_CLAIMS, 'default', name);
    return false;
  } catch (e) {
    if (isApiError(e) && e.code === 404) return true;
    throw e;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('PvcProtectionController removes the finalizer of a deleted claim no pod uses', async () => {
  const h = await harness();
  try {
    await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
    await eventually(() => gone(h.client, 'a'), 'claim a to be removed');
  } finally {
    await h.close();
  }
});

test('PvcProtectionController keeps a claim a scheduled pod uses until the pod is deleted', async () => {
  const h = await harness();
  try {
    await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    await h.client.create(PODS, 'default', pod('p', 'a', 'node-1'));
    await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
    await sleep(100);
    const kept = await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
    assert.ok(kept.metadata?.deletionTimestamp);
    assert.deepEqual(kept.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
    await h.client.delete(PODS, 'default', 'p', { gracePeriodSeconds: 0 });
    await eventually(() => gone(h.client, 'a'), 'claim a to be removed after its pod');
  } finally {
    await h.close();
  }
});

test('PvcProtectionController keeps a claim while a finished pod object still names it, as Kubernetes does', async () => {
  const h = await harness();
  try {
    await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    const p = await h.client.create(PODS, 'default', pod('p', 'a', 'node-1'));
    await h.client.update(PODS, { ...p, status: { phase: 'Succeeded' } }, 'status');
    await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
    await sleep(100);
    assert.ok((await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'a')).metadata?.deletionTimestamp);
    await h.client.delete(PODS, 'default', 'p');
    await eventually(() => gone(h.client, 'a'), 'claim a to be removed after the finished pod');
  } finally {
    await h.close();
  }
});

test('PvcProtectionController does not count an unscheduled pod or a pod in another namespace', async () => {
  const h = await harness();
  try {
    await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    await h.client.create(PODS, 'default', pod('pending', 'a'));
    await h.client.create(PODS, 'other', { ...pod('elsewhere', 'a', 'node-1'), metadata: { name: 'elsewhere', namespace: 'other' } });
    await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
    await eventually(() => gone(h.client, 'a'), 'claim a to be removed');
  } finally {
    await h.close();
  }
});

test('PvcProtectionController.reconcile() asks the API server when its cache has not seen the pod', async () => {
  const h = await harness({ run: false });
  try {
    // Only the claim informer runs: the pod cache stays empty.
    await h.informers.for(PERSISTENT_VOLUME_CLAIMS).start();
    await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    await h.client.create(PODS, 'default', pod('p', 'a', 'node-1'));
    await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
    await eventually(async () => !!h.informers.for(PERSISTENT_VOLUME_CLAIMS).get('default/a')?.metadata?.deletionTimestamp, 'the cache to see the deletion');
    await h.ctrl.reconcile('default/a');
    assert.deepEqual((await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'a')).metadata?.finalizers, ['kubernetes.io/pvc-protection']);
    await h.client.delete(PODS, 'default', 'p', { gracePeriodSeconds: 0 });
    await h.ctrl.reconcile('default/a');
    assert.ok(await gone(h.client, 'a'));
  } finally {
    await h.close();
  }
});

test('PvcProtectionController adds the finalizer to a live claim created without it', async () => {
  const h = await harness({ admission: false });
  try {
    await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('old', { finalizers: ['example.com/keep'] }));
    await eventually(
      async () => ((await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'old')).metadata?.finalizers ?? []).length === 2,
      'the finalizer to be added',
    );
    const c = await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'old');
    assert.deepEqual(c.metadata?.finalizers, ['example.com/keep', 'kubernetes.io/pvc-protection']);
  } finally {
    await h.close();
  }
});

test('PvcProtectionController removes only its own finalizer', async () => {
  const h = await harness();
  try {
    await h.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a', { finalizers: ['example.com/keep'] }));
    await h.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', 'a');
    await eventually(
      async () => !(await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'a')).metadata?.finalizers?.includes('kubernetes.io/pvc-protection'),
      'the protection finalizer to go',
    );
    assert.deepEqual((await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'a')).metadata?.finalizers, ['example.com/keep']);
  } finally {
    await h.close();
  }
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
