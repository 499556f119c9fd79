import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { EVENTS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS } from '../client/resources.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import type { ResizerOptions } from './resizer.js';
import { Resizer, mergeResizeConditions, targetSize } from './resizer.js';
import { VolumeExpansionController } from '../controllers/volume-expansion.js';

const NOW = new Date('2026-03-01T12:00:00Z');

/** A cluster whose controllers' clock reads NOW, closed after the test. */
async function cluster(t: TestContext) {
  const c = await testCluster({ now: () => NOW });
  t.after(() => c.close());
  return c;
}

/** A cluster with a Resizer for both berth provisioners, started unless `run: false` (the informers always are). */
async function harness(t: TestContext, opts: Partial<ResizerOptions> & { run?: boolean } = {}) {
  const c = await cluster(t);
  const resizer = new Resizer(c.deps, { provisioners: ['berth.dev/local-path', 'berth.dev/nfs-subdir'], ...opts });
  await (opts.run === false ? c.startInformers() : c.run(resizer));
  return { ...c, resizer, flush: () => c.deps.events('external-resizer berth.dev').flush() };
}

/** Once the informer's copy of the claim satisfies `seen`, one reconcile pass. */
async function reconcileWhenCached(h: Awaited<ReturnType<typeof harness>>, seen: (pvc: KObject | undefined) => boolean): Promise<void> {
  await eventually(async () => seen(h.informers.for(PERSISTENT_VOLUME_CLAIMS).get('default/data')), 'the cache');
  await h.resizer.reconcile('default/data');
}

/** Claim status extras: an expansion to 2Gi the resizer recorded but did not finish. */
const IN_PROGRESS = {
  conditions: [{ type: 'Resizing', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }],
  allocatedResources: { storage: '2Gi' },
  allocatedResourceStatuses: { storage: 'ControllerResizeInProgress' },
};

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

test('Resizer expands the volume of an annotated claim and records it as external-resizer does', async (t) => {
  const h = await harness(t);
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
});

test('Resizer marks the claim Resizing with ControllerResizeInProgress before touching the volume', async (t) => {
  let seen: KObject | undefined;
  let h: Awaited<ReturnType<typeof harness>> | undefined;
  h = await harness(t, {
    expandVolume: async (pv, size) => {
      seen = await claim(h!.client);
      assert.equal(pv.metadata?.name, 'pv1');
      assert.equal(size, '3Gi');
    },
  });
  await boundPair(h.client, { request: '3Gi' });
  await eventually(async () => (await claim(h!.client)).status?.capacity?.storage === '3Gi', 'the claim capacity');
  assert.deepEqual(seen?.status?.conditions, [{ type: 'Resizing', status: 'True', lastTransitionTime: '2026-03-01T12:00:00Z' }]);
  assert.deepEqual(seen?.status?.allocatedResourceStatuses, { storage: 'ControllerResizeInProgress' });
  assert.deepEqual(seen?.status?.allocatedResources, { storage: '3Gi' });
});

test('Resizer ignores claims annotated for another resizer', async (t) => {
  const h = await harness(t);
  await boundPair(h.client, { request: '2Gi', resizer: 'example.com/csi' });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await claim(h.client)).status?.capacity?.storage, '1Gi');
  assert.equal((await volume(h.client)).spec.capacity.storage, '1Gi');
});

test('Resizer.reconcile() finishes an interrupted expansion before starting a larger one', async (t) => {
  const h = await harness(t, { run: false });
  await boundPair(h.client, { request: '3Gi', status: IN_PROGRESS });
  await reconcileWhenCached(h, (c) => c?.spec?.resources?.requests?.storage === '3Gi');
  let pvc = await claim(h.client);
  assert.equal(pvc.status?.capacity?.storage, '2Gi', 'the recorded 2Gi expansion completes first');
  assert.equal(pvc.status?.conditions, undefined);
  assert.equal(pvc.status?.allocatedResourceStatuses, undefined);
  assert.equal((await volume(h.client)).spec.capacity.storage, '2Gi');
  await reconcileWhenCached(h, (c) => c?.status?.capacity?.storage === '2Gi');
  pvc = await claim(h.client);
  assert.equal(pvc.status?.capacity?.storage, '3Gi');
  assert.deepEqual(pvc.status?.allocatedResources, { storage: '3Gi' });
  assert.equal((await volume(h.client)).spec.capacity.storage, '3Gi');
});

test('Resizer.reconcile() resumes after the volume was grown but the claim not yet finished', async (t) => {
  const h = await harness(t, { run: false });
  await boundPair(h.client, { request: '2Gi', pvSize: '2Gi', status: IN_PROGRESS });
  const pvBefore = await volume(h.client);
  await reconcileWhenCached(h, (c) => c?.spec?.resources?.requests?.storage === '2Gi');
  const pvc = await claim(h.client);
  assert.equal(pvc.status?.capacity?.storage, '2Gi');
  assert.equal(pvc.status?.conditions, undefined);
  assert.equal((await volume(h.client)).metadata?.resourceVersion, pvBefore.metadata?.resourceVersion, 'the PV is not written again');
  // Nothing left to do: a second pass changes nothing.
  const rv = pvc.metadata?.resourceVersion;
  await reconcileWhenCached(h, (c) => c?.metadata?.resourceVersion === rv);
  assert.equal((await claim(h.client)).metadata?.resourceVersion, rv);
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

test('Resizer completes what the volume expansion controller hands over', async (t) => {
  const c = await cluster(t);
  await c.run(new VolumeExpansionController(c.deps), new Resizer(c.deps, { provisioners: ['berth.dev/local-path'] }));
  await boundPair(c.client, { resizer: '' });
  await c.client.patch(PERSISTENT_VOLUMES, undefined, 'pv1', { metadata: { annotations: { 'pv.kubernetes.io/provisioned-by': 'berth.dev/local-path' } } });
  await c.client.patch(PERSISTENT_VOLUME_CLAIMS, 'default', 'data', { spec: { resources: { requests: { storage: '5Gi' } } } });
  await eventually(async () => (await claim(c.client)).status?.capacity?.storage === '5Gi', 'the expansion');
  assert.equal((await claim(c.client)).metadata?.annotations?.['volume.kubernetes.io/storage-resizer'], 'berth.dev/local-path');
  assert.equal((await volume(c.client)).spec.capacity.storage, '5Gi');
});
