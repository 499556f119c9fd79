import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../apiserver/api-server.js';
import { ALL_RESOURCES } from '../api/registry.js';
import { fieldManager } from '../apiserver/registry/field-manager.js';
import type { KObject } from '../api/resource.js';
import { Client } from '../client/client.js';
import { InProcessTransport } from '../client/transport.js';
import { SharedInformers } from '../client/shared-informers.js';
import { EVENTS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS } from '../client/resources.js';
import { controllerDeps } from '../controllers/deps.js';
import type { ResizerOptions } from './resizer.js';
import { Resizer, mergeResizeConditions, targetSize } from './resizer.js';
import { VolumeExpansionController } from '../controllers/volume-expansion.js';

const NOW = new Date('2026-03-01T12:00:00Z');

function deepFreeze(o: unknown): void {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
}

async function harness(opts: Partial<ResizerOptions> & { run?: boolean } = {}) {
  const api = await ApiServer.open({ kind: 'memory', dataDir: '' }, { resources: ALL_RESOURCES, admission: [], fieldManager });
  await api.start();
  const client = new Client(new InProcessTransport((r) => api.handle(r), 'test'));
  const informers = new SharedInformers(client);
  const deps = controllerDeps(client, informers, { now: () => NOW });
  const resizer = new Resizer(deps, { provisioners: ['berth.dev/local-path', 'berth.dev/nfs-subdir'], ...opts });
  informers.for(PERSISTENT_VOLUME_CLAIMS).onChange((_k, o) => deepFreeze(o));
  await informers.start();
  if (opts.run !== false) resizer.start();
  return {
    client,
    informers,
    resizer,
    flush: () => deps.events('external-resizer berth.dev').flush(),
    async close() {
      resizer.stop();
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

/** PV pv1 (capacity `pvSize`) bound to claim default/data, Bound at `capacity` with `status` extras; `resizer: ''` leaves the claim unannotated. */
async function boundPair(
  client: Client,
  opts: { resizer?: string; request?: string; pvSize?: string; capacity?: string; status?: Record<string, unknown> } = {},
): Promise<void> {
  const pvc = await client.create(PERSISTENT_VOLUME_CLAIMS, 'default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: 'data',
      namespace: 'default',
      ...(opts.resizer === '' ? {} : { annotations: { 'volume.kubernetes.io/storage-resizer': opts.resizer ?? 'berth.dev/local-path' } }),
    },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'cls', volumeName: 'pv1' },
  });
  await client.create(PERSISTENT_VOLUMES, undefined, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv1' },
    spec: {
      capacity: { storage: opts.pvSize ?? '1Gi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: '/tmp/pv1' },
      storageClassName: 'cls',
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: 'data', uid: pvc.metadata?.uid },
    },
  });
  const status = { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: opts.capacity ?? '1Gi' }, ...opts.status };
  const bound = await client.update(PERSISTENT_VOLUME_CLAIMS, { ...pvc, status }, 'status');
  if (opts.request) await client.update(PERSISTENT_VOLUME_CLAIMS, { ...bound, spec: { ...bound.spec, resources: { requests: { storage: opts.request } } } });
}

const claim = (client: Client) => client.get(PERSISTENT_VOLUME_CLAIMS, 'default', 'data');
const volume = (client: Client) => client.get(PERSISTENT_VOLUMES, undefined, 'pv1');

async function events(client: Client): Promise<KObject[]> {
  return (await client.list(EVENTS, 'default')).items.filter((e) => e.source?.component === 'external-resizer berth.dev');
}

