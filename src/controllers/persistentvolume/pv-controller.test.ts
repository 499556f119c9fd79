import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../api/resource.js';
import { EVENTS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, STORAGE_CLASSES } from '../../client/resources.js';
import { SharedInformers } from '../../client/shared-informers.js';
import { controllerDeps } from '../deps.js';
import { deepFreeze, eventually, testCluster } from '../test-cluster.js';
import type { TestCluster } from '../test-cluster.js';
import { directoryReclaim } from './directory-reclaim.js';
import { PersistentVolumeController } from './pv-controller.js';

function pv(name: string, size: string, extra: { modes?: string[]; cls?: string; labels?: Record<string, string>; claimRef?: object; policy?: string; source?: object; mode?: string } = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, labels: extra.labels },
    spec: {
      capacity: { storage: size },
      accessModes: extra.modes ?? ['ReadWriteOnce'],
      storageClassName: extra.cls ?? 'manual',
      persistentVolumeReclaimPolicy: extra.policy ?? 'Retain',
      ...(extra.claimRef ? { claimRef: extra.claimRef } : {}),
      ...(extra.mode ? { volumeMode: extra.mode } : {}),
      ...(extra.source ?? { hostPath: { path: `/tmp/berth-pv-test/${name}` } }),
    },
  };
}

function pvc(name: string, size: string, extra: { modes?: string[]; cls?: string | null; selector?: object; volumeName?: string; annotations?: Record<string, string>; mode?: string } = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', annotations: extra.annotations },
    spec: {
      accessModes: extra.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(extra.cls === null ? {} : { storageClassName: extra.cls ?? 'manual' }),
      ...(extra.selector ? { selector: extra.selector } : {}),
      ...(extra.volumeName ? { volumeName: extra.volumeName } : {}),
      ...(extra.mode ? { volumeMode: extra.mode } : {}),
    },
  };
}

async function start(c: TestCluster, plugins = directoryReclaim()): Promise<PersistentVolumeController> {
  const ctrl = new PersistentVolumeController(c.deps, { plugins, resyncMs: 200 });
  await c.startInformers();
  ctrl.start();
  return ctrl;
}

async function withController(fn: (c: TestCluster, ctrl: PersistentVolumeController) => Promise<void>): Promise<void> {
  const c = await testCluster({ resyncMs: 200 });
  const ctrl = await start(c);
  try {
    await fn(c, ctrl);
  } finally {
    ctrl.stop();
    await c.close();
  }
}

const getPv = (c: TestCluster, name: string) => c.client.get<KObject>(PERSISTENT_VOLUMES, undefined, name);
const getPvc = (c: TestCluster, name: string) => c.client.get<KObject>(PERSISTENT_VOLUME_CLAIMS, 'default', name);
const phaseOf = async (c: TestCluster, kind: 'pv' | 'pvc', name: string) =>
  (await (kind === 'pv' ? getPv(c, name) : getPvc(c, name)).catch(() => undefined))?.status?.phase;

async function eventsFor(c: TestCluster, name: string): Promise<KObject[]> {
  const l = await c.client.list<KObject>(EVENTS, undefined, { fieldSelector: `involvedObject.name=${name}` });
  return l.items;
}
async function waitEvent(c: TestCluster, name: string, reason: string): Promise<KObject> {
  let found: KObject | undefined;
  await eventually(async () => !!(found = (await eventsFor(c, name)).find((e) => e.reason === reason)), `${reason} event for ${name}`);
  return found!;
}

