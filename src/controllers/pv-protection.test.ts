import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { storageObjectInUseProtection } from '../apiserver/admission/storage-protection.js';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { PERSISTENT_VOLUMES } from '../client/resources.js';
import { PvProtectionController } from './pv-protection.js';
import { eventually, testCluster } from './test-cluster.js';

/** A cluster running the controller, with the protection admission plugin unless `admission: false`; closed after the test. */
async function harness(t: TestContext, opts: { admission?: boolean } = {}) {
  const c = await testCluster({ admission: () => (opts.admission === false ? [] : [storageObjectInUseProtection()]) });
  t.after(() => c.close());
  await c.run(new PvProtectionController(c.deps));
  return c;
}

const volume = (name: string, finalizers?: string[]): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, ...(finalizers ? { finalizers } : {}) },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: `/tmp/${name}` } },
});

/** Whether the volume is gone (404); any other error fails. */
const gone = (client: Client, name: string): Promise<boolean> =>
  client.get(PERSISTENT_VOLUMES, undefined, name).then(() => false, (e) => (isApiError(e) && e.code === 404) || Promise.reject(e));

const finalizers = async (client: Client, name: string) => (await client.get(PERSISTENT_VOLUMES, undefined, name)).metadata?.finalizers;

async function setPhase(client: Client, name: string, phase: string): Promise<void> {
  const pv = await client.get(PERSISTENT_VOLUMES, undefined, name);
  await client.update(PERSISTENT_VOLUMES, { ...pv, status: { ...pv.status, phase } }, 'status');
}

test('PvProtectionController removes the finalizer of a deleted volume that is not Bound', async (t) => {
  const h = await harness(t);
  await h.client.create(PERSISTENT_VOLUMES, undefined, volume('pv1'));
  await setPhase(h.client, 'pv1', 'Available');
  await h.client.delete(PERSISTENT_VOLUMES, undefined, 'pv1');
  await eventually(() => gone(h.client, 'pv1'), 'pv1 to be removed');
});

test('PvProtectionController keeps a Bound volume until its phase changes', async (t) => {
  const h = await harness(t);
  await h.client.create(PERSISTENT_VOLUMES, undefined, volume('pv1'));
  await setPhase(h.client, 'pv1', 'Bound');
  await h.client.delete(PERSISTENT_VOLUMES, undefined, 'pv1');
  await new Promise((r) => setTimeout(r, 100));
  const kept = await h.client.get(PERSISTENT_VOLUMES, undefined, 'pv1');
  assert.ok(kept.metadata?.deletionTimestamp);
  assert.deepEqual(kept.metadata?.finalizers, ['kubernetes.io/pv-protection']);
  await setPhase(h.client, 'pv1', 'Released');
  await eventually(() => gone(h.client, 'pv1'), 'pv1 to be removed once Released');
});

test('PvProtectionController adds the finalizer to a live volume without it, and removes only its own', async (t) => {
  const h = await harness(t, { admission: false });
  await h.client.create(PERSISTENT_VOLUMES, undefined, volume('pv1', ['example.com/keep']));
  await eventually(async () => ((await finalizers(h.client, 'pv1')) ?? []).length === 2, 'the finalizer');
  assert.deepEqual(await finalizers(h.client, 'pv1'), ['example.com/keep', 'kubernetes.io/pv-protection']);
  await h.client.delete(PERSISTENT_VOLUMES, undefined, 'pv1');
  await eventually(async () => (await finalizers(h.client, 'pv1'))?.length === 1, 'the removal');
  assert.deepEqual(await finalizers(h.client, 'pv1'), ['example.com/keep']);
});