test('Resizer expands the volume of an annotated claim and records it as external-resizer does', async () => {
  const h = await harness();
  try {
    await boundPair(h.client, { request: '2Gi' });
    await eventually(async () => (await claim(h.client)).status?.capacity?.storage === '2Gi', 'the claim capacity');
    const pvc = await claim(h.client);
    assert.deepEqual(pvc.status, {
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '2Gi' },
      allocatedResources: { storage: '2Gi' },
    });
    assert.equal((await volume(h.client)).spec.capacity.storage, '2Gi');
    await h.flush();
    const got = (await events(h.client)).map((e) => [e.type, e.reason, e.message]);
    assert.deepEqual(got, [
      ['Normal', 'Resizing', 'External resizer is resizing volume pv1'],
      ['Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded'],
    ]);
  } finally {
    await h.close();
  }
});

test('Resizer marks the claim Resizing with ControllerResizeInProgress before touching the volume', async () => {
  let seen: KObject | undefined;
  let h: Awaited<ReturnType<typeof harness>> | undefined;
  h = await harness({
    expandVolume: async (pv, size) => {
      seen = await claim(h!.client);
      assert.equal(pv.metadata?.name, 'pv1');
      assert.equal(size, '3Gi');
    },
  });
  try {
    await boundPair(h.client, { request: '3Gi' });
    await eventually(async () => (await claim(h!.client)).status?.capacity?.storage === '3Gi', 'the claim capacity');
    assert.deepEqual(seen?.status?.conditions, [{ type: 'Resizing', status: 'True', lastTransitionTime: '2026-03-01T12:00:00Z' }]);
    assert.deepEqual(seen?.status?.allocatedResourceStatuses, { storage: 'ControllerResizeInProgress' });
    assert.deepEqual(seen?.status?.allocatedResources, { storage: '3Gi' });
  } finally {
    await h.close();
  }
});

test('Resizer ignores claims annotated for another resizer', async () => {
  const h = await harness();
  try {
    await boundPair(h.client, { request: '2Gi', resizer: 'example.com/csi' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await claim(h.client)).status?.capacity?.storage, '1Gi');
    assert.equal((await volume(h.client)).spec.capacity.storage, '1Gi');
  } finally {
    await h.close();
  }
});

test('Resizer.reconcile() finishes an interrupted expansion before starting a larger one', async () => {
  const h = await harness({ run: false });
  try {
    const inProgress = {
      conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      allocatedResources: { storage: '2Gi' },
      allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
    };
    await boundPair(h.client, { request: '3Gi', status: inProgress });
    await eventually(async () => h.informers.for(PERSISTENT_VOLUME_CLAIMS).get('default/data')?.spec?.resources?.requests?.storage === '3Gi', 'the cache');
    await h.resizer.reconcile('default/data');
    let pvc = await claim(h.client);
    assert.equal(pvc.status?.capacity?.storage, '2Gi', 'the recorded 2Gi expansion completes first');
    assert.equal(pvc.status?.conditions, undefined);
    assert.equal(pvc.status?.allocatedResourceStatuses, undefined);
    assert.equal((await volume(h.client)).spec.capacity.storage, '2Gi');
    await eventually(async () => h.informers.for(PERSISTENT_VOLUME_CLAIMS).get('default/data')?.status?.capacity?.storage === '2Gi', 'the cache');
    await h.resizer.reconcile('default/data');
    pvc = await claim(h.client);
    assert.equal(pvc.status?.capacity?.storage, '3Gi');
    assert.deepEqual(pvc.status?.allocatedResources, { storage: '3Gi' });
    assert.equal((await volume(h.client)).spec.capacity.storage, '3Gi');
  } finally {
    await h.close();
  }
});

