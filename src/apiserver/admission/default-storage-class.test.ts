import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../api-server.js';
import { ALL_RESOURCES } from '../../api/registry.js';
import { fieldManager } from '../registry/field-manager.js';
import { Client } from '../../client/client.js';
import { InProcessTransport } from '../../client/transport.js';
import { PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES } from '../../client/resources.js';
import type { KObject } from '../../api/resource.js';
import { defaultStorageClass } from './default-storage-class.js';
import { pickDefaultStorageClass as pickDefaultClass } from '../../api/storage/storage-class.js';

async function server() {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const api: ApiServer = await ApiServer.open(
    { kind: 'memory', dataDir: '' },
    { resources: ALL_RESOURCES, admission: [defaultStorageClass(() => api.serverParts)], fieldManager, now: () => new Date(clock) },
  );
  await api.start();
  const client = new Client(new InProcessTransport((r) => api.handle(r), 'test'));
  return { api, client, tick: (s: number) => (clock += s * 1000) };
}

const cls = (name: string, annotations: Record<string, string> = {}): KObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name, annotations },
  provisioner: 'berth.dev/local-path',
});

const claim = (name: string, extra: { storageClassName?: string | null; annotations?: Record<string, string> } = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: {
    accessModes: ['ReadWriteOnce'],
    resources: { requests: { storage: '1Gi' } },
    ...('storageClassName' in extra ? { storageClassName: extra.storageClassName } : {}),
  },
});

const DEFAULT = { 'storageclass.kubernetes.io/is-default-class': 'true' };
const BETA_DEFAULT = { 'storageclass.beta.kubernetes.io/is-default-class': 'true' };

test('defaultStorageClass() sets the default class on a claim created without one', async () => {
  const { api, client } = await server();
  try {
    await client.create(STORAGE_CLASSES, undefined, cls('plain'));
    await client.create(STORAGE_CLASSES, undefined, cls('fast', DEFAULT));
    const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    assert.equal(c.spec.storageClassName, 'fast');
  } finally {
    await api.close();
  }
});

test('defaultStorageClass() keeps an explicit class, an explicit "" and the beta annotation', async () => {
  const { api, client } = await server();
  try {
    await client.create(STORAGE_CLASSES, undefined, cls('fast', DEFAULT));
    const named = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a', { storageClassName: 'slow' }));
    assert.equal(named.spec.storageClassName, 'slow');
    const empty = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('b', { storageClassName: '' }));
    assert.equal(empty.spec.storageClassName, '');
    const beta = await client.create(
      PERSISTENT_VOLUME_CLAIMS,
      'default',
      claim('c', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'slow' } }),
    );
    assert.equal(beta.spec.storageClassName, undefined);
  } finally {
    await api.close();
  }
});

test('defaultStorageClass() treats a null class name as unset', async () => {
  const { api, client } = await server();
  try {
    await client.create(STORAGE_CLASSES, undefined, cls('fast', DEFAULT));
    const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a', { storageClassName: null }));
    assert.equal(c.spec.storageClassName, 'fast');
  } finally {
    await api.close();
  }
});

test('defaultStorageClass() leaves the class unset when no class is the default', async () => {
  const { api, client } = await server();
  try {
    await client.create(STORAGE_CLASSES, undefined, cls('plain', { 'storageclass.kubernetes.io/is-default-class': 'false' }));
    const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    assert.equal(c.spec.storageClassName, undefined);
  } finally {
    await api.close();
  }
});

test('defaultStorageClass() picks the newest of several defaults (beta annotation counts)', async () => {
  const { api, client, tick } = await server();
  try {
    await client.create(STORAGE_CLASSES, undefined, cls('older', DEFAULT));
    tick(5);
    await client.create(STORAGE_CLASSES, undefined, cls('newer', BETA_DEFAULT));
    const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
    assert.equal(c.spec.storageClassName, 'newer');
  } finally {
    await api.close();
  }
});

test('pickDefaultStorageClass() breaks creation-time ties by name ascending', () => {
  const at = (name: string, ts: string) => ({ ...cls(name, DEFAULT), metadata: { name, annotations: DEFAULT, creationTimestamp: ts } });
  const chosen = pickDefaultClass([at('zeta', '2026-01-01T00:00:00Z'), at('alpha', '2026-01-01T00:00:00Z'), at('old', '2025-01-01T00:00:00Z')]);
  assert.equal(chosen?.metadata?.name, 'alpha');
  assert.equal(pickDefaultClass([cls('x')]), undefined);
});