test('PersistentVolumeController binds a claim to a static volume with the four writes Kubernetes makes', () =>
  withController(async (c) => {
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('pv0001', '10Gi'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('myclaim', '1Gi'));
    await eventually(async () => (await phaseOf(c, 'pvc', 'myclaim')) === 'Bound' && (await phaseOf(c, 'pv', 'pv0001')) === 'Bound', 'both Bound');
    const claim = await getPvc(c, 'myclaim');
    const vol = await getPv(c, 'pv0001');
    assert.equal(claim.spec.volumeName, 'pv0001');
    assert.equal(claim.metadata!.annotations!['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(claim.metadata!.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(claim.status.capacity, { storage: '10Gi' });
    assert.deepEqual(claim.status.accessModes, ['ReadWriteOnce']);
    assert.equal(vol.spec.claimRef.uid, claim.metadata!.uid);
    assert.equal(vol.spec.claimRef.name, 'myclaim');
    assert.equal(vol.metadata!.annotations!['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.ok(vol.status.lastPhaseTransitionTime);
  }));

test('PersistentVolumeController picks the smallest fitting volume, the fewest access modes, the class, selector and volume mode', () =>
  withController(async (c) => {
    for (const v of [
      pv('big', '10Gi'),
      pv('small', '2Gi'),
      pv('tiny', '500Mi'),
      pv('rwx-small', '1Gi', { modes: ['ReadWriteOnce', 'ReadWriteMany'] }),
      pv('fast-1', '1Gi', { cls: 'fast' }),
      pv('labelled', '20Gi', { labels: { tier: 'gold' } }),
      pv('block', '1Gi', { mode: 'Block' }),
    ]) {
      await c.client.create(PERSISTENT_VOLUMES, undefined, v);
    }
    await eventually(async () => (await c.client.list<KObject>(PERSISTENT_VOLUMES)).items.every((v) => v.status.phase === 'Available'), 'volumes Available');
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('a', '1Gi'));
    await eventually(async () => (await getPvc(c, 'a')).spec.volumeName !== undefined, 'a bound');
    assert.equal((await getPvc(c, 'a')).spec.volumeName, 'small', 'RWO-only bucket first, smallest that fits');
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('b', '1Gi', { modes: ['ReadWriteMany'] }));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('c', '1Gi', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'fast' }, cls: 'manual' }));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('d', '1Gi', { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }] } }));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('e', '1Gi', { mode: 'Block' }));
    await eventually(async () => {
      const names = await Promise.all(['b', 'c', 'd', 'e'].map(async (n) => (await getPvc(c, n)).status.phase));
      return names.every((p) => p === 'Bound');
    }, 'b..e bound');
    assert.equal((await getPvc(c, 'b')).spec.volumeName, 'rwx-small');
    assert.equal((await getPvc(c, 'c')).spec.volumeName, 'fast-1', 'the beta annotation wins over spec.storageClassName');
    assert.equal((await getPvc(c, 'd')).spec.volumeName, 'labelled');
    assert.equal((await getPvc(c, 'e')).spec.volumeName, 'block');
  }));

test('PersistentVolumeController honours pre-binding by claimRef and by volumeName, and never binds a claimRef naming another uid', () =>
  withController(async (c) => {
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('tiny-fit', '1Gi'));
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('reserved', '50Gi', { claimRef: { namespace: 'default', name: 'wants-reserved' } }));
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('other-uid', '1Gi', { claimRef: { namespace: 'default', name: 'stranger', uid: 'not-its-uid' } }));
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('named', '30Gi'));
    await eventually(async () => (await phaseOf(c, 'pv', 'named')) === 'Available', 'named Available');
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('wants-reserved', '1Gi'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('by-name', '1Gi', { volumeName: 'named' }));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('stranger', '5Gi'));
    await eventually(async () => (await phaseOf(c, 'pvc', 'wants-reserved')) === 'Bound' && (await phaseOf(c, 'pvc', 'by-name')) === 'Bound', 'pre-bound claims Bound');
    assert.equal((await getPvc(c, 'wants-reserved')).spec.volumeName, 'reserved', 'pre-bound volume wins over a smaller fit');
    assert.equal((await getPvc(c, 'by-name')).spec.volumeName, 'named');
    assert.equal((await getPvc(c, 'by-name')).metadata!.annotations!['pv.kubernetes.io/bound-by-controller'], undefined);
    assert.equal((await getPv(c, 'reserved')).metadata!.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined, 'user pre-binding is not marked');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await getPvc(c, 'stranger')).status.phase, 'Pending');
    assert.equal((await getPv(c, 'other-uid')).spec.claimRef.uid, 'not-its-uid');
  }));

test('PersistentVolumeController never binds one volume to two claims, with two controllers racing', async () => {
  const c = await testCluster();
  const informers2 = new SharedInformers(c.client, { freeze: deepFreeze });
  const ctrl1 = new PersistentVolumeController(c.deps, { plugins: directoryReclaim() });
  const ctrl2 = new PersistentVolumeController(controllerDeps(c.client, informers2), { plugins: directoryReclaim() });
  await c.startInformers();
  await informers2.start();
  ctrl1.start();
  ctrl2.start();
  try {
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('only', '1Gi'));
    await eventually(async () => (await phaseOf(c, 'pv', 'only')) === 'Available', 'only Available');
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc(`racer-${i}`, '1Gi'))));
    await eventually(async () => (await phaseOf(c, 'pv', 'only')) === 'Bound', 'volume Bound');
    await new Promise((r) => setTimeout(r, 300));
    const claims = (await c.client.list<KObject>(PERSISTENT_VOLUME_CLAIMS, 'default')).items;
    const bound = claims.filter((x) => x.spec.volumeName === 'only');
    assert.equal(bound.length, 1);
    assert.equal(claims.filter((x) => x.status.phase === 'Bound').length, 1);
    assert.equal((await getPv(c, 'only')).spec.claimRef.name, bound[0].metadata!.name);
  } finally {
    ctrl1.stop();
    ctrl2.stop();
    await informers2.stop();
    await c.close();
  }
});

