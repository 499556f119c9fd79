// The attach-detach controller against a real in-process API server, with the real PV
// controller binding the claims: attachments per (volume, node), exclusive ReadWriteOnce
// attachment with Kubernetes' Multi-Attach error, hand-over when the holder goes (a Terminating
// pod still holds it), shared ReadWriteMany volumes, finished pods, leftovers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import { EVENTS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, VOLUME_ATTACHMENTS } from '../client/resources.js';
import { AttachDetachController, BERTH_ATTACHER, volumeAttachmentName } from './attach-detach.js';
import { computeHash } from './util/hash.js';
import { directoryReclaim } from './persistentvolume/directory-reclaim.js';
import { PersistentVolumeController } from './persistentvolume/pv-controller.js';
import { eventually, testCluster } from './test-cluster.js';
import type { TestCluster } from './test-cluster.js';

function volume(name: string, modes: string[]): KObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: { capacity: { storage: '1Gi' }, accessModes: modes, storageClassName: 'manual', persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `/tmp/berth-ad/${name}` } },
  };
}

function claim(name: string, pv: string, modes: string[]): KObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default' },
    spec: { accessModes: modes, storageClassName: 'manual', volumeName: pv, resources: { requests: { storage: '1Gi' } } },
  };
}

function pod(name: string, node: string, claimName: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, containers: [{ name: 'app', image: 'busybox' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] },
  };
}

async function withController(fn: (c: TestCluster) => Promise<void>): Promise<void> {
  const c = await testCluster();
  await c.run(new PersistentVolumeController(c.deps, { plugins: directoryReclaim() }), new AttachDetachController(c.deps));
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

async function boundClaim(c: TestCluster, name: string, modes: string[]): Promise<void> {
  await c.client.create(PERSISTENT_VOLUMES, undefined, volume(`pv-${name}`, modes));
  await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim(name, `pv-${name}`, modes));
  await eventually(async () => (await c.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', name)).status?.phase === 'Bound', `${name} bound`);
}

async function attachment(c: TestCluster, pv: string, node: string): Promise<KObject | undefined> {
  const l = await c.client.list(VOLUME_ATTACHMENTS);
  return l.items.find((va) => va.spec?.source?.persistentVolumeName === pv && va.spec?.nodeName === node);
}

const attached = async (c: TestCluster, pv: string, node: string) => (await attachment(c, pv, node))?.status?.attached === true;

async function events(c: TestCluster, podName: string): Promise<KObject[]> {
  return (await c.client.list(EVENTS, 'default')).items.filter((e) => e.involvedObject?.name === podName && e.reason === 'FailedAttachVolume');
}

test('volumeAttachmentName() is berth- and the safe hash of "pv/node"', () => {
  assert.equal(volumeAttachmentName('pv-1', 'node-1'), `berth-${computeHash('pv-1/node-1')}`);
  assert.notEqual(volumeAttachmentName('pv-1', 'node-1'), volumeAttachmentName('pv-1', 'node-1', { collision: 1 }));
});

test('AttachDetachController attaches a bound volume on its pod\'s node', async () => {
  await withController(async (c) => {
    await boundClaim(c, 'data', ['ReadWriteOnce']);
    await c.client.create(PODS, 'default', pod('a', 'node-1', 'data'));
    await eventually(() => attached(c, 'pv-data', 'node-1'), 'attached on node-1');
    const va = (await attachment(c, 'pv-data', 'node-1'))!;
    assert.equal(va.metadata?.name, volumeAttachmentName('pv-data', 'node-1'));
    assert.deepEqual(va.spec, { attacher: BERTH_ATTACHER, source: { persistentVolumeName: 'pv-data' }, nodeName: 'node-1' });
  });
});

test('A ReadWriteOnce volume attached to one node waits for it, with a Multi-Attach error, and moves once the holder is gone', async () => {
  await withController(async (c) => {
    await boundClaim(c, 'data', ['ReadWriteOnce']);
    await c.client.create(PODS, 'default', pod('a', 'node-1', 'data'));
    await eventually(() => attached(c, 'pv-data', 'node-1'), 'attached on node-1');
    await c.client.create(PODS, 'default', pod('b', 'node-2', 'data'));
    await eventually(async () => !!(await attachment(c, 'pv-data', 'node-2')), 'attachment for node-2 created');
    await eventually(async () => (await events(c, 'b')).length === 1, 'FailedAttachVolume on b');
    const ev = (await events(c, 'b'))[0];
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, 'Multi-Attach error for volume "pv-data" Volume is already used by pod(s) a');
    assert.equal(ev.source.component, 'attachdetach-controller');
    assert.equal(await attached(c, 'pv-data', 'node-2'), false);

    // A Terminating pod (its node never confirms) still holds the volume.
    await c.client.delete(PODS, 'default', 'a');
    const terminating = await c.client.get(PODS, 'default', 'a');
    assert.ok(terminating.metadata?.deletionTimestamp);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await attached(c, 'pv-data', 'node-1'), true);
    assert.equal(await attached(c, 'pv-data', 'node-2'), false);

    // Force deletion: detached from node-1, attached to node-2.
    await c.client.delete(PODS, 'default', 'a', { gracePeriodSeconds: 0 });
    await eventually(async () => !(await attachment(c, 'pv-data', 'node-1')), 'detached from node-1');
    await eventually(() => attached(c, 'pv-data', 'node-2'), 'attached on node-2');
    assert.equal((await events(c, 'b')).length, 1, 'the error is reported once');
  });
});

