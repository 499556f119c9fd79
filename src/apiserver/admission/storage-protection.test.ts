import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS } from '../../client/resources.js';
import type { ResourceRef } from '../../client/client.js';
import { testCluster } from '../../controllers/test-cluster.js';
import { storageObjectInUseProtection } from './storage-protection.js';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };

/** A server admitting with storageObjectInUseProtection(), closed after the test. */
async function server(t: TestContext) {
  const c = await testCluster({ admission: () => [storageObjectInUseProtection()] });
  t.after(() => c.close());
  return c;
}

const claim = (name: string, finalizers?: string[]) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', ...(finalizers ? { finalizers } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

const volume = (name: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' } },
});

test('storageObjectInUseProtection() adds kubernetes.io/pvc-protection to a new claim once', async (t) => {
  const { client } = await server(t);
  const a = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  assert.deepEqual(a.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
  const b = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('b', ['example.com/x', 'kubernetes.io/pvc-protection']));
  assert.deepEqual(b.metadata?.finalizers, ['example.com/x', 'kubernetes.io/pvc-protection']);
});

test('storageObjectInUseProtection() adds kubernetes.io/pv-protection to a new volume', async (t) => {
  const { client } = await server(t);
  const v = await client.create(PERSISTENT_VOLUMES, undefined, volume('pv1'));
  assert.deepEqual(v.metadata?.finalizers, ['kubernetes.io/pv-protection']);
});

test('storageObjectInUseProtection() leaves updates and other kinds alone', async (t) => {
  const { client } = await server(t);
  const cm = await client.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
  assert.equal(cm.metadata?.finalizers, undefined);
  const a = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  const updated = await client.update(PERSISTENT_VOLUME_CLAIMS, { ...a, metadata: { ...a.metadata, finalizers: [] } });
  assert.deepEqual(updated.metadata?.finalizers ?? [], []);
});