test('PersistentVolumeController completes a binding interrupted after any of its writes', async () => {
  const c = await testCluster();
  try {
    // Volume claimRef written (write 1), nothing else.
    const claimA = await c.client.create<KObject>(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('a', '1Gi'));
    const ref = (cl: KObject) => ({ kind: 'PersistentVolumeClaim', namespace: 'default', name: cl.metadata!.name, uid: cl.metadata!.uid, apiVersion: 'v1' });
    await c.client.create(PERSISTENT_VOLUMES, undefined, { ...pv('va', '1Gi', { claimRef: ref(claimA) }), metadata: { name: 'va', annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } } });
    // Claim side written (write 3) while the volume never got its claimRef.
    const claimB = await c.client.create<KObject>(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('b', '1Gi'));
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('vb', '1Gi'));
    await c.client.update(PERSISTENT_VOLUME_CLAIMS, {
      ...claimB,
      metadata: { ...claimB.metadata, annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
      spec: { ...claimB.spec, volumeName: 'vb' },
    });
    const ctrl = await start(c);
    try {
      await eventually(
        async () => (await Promise.all([phaseOf(c, 'pvc', 'a'), phaseOf(c, 'pvc', 'b'), phaseOf(c, 'pv', 'va'), phaseOf(c, 'pv', 'vb')])).every((p) => p === 'Bound'),
        'all Bound',
      );
      assert.equal((await getPv(c, 'vb')).spec.claimRef.uid, claimB.metadata!.uid);
      assert.equal((await getPvc(c, 'a')).spec.volumeName, 'va');
    } finally {
      ctrl.stop();
    }
  } finally {
    await c.close();
  }
});

test('PersistentVolumeController releases and reclaims: Retain keeps the claimRef, Recycle scrubs, Delete removes, unknown deleters fail', () =>
  withController(async (c) => {
    const base = mkdtempSync(join(tmpdir(), 'berth-pv-reclaim-'));
    const dir = (n: string) => {
      const d = join(base, n);
      mkdirSync(d);
      writeFileSync(join(d, 'data'), 'x');
      return d;
    };
    const recycleDir = dir('recycle');
    const deleteDir = dir('delete');
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('keep', '1Gi', { policy: 'Retain', cls: 'keep' }));
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('recycle', '1Gi', { policy: 'Recycle', cls: 'recycle', source: { hostPath: { path: recycleDir } } }));
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('delete', '1Gi', { policy: 'Delete', cls: 'delete', source: { hostPath: { path: deleteDir } } }));
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('nodeleter', '1Gi', { policy: 'Delete', cls: 'nodeleter', source: { nfs: { server: 'nfs.example.com', path: '/exports/x' } } }));
    for (const n of ['keep', 'recycle', 'delete', 'nodeleter']) await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc(`claim-${n}`, '1Gi', { cls: n }));
    for (const n of ['keep', 'recycle', 'delete', 'nodeleter']) await eventually(async () => (await phaseOf(c, 'pv', n)) === 'Bound', `${n} Bound`);
    for (const n of ['keep', 'recycle', 'delete', 'nodeleter']) await c.client.delete(PERSISTENT_VOLUME_CLAIMS, 'default', `claim-${n}`);

    await eventually(async () => (await phaseOf(c, 'pv', 'keep')) === 'Released', 'keep Released');
    assert.equal((await getPv(c, 'keep')).spec.claimRef.name, 'claim-keep');
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('newcomer', '1Gi', { cls: 'keep' }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await getPvc(c, 'newcomer')).status.phase, 'Pending', 'a Released volume binds no new claim');
    await c.client.patch(PERSISTENT_VOLUMES, undefined, 'keep', [{ op: 'remove', path: '/spec/claimRef' }], { type: 'json' });
    await eventually(async () => (await getPvc(c, 'newcomer')).status.phase === 'Bound', 'newcomer binds once the claimRef is removed');

    await eventually(async () => (await phaseOf(c, 'pv', 'recycle')) === 'Available', 'recycle Available');
    assert.deepEqual(readdirSync(recycleDir), []);
    assert.equal((await getPv(c, 'recycle')).spec.claimRef, undefined);
    await waitEvent(c, 'recycle', 'VolumeRecycled');

    // hostPath outside /tmp has no deleter in Kubernetes; a /tmp one is removed with its PV.
    const tmpIsBase = base.startsWith('/tmp/');
    if (tmpIsBase) {
      await eventually(async () => (await phaseOf(c, 'pv', 'delete')) === undefined, 'delete removed');
      assert.equal(existsSync(deleteDir), false);
    }
    await eventually(async () => (await phaseOf(c, 'pv', 'nodeleter')) === 'Failed', 'nodeleter Failed');
    const ev = await waitEvent(c, 'nodeleter', 'VolumeFailedDelete');
    assert.match(ev.message, /no deletable volume plugin matched/);
    assert.equal(ev.type, 'Warning');
  }));

