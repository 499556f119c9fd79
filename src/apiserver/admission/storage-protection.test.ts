import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../api-server.js';
import { ALL_RESOURCES } from '../../api/registry.js';
import { fieldManager } from '../registry/field-manager.js';
import { Client } from '../../client/client.js';
import { InProcessTransport } from '../../client/transport.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS } from '../../client/resources.js';
import type { ResourceRef } from '../../client/client.js';
import { storageObjectInUseProtection } from './storage-protection.js';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };

async function server() {
  const api = await ApiServer.open({ kind: 'memory', dataDir: '' }, { resources: ALL_RESOURCES, admission: [storageObjectInUseProtection()], fieldManager });
  await api.start();
  return { api, client: new Client(new InProcessTransport((r) => api.handle(r), 'test')) };
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

test('storageObjectInUseProtection() adds kubernetes.io/pvc-protection to a new claim once', async () => {
  const { api, client } = await server();
  try {
    const a = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    assert.deepEqual(a.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
    const b = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('b', ['example.com/x', 'kubernetes.io/pvc-protection']));
    assert.deepEqual(b.metadata?.finalizers, ['example.com/x', 'kubernetes.io/pvc-protection']);
  } finally {
    await api.close();
  }
});

test('storageObjectInUseProtection() adds kubernetes.io/pv-protection to a new volume', async () => {
  const { api, client } = await server();
  try {
    const v = await client.create(PERSISTENT_VOLUMES, undefined, volume('pv1'));
    assert.deepEqual(v.metadata?.finalizers, ['kubernetes.io/pv-protection']);
  } finally {
    await api.close();
  }
});

test('storageObjectInUseProtection() leaves updates and other kinds alone', async () => {
  const { api, client } = await server();
  try {
    const cm = await client.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    assert.equal(cm.metadata?.finalizers, undefined);
    const a = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    const updated = await client.update(PERSISTENT_VOLUME_CLAIMS, { ...a, metadata: { ...a.metadata, finalizers: [] } });
    assert.deepEqual(updated.metadata?.finalizers ?? [], []);
  } finally {
    await api.close();
  }
});
