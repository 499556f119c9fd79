import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../apiserver/api-server.js';
import { ALL_RESOURCES } from '../api/registry.js';
import { fieldManager } from '../apiserver/registry/field-manager.js';
import type { KObject } from '../api/resource.js';
import { Client } from '../client/client.js';
import { InProcessTransport } from '../client/transport.js';
import { SharedInformers } from '../client/shared-informers.js';
import { EVENTS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES } from '../client/resources.js';
import { controllerDeps } from './deps.js';
import { VolumeExpansionController, isExternalResizer } from './volume-expansion.js';

function deepFreeze(o: unknown): void {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
}

async function harness() {
  const api = await ApiServer.open({ kind: 'memory', dataDir: '' }, { resources: ALL_RESOURCES, admission: [], fieldManager });
  await api.start();
  const client = new Client(new InProcessTransport((r) => api.handle(r), 'test'));
  const informers = new SharedInformers(client);
  const deps = controllerDeps(client, informers);
  const ctrl = new VolumeExpansionController(deps);
  for (const r of [PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES]) informers.for(r).onChange((_k, o) => deepFreeze(o));
  await informers.start();
  ctrl.start();
  return {
    client,
    deps,
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

test('VolumeExpansionController annotates a grown claim with its external provisioner and records ExternalExpanding', async () => {
  const h = await harness();
  try {
    await boundClaim(h.client, { provisioner: 'berth.dev/local-path', provisionedBy: 'berth.dev/local-path' });
    await grow(h.client, '2Gi');
    await eventually(async () => (await expandingEvents(h.client)).length > 0, 'the ExternalExpanding event');
    const pvc = await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'data');
    assert.equal(pvc.metadata?.annotations?.['volume.kubernetes.io/storage-resizer'], 'berth.dev/local-path');
    const [ev] = await expandingEvents(h.client);
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.message, 'waiting for an external controller to expand this PVC');
    assert.equal(ev.source?.component, 'volume_expand');
  } finally {
    await h.close();
  }
});

test('VolumeExpansionController falls back to the class provisioner when the PV names none', async () => {
  const h = await harness();
  try {
    await boundClaim(h.client, { provisioner: 'example.com/csi' });
    await grow(h.client, '3Gi');
    await eventually(
      async () => (await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'data')).metadata?.annotations?.['volume.kubernetes.io/storage-resizer'] === 'example.com/csi',
      'the resizer annotation',
    );
  } finally {
    await h.close();
  }
});

test('VolumeExpansionController only records the event for an in-tree provisioner', async () => {
  const h = await harness();
  try {
    await boundClaim(h.client, { provisioner: 'kubernetes.io/no-provisioner' });
    await grow(h.client, '2Gi');
    await eventually(async () => (await expandingEvents(h.client)).length > 0, 'the ExternalExpanding event');
    const pvc = await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'data');
    assert.equal(pvc.metadata?.annotations?.['volume.kubernetes.io/storage-resizer'], undefined);
  } finally {
    await h.close();
  }
});

test('VolumeExpansionController leaves a claim that has what it asks for', async () => {
  const h = await harness();
  try {
    await boundClaim(h.client, { provisioner: 'berth.dev/local-path' });
    await h.client.patch(PERSISTENT_VOLUME_CLAIMS, 'default', 'data', { metadata: { labels: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 100));
    await h.deps.events('volume_expand').flush();
    assert.equal((await expandingEvents(h.client)).length, 0);
    const pvc = await h.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'data');
    assert.equal(pvc.metadata?.annotations?.['volume.kubernetes.io/storage-resizer'], undefined);
  } finally {
    await h.close();
  }
});

test('isExternalResizer() rejects in-tree names', () => {
  assert.equal(isExternalResizer('berth.dev/nfs-subdir'), true);
  assert.equal(isExternalResizer('kubernetes.io/no-provisioner'), false);
  assert.equal(isExternalResizer(undefined), false);
});
