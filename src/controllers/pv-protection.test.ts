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
import { PERSISTENT_VOLUMES } from '../client/resources.js';
import { controllerDeps } from './deps.js';
import { PvProtectionController } from './pv-protection.js';

function deepFreeze(o: unknown): void {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
}

async function harness(opts: { admission?: boolean } = {}) {
  const api = await ApiServer.open(
    { kind: 'memory', dataDir: '' },
    { resources: ALL_RESOURCES, admission: opts.admission === false ? [] : [storageObjectInUseProtection()], fieldManager },
  );
  await api.start();
  const client = new Client(new InProcessTransport((r) => api.handle(r), 'test'));
  const informers = new SharedInformers(client);
  const ctrl = new PvProtectionController(controllerDeps(client, informers));
  informers.for(PERSISTENT_VOLUMES).onChange((_k, o) => deepFreeze(o));
  await informers.start();
  ctrl.start();
  return {
    client,
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

const volume = (name: string, finalizers?: string[]): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, ...(finalizers ? { finalizers } : {}) },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` } },
});

async function gone(client: Client, name: string): Promise<boolean> {
  try {
    await client.get(PERSISTENT_VOLUMES, undefined, name);
    return false;
  } catch (e) {
    if (isApiError(e) && e.code === 404) return true;
    throw e;
  }
}

async function setPhase(client: Client, name: string, phase: string): Promise<void> {
  const pv = await client.get(PERSISTENT_VOLUMES, undefined, name);
  await client.update(PERSISTENT_VOLUMES, { ...pv, status: { ...pv.status, phase } }, 'status');
}

test('PvProtectionController removes the finalizer of a deleted volume that is not Bound', async () => {
  const h = await harness();
  try {
    await h.client.create(PERSISTENT_VOLUMES, undefined, volume('pv1'));
    await setPhase(h.client, 'pv1', 'Available');
    await h.client.delete(PERSISTENT_VOLUMES, undefined, 'pv1');
    await eventually(() => gone(h.client, 'pv1'), 'pv1 to be removed');
  } finally {
    await h.close();
  }
});

test('PvProtectionController keeps a Bound volume until its phase changes', async () => {
  const h = await harness();
  try {
    await h.client.create(PERSISTENT_VOLUMES, undefined, volume('pv1'));
    await setPhase(h.client, 'pv1', 'Bound');
    await h.client.delete(PERSISTENT_VOLUMES, undefined, 'pv1');
    await new Promise((r) => setTimeout(r, 100));
    const kept = await h.client.get(PERSISTENT_VOLUMES, undefined, 'pv1');
    assert.ok(kept.metadata?.deletionTimestamp);
    assert.deepEqual(kept.metadata?.finalizers, ['kubernetes.io/pv-protection']);
    await setPhase(h.client, 'pv1', 'Released');
    await eventually(() => gone(h.client, 'pv1'), 'pv1 to be removed once Released');
  } finally {
    await h.close();
  }
});

test('PvProtectionController adds the finalizer to a live volume without it, and removes only its own', async () => {
  const h = await harness({ admission: false });
  try {
    await h.client.create(PERSISTENT_VOLUMES, undefined, volume('pv1', ['example.com/keep']));
    await eventually(async () => ((await h.client.get(PERSISTENT_VOLUMES, undefined, 'pv1')).metadata?.finalizers ?? []).length === 2, 'the finalizer');
    assert.deepEqual((await h.client.get(PERSISTENT_VOLUMES, undefined, 'pv1')).metadata?.finalizers, ['example.com/keep', 'kubernetes.io/pv-protection']);
    await h.client.delete(PERSISTENT_VOLUMES, undefined, 'pv1');
    await eventually(async () => (await h.client.get(PERSISTENT_VOLUMES, undefined, 'pv1')).metadata?.finalizers?.length === 1, 'the removal');
    assert.deepEqual((await h.client.get(PERSISTENT_VOLUMES, undefined, 'pv1')).metadata?.finalizers, ['example.com/keep']);
  } finally {
    await h.close();
  }
});