test('PersistentVolumeController hands claims to provisioners, waits for the first consumer, and reports missing classes', () =>
  withController(async (c) => {
    await c.client.create(STORAGE_CLASSES, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'ext' }, provisioner: 'example.com/ext' });
    await c.client.create(STORAGE_CLASSES, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'later' },
      provisioner: 'example.com/later',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('dyn', '1Gi', { cls: 'ext' }));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('wffc', '1Gi', { cls: 'later' }));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('noclass', '1Gi', { cls: 'missing' }));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('empty', '1Gi', { cls: '' }));
    await eventually(async () => (await getPvc(c, 'dyn')).metadata!.annotations?.['volume.kubernetes.io/storage-provisioner'] === 'example.com/ext', 'provisioner annotation');
    assert.equal((await getPvc(c, 'dyn')).metadata!.annotations!['volume.beta.kubernetes.io/storage-provisioner'], 'example.com/ext');
    assert.match((await waitEvent(c, 'dyn', 'ExternalProvisioning')).message, /external provisioner 'example.com\/ext'/);
    assert.equal((await waitEvent(c, 'wffc', 'WaitForFirstConsumer')).message, 'waiting for first consumer to be created before binding');
    assert.equal((await getPvc(c, 'wffc')).metadata!.annotations?.['volume.kubernetes.io/storage-provisioner'], undefined);
    assert.equal((await waitEvent(c, 'noclass', 'ProvisioningFailed')).message, 'storageclass.storage.k8s.io "missing" not found');
    assert.equal((await waitEvent(c, 'empty', 'FailedBinding')).message, 'no persistent volumes available for this claim and no storage class is set');

    const wffc = await getPvc(c, 'wffc');
    await c.client.patch(PERSISTENT_VOLUME_CLAIMS, 'default', 'wffc', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } } });
    await eventually(async () => (await getPvc(c, 'wffc')).metadata!.annotations?.['volume.kubernetes.io/storage-provisioner'] === 'example.com/later', 'WFFC claim handed over once a node is selected');
    assert.ok(wffc);
  }));

test('PersistentVolumeController gives claims without a class a default class that appears later, never to ""', () =>
  withController(async (c) => {
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('unset', '1Gi', { cls: null }));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('empty', '1Gi', { cls: '' }));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await getPvc(c, 'unset')).spec.storageClassName, undefined);
    await c.client.create(STORAGE_CLASSES, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'std', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'example.com/std',
    });
    await eventually(async () => (await getPvc(c, 'unset')).spec.storageClassName === 'std', 'default assigned');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await getPvc(c, 'empty')).spec.storageClassName, '');
  }));

test('PersistentVolumeController marks a bound claim Lost when its volume disappears', () =>
  withController(async (c) => {
    await c.client.create(PERSISTENT_VOLUMES, undefined, pv('gone', '1Gi'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', pvc('orphan', '1Gi'));
    await eventually(async () => (await phaseOf(c, 'pvc', 'orphan')) === 'Bound', 'Bound');
    await c.client.delete(PERSISTENT_VOLUMES, undefined, 'gone');
    await eventually(async () => (await phaseOf(c, 'pvc', 'orphan')) === 'Lost', 'Lost');
    const ev = await waitEvent(c, 'orphan', 'ClaimLost');
    assert.equal(ev.message, 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
  }));
