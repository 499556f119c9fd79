import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES } from '../../client/resources.js';
import type { KObject } from '../../api/resource.js';
import { testCluster } from '../../controllers/test-cluster.js';
import { defaultStorageClass } from './default-storage-class.js';
import { pickDefaultStorageClass as pickDefaultClass } from '../../api/storage/storage-class.js';

/** A server admitting with defaultStorageClass() on a clock that moves only by `tick(seconds)`; closed after the test. */
async function server(t: TestContext) {
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const c = await testCluster({ admission: (parts) => [defaultStorageClass(parts)], serverNow: () => new Date(clock) });
  t.after(() => c.close());
  return { client: c.client, tick: (s: number) => (clock += s * 1000) };
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

test('defaultStorageClass() sets the default class on a claim created without one', async (t) => {
  const { client } = await server(t);
  await client.create(STORAGE_CLASSES, undefined, cls('plain'));
  await client.create(STORAGE_CLASSES, undefined, cls('fast', DEFAULT));
  const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  assert.equal(c.spec.storageClassName, 'fast');
});

test('defaultStorageClass() keeps an explicit class, an explicit "" and the beta annotation', async (t) => {
  const { client } = await server(t);
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
});

test('defaultStorageClass() treats a null class name as unset', async (t) => {
  const { client } = await server(t);
  await client.create(STORAGE_CLASSES, undefined, cls('fast', DEFAULT));
  const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a', { storageClassName: null }));
  assert.equal(c.spec.storageClassName, 'fast');
});

test('defaultStorageClass() leaves the class unset when no class is the default', async (t) => {
  const { client } = await server(t);
  await client.create(STORAGE_CLASSES, undefined, cls('plain', { 'storageclass.kubernetes.io/is-default-class': 'false' }));
  const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  assert.equal(c.spec.storageClassName, undefined);
});

test('defaultStorageClass() picks the newest of several defaults (beta annotation counts)', async (t) => {
  const { client, tick } = await server(t);
  await client.create(STORAGE_CLASSES, undefined, cls('older', DEFAULT));
  tick(5);
  await client.create(STORAGE_CLASSES, undefined, cls('newer', BETA_DEFAULT));
  const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a'));
  assert.equal(c.spec.storageClassName, 'newer');
});

test('pickDefaultStorageClass() breaks creation-time ties by name ascending', () => {
  const at = (name: string, ts: string) => ({ ...cls(name, DEFAULT), metadata: { name, annotations: DEFAULT, creationTimestamp: ts } });
  const chosen = pickDefaultClass([at('zeta', '2026-01-01T00:00:00Z'), at('alpha', '2026-01-01T00:00:00Z'), at('old', '2025-01-01T00:00:00Z')]);
  assert.equal(chosen?.metadata?.name, 'alpha');
  assert.equal(pickDefaultClass([cls('x')]), undefined);
});