test('Resizer.reconcile() resumes after the volume was grown but the claim not yet finished', async () => {
  const h = await harness({ run: false });
  try {
    const inProgress = {
      conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      allocatedResources: { storage: '2Gi' },
      allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
    };
    await boundPair(h.client, { request: '2Gi', pvSize: '2Gi', status: inProgress });
    await eventually(async () => h.informers.for(PERSISTENT_VOLUME_CLAIMS).get('default/data')?.spec?.resources?.requests?.storage === '2Gi', 'the cache');
    const pvBefore = await volume(h.client);
    await h.resizer.reconcile('default/data');
    const pvc = await claim(h.client);
    assert.equal(pvc.status?.capacity?.storage, '2Gi');
    assert.equal(pvc.status?.conditions, undefined);
    assert.equal((await volume(h.client)).metadata?.resourceVersion, pvBefore.metadata?.resourceVersion, 'the PV is not written again');
    // Nothing left to do: a second pass changes nothing.
    const rv = pvc.metadata?.resourceVersion;
    await eventually(async () => h.informers.for(PERSISTENT_VOLUME_CLAIMS).get('default/data')?.metadata?.resourceVersion === rv, 'the cache');
    await h.resizer.reconcile('default/data');
    assert.equal((await claim(h.client)).metadata?.resourceVersion, rv);
  } finally {
    await h.close();
  }
});

test('targetSize() follows expandAndRecover', () => {
  const pvc = (request: string, status: Record<string, unknown> = {}): KObject => ({ spec: { resources: { requests: { storage: request } } }, status });
  const pv = (size: string): KObject => ({ spec: { capacity: { storage: size } } });
  assert.equal(targetSize(pvc('2Gi'), pv('1Gi')), '2Gi');
  const nodePending = { allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'NodeResizePending' } };
  assert.equal(targetSize(pvc('3Gi', nodePending), pv('2Gi')), undefined, 'let the node finish first');
  assert.equal(targetSize(pvc('2Gi', nodePending), pv('2Gi')), undefined);
  const controller = { allocatedResources: { storage: '2Gi' }, allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' } };
  assert.equal(targetSize(pvc('3Gi', controller), pv('1Gi')), '2Gi');
  assert.equal(targetSize(pvc('1500Mi', controller), pv('2Gi')), '2Gi');
  assert.equal(targetSize(pvc('2Gi', { conditions: [{ type: 'FileSystemResizePending', status: 'True' }] }), pv('2Gi')), undefined);
});

test('mergeResizeConditions() replaces resize conditions by type and keeps the others', () => {
  const other = { type: 'ModifyingVolume', status: 'True' };
  const old = [other, { type: 'ControllerResizeError', status: 'True' }];
  const resizing = { type: 'Resizing', status: 'True' };
  assert.deepEqual(mergeResizeConditions(old, [resizing], false), [other, resizing]);
  assert.deepEqual(mergeResizeConditions(old, [resizing], true), [...old, resizing]);
  assert.deepEqual(mergeResizeConditions([...old, resizing], [], false), [other]);
});

test('Resizer completes what the volume expansion controller hands over', async () => {
  const api = await ApiServer.open({ kind: 'memory', dataDir: '' }, { resources: ALL_RESOURCES, admission: [], fieldManager });
  await api.start();
  const client = new Client(new InProcessTransport((r) => api.handle(r), 'test'));
  const informers = new SharedInformers(client);
  const deps = controllerDeps(client, informers, { now: () => NOW });
  const expansion = new VolumeExpansionController(deps);
  const resizer = new Resizer(deps, { provisioners: ['berth.dev/local-path'] });
  try {
    await informers.start();
    expansion.start();
    resizer.start();
    await boundPair(client, { resizer: '' });
    await client.patch(PERSISTENT_VOLUMES, undefined, 'pv1', { metadata: { annotations: { 'pv.kubernetes.io/provisioned-by': 'berth.dev/local-path' } } });
    await client.patch(PERSISTENT_VOLUME_CLAIMS, 'default', 'data', { spec: { resources: { requests: { storage: '5Gi' } } } });
    await eventually(async () => (await claim(client)).status?.capacity?.storage === '5Gi', 'the expansion');
    assert.equal((await claim(client)).metadata?.annotations?.['volume.kubernetes.io/storage-resizer'], 'berth.dev/local-path');
    assert.equal((await volume(client)).spec.capacity.storage, '5Gi');
  } finally {
    expansion.stop();
    resizer.stop();
    await informers.stop();
    await api.close();
  }
});
