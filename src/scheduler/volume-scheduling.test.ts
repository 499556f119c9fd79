// Volume-aware scheduling with the real PV controller and the real berth.dev/local-path
// provisioner in a temporary directory: WaitForFirstConsumer provisioning for the chosen node,
// static local volumes pinning their pods (smallest fitting volume first), bound local volumes
// narrowing the candidates, unbound Immediate and missing claims, ReadWriteOncePod, and a binding
// that times out and withdraws its provisioning request.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { ANN_SELECTED_NODE } from '../api/storage/well-known.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, STORAGE_CLASSES } from '../client/resources.js';
import { directoryReclaim } from '../controllers/persistentvolume/directory-reclaim.js';
import { PersistentVolumeController } from '../controllers/persistentvolume/pv-controller.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import type { TestCluster } from '../controllers/test-cluster.js';
import { LocalPathProvisioner } from '../provisioners/local-path.js';
import { ProvisionController } from '../provisioners/provision-controller.js';
import type { SchedulerOptions } from './scheduler.js';
import { Scheduler } from './scheduler.js';
import { createNodes, getPod, podEvents, testNode, testPod, unschedulableMessage } from './test-fixtures.js';

const sc = (name: string, provisioner: string, mode: string): KObject => ({
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name },
  provisioner,
  volumeBindingMode: mode,
  reclaimPolicy: 'Delete',
});

const claim = (name: string, cls: string, size = '1Gi', modes = ['ReadWriteOnce']): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: 'default' },
  spec: { storageClassName: cls, accessModes: modes, resources: { requests: { storage: size } } },
});

const localPV = (name: string, node: string, size: string, cls = 'local-storage'): KObject => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name },
  spec: {
    capacity: { storage: size },
    accessModes: ['ReadWriteOnce'],
    storageClassName: cls,
    persistentVolumeReclaimPolicy: 'Retain',
    local: { path: `/tmp/berth-local/${name}` },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
  },
});

