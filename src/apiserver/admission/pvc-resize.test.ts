import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { KObject, ResourceDef } from '../../api/resource.js';
import type { Client } from '../../client/client.js';
import { PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES } from '../../client/resources.js';
import { testCluster } from '../../controllers/test-cluster.js';
import type { ServerParts } from '../handlers/context.js';
import { ONLY_BOUND_CAN_EXPAND, RESIZE_NOT_ALLOWED, persistentVolumeClaimResize } from './pvc-resize.js';

/** A server admitting with persistentVolumeClaimResize(), closed after the test. */
async function server(t: TestContext) {
  const c = await testCluster({ admission: (parts) => [persistentVolumeClaimResize(parts)] });
  t.after(() => c.close());
  return c;
}

const cls = (name: string, allowVolumeExpansion?: boolean): KObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner: 'berth.dev/local-path',
  ...(allowVolumeExpansion === undefined ? {} : { allowVolumeExpansion }),
});

/** A claim of class `className`, Bound (through /status) unless `pending`. */
async function claim(client: Client, name: string, className: string, opts: { pending?: boolean } = {}): Promise<KObject> {
  const c = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: className },
  });
  if (opts.pending) return c;
  return client.update(
    PERSISTENT_VOLUME_CLAIMS,
    { ...c, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } },
    'status',
  );
}

function grow(c: KObject, storage = '2Gi'): KObject {
  return { ...c, spec: { ...c.spec, resources: { requests: { storage } } } };
}

async function failure(p: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isApiError(e)) return { code: e.code, message: e.status.message ?? '' };
    throw e;
  }
  assert.fail('expected the request to fail');
}

test('persistentVolumeClaimResize() lets a bound claim of an expandable class grow', async (t) => {
  const { client } = await server(t);
  await client.create(STORAGE_CLASSES, undefined, cls('fast', true));
  const c = await claim(client, 'a', 'fast');
  const grown = await client.update(PERSISTENT_VOLUME_CLAIMS, grow(c));
  assert.equal(grown.spec.resources.requests.storage, '2Gi');
});

test('persistentVolumeClaimResize() forbids growth unless the class allows expansion', async (t) => {
  const { client } = await server(t);
  await client.create(STORAGE_CLASSES, undefined, cls('fixed', false));
  await client.create(STORAGE_CLASSES, undefined, cls('unset'));
  for (const className of ['fixed', 'unset', 'missing']) {
    const c = await claim(client, `c-${className}`, className);
    const f = await failure(client.update(PERSISTENT_VOLUME_CLAIMS, grow(c)));
    assert.equal(f.code, 403);
    assert.equal(f.message, `persistentvolumeclaims "c-${className}" is forbidden: ${RESIZE_NOT_ALLOWED}`);
  }
});

test('persistentVolumeClaimResize() allows updates that do not grow the request', async (t) => {
  const { client } = await server(t);
  await client.create(STORAGE_CLASSES, undefined, cls('fixed', false));
  const c = await claim(client, 'a', 'fixed');
  const labeled = await client.update(PERSISTENT_VOLUME_CLAIMS, { ...c, metadata: { ...c.metadata, labels: { a: 'b' } } });
  assert.equal(labeled.metadata?.labels?.a, 'b');
  // The same size spelled differently is not growth.
  await client.update(PERSISTENT_VOLUME_CLAIMS, grow(labeled, '1024Mi'));
});

test('persistentVolumeClaimResize() leaves a pending claim to validation (422, as Kubernetes answers)', async (t) => {
  const { client } = await server(t);
  await client.create(STORAGE_CLASSES, undefined, cls('fast', true));
  const c = await claim(client, 'a', 'fast', { pending: true });
  const f = await failure(client.update(PERSISTENT_VOLUME_CLAIMS, grow(c)));
  assert.equal(f.code, 422);
});

test('persistentVolumeClaimResize() forbids growing a claim that is not bound', async () => {
  const parts = { registry: () => undefined } as unknown as ServerParts;
  const plugin = persistentVolumeClaimResize(() => parts);
  const def = { group: '', plural: 'persistentvolumeclaims' } as ResourceDef;
  const old: KObject = { metadata: { name: 'a' }, spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } };
  assert.throws(
    () => plugin({ operation: 'UPDATE', def, obj: grow(old), old, subresource: '', dryRun: false }),
    (e: unknown) => isApiError(e) && e.code === 403 && e.status.message === `persistentvolumeclaims "a" is forbidden: ${ONLY_BOUND_CAN_EXPAND}`,
  );
  // The status subresource is not checked.
  plugin({ operation: 'UPDATE', def, obj: grow(old), old, subresource: 'status', dryRun: false });
});