test('ReadWriteMany volumes are attached to every node that uses them', async () => {
  await withController(async (c) => {
    await boundClaim(c, 'shared', ['ReadWriteMany']);
    await c.client.create(PODS, 'default', pod('a', 'node-1', 'shared'));
    await c.client.create(PODS, 'default', pod('b', 'node-2', 'shared'));
    await eventually(async () => (await attached(c, 'pv-shared', 'node-1')) && (await attached(c, 'pv-shared', 'node-2')), 'attached on both nodes');
    assert.equal((await events(c, 'b')).length, 0);
  });
});

test('A finished pod releases its attachment; an unbound claim gets none', async () => {
  await withController(async (c) => {
    await boundClaim(c, 'data', ['ReadWriteOnce']);
    await c.client.create(PODS, 'default', pod('job', 'node-1', 'data'));
    await eventually(() => attached(c, 'pv-data', 'node-1'), 'attached');
    await c.client.patch(PODS, 'default', 'job', { status: { phase: 'Succeeded' } }, { sub: 'status' });
    await eventually(async () => !(await attachment(c, 'pv-data', 'node-1')), 'detached');

    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('pending', 'pv-missing', ['ReadWriteOnce']));
    await c.client.create(PODS, 'default', pod('waits', 'node-1', 'pending'));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await c.client.list(VOLUME_ATTACHMENTS)).items.length, 0);
  });
});

test('A leftover attachment is detached, and the volume attached elsewhere only once it is gone', async () => {
  await withController(async (c) => {
    await boundClaim(c, 'data', ['ReadWriteOnce']);
    const name = volumeAttachmentName('pv-data', 'gone');
    // Another party's finalizer keeps the detaching attachment around (an attacher still at work).
    await c.client.create(VOLUME_ATTACHMENTS, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'VolumeAttachment',
      metadata: { name, finalizers: ['example.com/detaching'] },
      spec: { attacher: BERTH_ATTACHER, source: { persistentVolumeName: 'pv-data' }, nodeName: 'gone' },
    });
    await eventually(async () => !!(await c.client.get(VOLUME_ATTACHMENTS, undefined, name)).metadata?.deletionTimestamp, 'leftover detached');
    const va = await c.client.get(VOLUME_ATTACHMENTS, undefined, name);
    await c.client.update(VOLUME_ATTACHMENTS, { ...va, status: { attached: true } }, 'status');
    await c.client.create(PODS, 'default', pod('b', 'node-2', 'data'));
    await eventually(async () => (await events(c, 'b')).length === 1, 'Multi-Attach error');
    assert.equal(
      (await events(c, 'b'))[0].message,
      `Multi-Attach error for volume "pv-data" Volume is already exclusively attached to one node and can't be attached to another`,
    );
    assert.equal(await attached(c, 'pv-data', 'node-2'), false);
    await c.client.patch(VOLUME_ATTACHMENTS, undefined, name, { metadata: { finalizers: null } });
    await eventually(() => attached(c, 'pv-data', 'node-2'), 'attached on node-2 once the leftover is gone');
  });
});