async function withVolumes(fn: (c: TestCluster, dir: string) => Promise<void>, opts: SchedulerOptions = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-sched-'));
  const c = await testCluster();
  const pv = new PersistentVolumeController(c.deps, { plugins: directoryReclaim() });
  const prov = new ProvisionController(c.deps, new LocalPathProvisioner({ basePath: join(dir, 'local') }), { workers: 4 });
  const s = new Scheduler(c.deps, { initialBackoffMs: 20, maxBackoffMs: 200, ...opts });
  await createNodes(c.client, [testNode('node-1'), testNode('node-2'), testNode('node-3')]);
  await c.run(pv, prov, s);
  try {
    await fn(c, dir);
  } finally {
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const nodeOf = async (c: TestCluster, name: string) => (await getPod(c.client, name)).spec?.nodeName as string | undefined;
const getClaim = (c: TestCluster, name: string) => c.client.get(PERSISTENT_VOLUME_CLAIMS, 'default', name);

/**
 * Pods first and second use claim solo (ReadWriteOncePod): first is bound to a node, second is
 * rejected with `message`, then first is deleted. Returns the node first was on.
 */
async function firstThenSecond(c: TestCluster, message: string): Promise<string | undefined> {
  await c.client.create(PODS, 'default', testPod('first', { claims: ['solo'] }));
  await eventually(async () => !!(await nodeOf(c, 'first')), 'first bound', 10_000);
  await c.client.create(PODS, 'default', testPod('second', { claims: ['solo'] }));
  await eventually(async () => (await unschedulableMessage(c.client, 'second')) === message, 'second rejected');
  const where = await nodeOf(c, 'first');
  await c.client.delete(PODS, 'default', 'first', { gracePeriodSeconds: 0 });
  return where;
}

/** Pod p uses claim orphan of a WaitForFirstConsumer class nobody provisions: waits until a node is selected for it. */
async function orphanAwaitsProvisioning(c: TestCluster): Promise<void> {
  await c.client.create(STORAGE_CLASSES, undefined, sc('nobody', 'example.com/nobody', 'WaitForFirstConsumer'));
  await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('orphan', 'nobody'));
  await c.client.create(PODS, 'default', testPod('p', { claims: ['orphan'] }));
  await eventually(async () => !!(await getClaim(c, 'orphan')).metadata?.annotations?.[ANN_SELECTED_NODE], 'selected-node set');
}

test('WaitForFirstConsumer: the claim is provisioned on the node chosen for its pod, then the pod is bound there', async () => {
  await withVolumes(async (c) => {
    await c.client.create(STORAGE_CLASSES, undefined, sc('local-path', 'berth.dev/local-path', 'WaitForFirstConsumer'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('data', 'local-path'));
    await c.client.create(PODS, 'default', testPod('db', { claims: ['data'] }));
    await eventually(async () => !!(await nodeOf(c, 'db')), 'db bound', 10_000);
    const node = (await nodeOf(c, 'db'))!;
    const pvc = await getClaim(c, 'data');
    assert.equal(pvc.metadata?.annotations?.[ANN_SELECTED_NODE], node);
    assert.equal(pvc.status.phase, 'Bound');
    const pv = await c.client.get(PERSISTENT_VOLUMES, undefined, pvc.spec.volumeName);
    assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, [node]);
    await eventually(async () => (await podEvents(c.client, 'db')).some((e) => e.reason === 'Scheduled'), 'Scheduled event');
  });
});

test('Static local volumes: the smallest fitting volume pins the pod to its node; none left is a bind conflict', async () => {
  await withVolumes(async (c) => {
    await c.client.create(STORAGE_CLASSES, undefined, sc('local-storage', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer'));
    await c.client.create(PERSISTENT_VOLUMES, undefined, localPV('pv-big', 'node-2', '50Gi'));
    await c.client.create(PERSISTENT_VOLUMES, undefined, localPV('pv-small', 'node-2', '10Gi'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('a', 'local-storage', '5Gi'));
    await c.client.create(PODS, 'default', testPod('a', { claims: ['a'] }));
    await eventually(async () => (await nodeOf(c, 'a')) === 'node-2', 'a on node-2', 10_000);
    assert.equal((await getClaim(c, 'a')).spec.volumeName, 'pv-small');
    const pv = await c.client.get(PERSISTENT_VOLUMES, undefined, 'pv-small');
    assert.equal(pv.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');

    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('b', 'local-storage', '5Gi'));
    await c.client.create(PODS, 'default', testPod('b', { claims: ['b'] }));
    await eventually(async () => (await nodeOf(c, 'b')) === 'node-2', 'b on node-2', 10_000);
    assert.equal((await getClaim(c, 'b')).spec.volumeName, 'pv-big');

    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('c', 'local-storage', '5Gi'));
    await c.client.create(PODS, 'default', testPod('c', { claims: ['c'] }));
    await eventually(
      async () =>
        (await unschedulableMessage(c.client, 'c')) ===
        "0/3 nodes are available: 3 node(s) didn't find available persistent volumes to bind. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      'c has no volume',
    );
  });
});

test('A bound local volume narrows the candidates to its node', async () => {
  await withVolumes(async (c) => {
    await c.client.create(STORAGE_CLASSES, undefined, sc('local-storage', 'kubernetes.io/no-provisioner', 'WaitForFirstConsumer'));
    await c.client.create(PERSISTENT_VOLUMES, undefined, localPV('pv-3', 'node-3', '10Gi'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('shared', 'local-storage'));
    await c.client.create(PODS, 'default', testPod('writer', { claims: ['shared'], cpu: '3' }));
    await eventually(async () => (await nodeOf(c, 'writer')) === 'node-3', 'writer on node-3', 10_000);
    await c.client.create(PODS, 'default', testPod('reader', { claims: ['shared'], cpu: '2' }));
    await eventually(
      async () =>
        (await unschedulableMessage(c.client, 'reader')) ===
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [VolumeBinding]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
      'reader waits for node-3',
    );
    await c.client.delete(PODS, 'default', 'writer', { gracePeriodSeconds: 0 });
    await eventually(async () => (await nodeOf(c, 'reader')) === 'node-3', 'reader on node-3');
  });
});

test('Unbound Immediate claims and missing claims reject the pod before any node is looked at', async () => {
  await withVolumes(async (c) => {
    await c.client.create(STORAGE_CLASSES, undefined, sc('slow', 'example.com/nobody', 'Immediate'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('waiting', 'slow'));
    await c.client.create(PODS, 'default', testPod('p', { claims: ['waiting'] }));
    await c.client.create(PODS, 'default', testPod('q', { claims: ['nope'] }));
    const tail = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    await eventually(async () => (await unschedulableMessage(c.client, 'p')) === `0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. ${tail}`, 'p');
    await eventually(async () => (await unschedulableMessage(c.client, 'q')) === `0/3 nodes are available: persistentvolumeclaim "nope" not found. ${tail}`, 'q');
    // The claim appearing is a change that retries the pod.
    await c.client.create(STORAGE_CLASSES, undefined, sc('local-path', 'berth.dev/local-path', 'WaitForFirstConsumer'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('nope', 'local-path'));
    await eventually(async () => !!(await nodeOf(c, 'q')), 'q bound once its claim exists', 10_000);
  });
});

test('ReadWriteOncePod: a claim in use by another pod makes every node unschedulable', async () => {
  await withVolumes(async (c) => {
    await c.client.create(STORAGE_CLASSES, undefined, sc('manual', 'kubernetes.io/no-provisioner', 'Immediate'));
    const shared = localPV('shared-disk', 'unused', '5Gi', 'manual');
    delete shared.spec.nodeAffinity;
    shared.spec.local = undefined;
    shared.spec.hostPath = { path: '/tmp/berth-shared-disk' };
    shared.spec.accessModes = ['ReadWriteOncePod'];
    await c.client.create(PERSISTENT_VOLUMES, undefined, shared);
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('solo', 'manual', '1Gi', ['ReadWriteOncePod']));
    await eventually(async () => (await getClaim(c, 'solo')).status?.phase === 'Bound', 'solo bound');
    await firstThenSecond(
      c,
      '0/3 nodes are available: 3 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
    await eventually(async () => !!(await nodeOf(c, 'second')), 'second takes over the claim');
  });
});

test('ReadWriteOncePod on a local volume: only its node is a candidate, and that node has the conflict', async () => {
  await withVolumes(async (c) => {
    await c.client.create(STORAGE_CLASSES, undefined, sc('local-path', 'berth.dev/local-path', 'WaitForFirstConsumer'));
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, 'default', claim('solo', 'local-path', '1Gi', ['ReadWriteOncePod']));
    const where = await firstThenSecond(
      c,
      "0/3 nodes are available: 1 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode, 2 node(s) didn't satisfy plugin(s) [VolumeBinding]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    );
    await eventually(async () => (await nodeOf(c, 'second')) === where, 'second takes over the claim on its node');
  });
});

test('A provisioning request nobody serves times out, is withdrawn, and the pod is retried', async () => {
  await withVolumes(
    async (c) => {
      await orphanAwaitsProvisioning(c);
      const message = 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded';
      await eventually(async () => (await podEvents(c.client, 'p')).some((e) => e.reason === 'FailedScheduling' && e.message === message), 'FailedScheduling');
      await eventually(async () => (await getClaim(c, 'orphan')).metadata?.annotations?.[ANN_SELECTED_NODE] === undefined, 'selected-node withdrawn');
      const pod = await getPod(c.client, 'p');
      const cond = pod.status.conditions.find((x: any) => x.type === 'PodScheduled');
      assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'SchedulerError', message]);
      assert.equal(pod.spec.nodeName, undefined);
    },
    { bindTimeoutMs: 300, initialBackoffMs: 5000, maxBackoffMs: 5000 },
  );
});

test('Deleting a pod while its claim waits for provisioning abandons the binding and withdraws the request', async () => {
  await withVolumes(async (c) => {
    await orphanAwaitsProvisioning(c);
    await c.client.delete(PODS, 'default', 'p', { gracePeriodSeconds: 0 });
    await eventually(async () => (await getClaim(c, 'orphan')).metadata?.annotations?.[ANN_SELECTED_NODE] === undefined, 'selected-node withdrawn');
  });
});
