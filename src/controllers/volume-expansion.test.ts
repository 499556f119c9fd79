import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { EVENTS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES } from '../client/resources.js';
import { eventually, testCluster } from './test-cluster.js';
import { VolumeExpansionController, isExternalResizer } from './volume-expansion.js';

/** A cluster running the controller, closed after the test. */
async function harness(t: TestContext) {
  const c = await testCluster();
  t.after(() => c.close());
  await c.run(new VolumeExpansionController(c.deps));
  return c;
}

/** A class, a PV bound to a claim of that class, the claim Bound at 1Gi. */
async function boundClaim(client: Client, opts: { provisioner: string; provisionedBy?: string }): Promise<KObject> {
  await client.create(STORAGE_CLASSES, undefined, {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'cls' },
    provisioner: opts.provisioner,
    allowVolumeExpansion: true,
  });
  const pvc = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data', namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'cls', volumeName: 'pv1' },
  });
  await client.create(PERSISTENT_VOLUMES, undefined, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv1', ...(opts.provisionedBy ? { annotations: { 'pv.kubernetes.io/provisioned-by': opts.provisionedBy } } : {}) },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: '/tmp/pv1' },
      storageClassName: 'cls',
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: pvc.metadata?.uid },
    },
  });
  return client.update(PERSISTENT_VOLUME_CLAIMS, { ...pvc, status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } }, 'status');
}

async function grow(client: Client, storage: string): Promise<void> {
  await client.patch(PERSISTENT_VOLUME_CLAIMS, 'default', 'data', { spec: { resources: { requests: { storage } } } });
}

async function expandingEvents(client: Client): Promise<KObject[]> {
  const l = await client.list(EVENTS, 'default');
  return l.items.filter((e) => e.reason === 'ExternalExpanding' && e.involvedObject?.name === 'data');
}

/** Grows the claim and waits for the ExternalExpanding event. */
async function growUntilExpanding(client: Client, storage: string): Promise<void> {
  await grow(client, storage);
  await eventually(async () => (await expandingEvents(client)).length > 0, 'the ExternalExpanding event');
}

const resizerOf = async (client: Client) =>
  (await client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'data')).metadata?.annotations?.['volume.kubernetes.io/storage-resizer'];

test('VolumeExpansionController annotates a grown claim with its external provisioner and records ExternalExpanding', async (t) => {
  const h = await harness(t);
  await boundClaim(h.client, { provisioner: 'berth.dev/local-path', provisionedBy: 'berth.dev/local-path' });
  await growUntilExpanding(h.client, '2Gi');
  assert.equal(await resizerOf(h.client), 'berth.dev/local-path');
  const [ev] = await expandingEvents(h.client);
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.message, 'waiting for an external controller to expand this PVC');
  assert.equal(ev.source?.component, 'volume_expand');
});

test('VolumeExpansionController falls back to the class provisioner when the PV names none', async (t) => {
  const h = await harness(t);
  await boundClaim(h.client, { provisioner: 'example.com/csi' });
  await grow(h.client, '3Gi');
  await eventually(async () => (await resizerOf(h.client)) === 'example.com/csi', 'the resizer annotation');
});

test('VolumeExpansionController only records the event for an in-tree provisioner', async (t) => {
  const h = await harness(t);
  await boundClaim(h.client, { provisioner: 'kubernetes.io/no-provisioner' });
  await growUntilExpanding(h.client, '2Gi');
  assert.equal(await resizerOf(h.client), undefined);
});

test('VolumeExpansionController leaves a claim that has what it asks for', async (t) => {
  const h = await harness(t);
  await boundClaim(h.client, { provisioner: 'berth.dev/local-path' });
  await h.client.patch(PERSISTENT_VOLUME_CLAIMS, 'default', 'data', { metadata: { labels: { touched: 'yes' } } });
  await new Promise((r) => setTimeout(r, 100));
  await h.deps.events('volume_expand').flush();
  assert.equal((await expandingEvents(h.client)).length, 0);
  assert.equal(await resizerOf(h.client), undefined);
});

test('isExternalResizer() rejects in-tree names', () => {
  assert.equal(isExternalResizer('berth.dev/nfs-subdir'), true);
  assert.equal(isExternalResizer('kubernetes.io/no-provisioner'), false);
  assert.equal(isExternalResizer(undefined), false);
});
