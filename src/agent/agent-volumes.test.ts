import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { EVENTS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, VOLUME_ATTACHMENTS } from '../client/resources.js';
import type { Client } from '../client/client.js';
import { eventually } from '../controllers/test-cluster.js';
import { isRunningReady, podObject, withAgent } from './agent-test-support.js';

const claimPod = (name: string) =>
  podObject(name, {
    containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }],
    spec: { volumes: [{ name: 'www', persistentVolumeClaim: { claimName: `www-${name}` } }] },
  });

async function failedMounts(client: Client, pod: string): Promise<string[]> {
  const l = await client.list<KObject>(EVENTS, 'default');
  return l.items.filter((e) => e.involvedObject?.name === pod && e.reason === 'FailedMount').map((e) => e.message);
}

/** A claim bound to a directory PV, written the way the PV controller leaves them. */
async function bindClaim(client: Client, opts: { claim: string; pv: string; path: string; accessModes: string[] }): Promise<void> {
  const claim = await client.create<KObject>(PERSISTENT_VOLUME_CLAIMS, 'default', {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: opts.claim, namespace: 'default' },
    spec: { accessModes: opts.accessModes, resources: { requests: { storage: '1Gi' } }, volumeName: opts.pv, storageClassName: '' },
  });
  await client.create(PERSISTENT_VOLUMES, undefined, {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: opts.pv },
    spec: {
      accessModes: opts.accessModes,
      capacity: { storage: '1Gi' },
      hostPath: { path: opts.path, type: 'DirectoryOrCreate' },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: 'default', name: opts.claim, uid: claim.metadata?.uid },
      storageClassName: '',
    },
  });
  await client.update(PERSISTENT_VOLUME_CLAIMS, { ...claim, status: { phase: 'Bound', accessModes: opts.accessModes, capacity: { storage: '1Gi' } } }, 'status');
}

test('an emptyDir gets its directory under the pod directory, removed with the pod', async () => {
  await withAgent({}, async (w) => {
    const pod = podObject('cache', {
      containers: [{ name: 'nginx', image: 'nginx', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
      spec: { volumes: [{ name: 'scratch', emptyDir: {} }] },
    });
    const created = await w.tc.client.create<KObject>(PODS, 'default', pod);
    await eventually(async () => isRunningReady(await w.pod('cache')), 'Running');
    const dir = join(w.dataDir, 'pods', created.metadata!.uid!, 'volumes', 'kubernetes.io~empty-dir', 'scratch');
    assert.ok(statSync(dir).isDirectory());
    assert.equal(statSync(dir).mode & 0o777, 0o777);
    const cs = (await w.pod('cache'))!.status.containerStatuses[0];
    assert.deepEqual(cs.volumeMounts, [{ name: 'scratch', mountPath: '/scratch' }]);
    await w.tc.client.delete(PODS, 'default', 'cache');
    await eventually(async () => (await w.pod('cache')) === undefined, 'pod gone');
    assert.equal(existsSync(join(w.dataDir, 'pods', created.metadata!.uid!)), false);
  });
});

test('hostPath DirectoryOrCreate is created; a missing Directory keeps the pod Pending with FailedMount', async () => {
  const host = await mkdtemp(join(tmpdir(), 'berth-hostpath-'));
  try {
    await withAgent({}, async (w) => {
      const vol = (name: string, type: string) => ({ name, hostPath: { path: join(host, name), type } });
      await w.tc.client.create(PODS, 'default', podObject('made', { spec: { volumes: [vol('data', 'DirectoryOrCreate')] } }));
      await eventually(async () => isRunningReady(await w.pod('made')), 'Running');
      assert.ok(statSync(join(host, 'data')).isDirectory());
      await w.tc.client.create(PODS, 'default', podObject('missing', { spec: { volumes: [vol('absent', 'Directory')] } }));
      await eventually(async () => (await failedMounts(w.tc.client, 'missing')).length > 0, 'a FailedMount event');
      assert.deepEqual(await failedMounts(w.tc.client, 'missing'), [`MountVolume.SetUp failed for volume "absent" : hostPath type check failed: ${join(host, 'absent')} is not a directory`]);
      assert.equal((await w.pod('missing'))!.status.phase, 'Pending');
    });
  } finally {
    await rm(host, { recursive: true, force: true });
  }
});

test('a pod waits for its claim to be Bound', async () => {
  const host = await mkdtemp(join(tmpdir(), 'berth-pv-'));
  try {
    await withAgent({}, async (w) => {
      await w.tc.client.create(PODS, 'default', claimPod('web-0'));
      await eventually(async () => (await failedMounts(w.tc.client, 'web-0')).length > 0, 'a FailedMount event');
      assert.deepEqual(await failedMounts(w.tc.client, 'web-0'), [
        'Unable to attach or mount volumes: unmounted volumes=[www], unattached volumes=[], failed to process volumes=[www]: error processing PVC default/www-web-0: failed to fetch PVC from API server: persistentvolumeclaims "www-web-0" not found',
      ]);
      const pending = (await w.pod('web-0'))!;
      assert.equal(pending.status.phase, 'Pending');
      assert.equal(pending.status.containerStatuses[0].state.waiting.reason, 'ContainerCreating');
      assert.equal(pending.status.podIP, undefined);
      await bindClaim(w.tc.client, { claim: 'www-web-0', pv: 'pv-a', path: join(host, 'a'), accessModes: ['ReadWriteMany'] });
      await eventually(async () => isRunningReady(await w.pod('web-0')), 'Running once the claim is Bound');
    });
  } finally {
    await rm(host, { recursive: true, force: true });
  }
});

test('a ReadWriteOnce volume waits for its VolumeAttachment to this node', async () => {
  const host = await mkdtemp(join(tmpdir(), 'berth-pv-'));
  try {
    await withAgent({ agent: { waitForAttach: true, timings: { mountTimeoutMs: 300 } } }, async (w) => {
      await bindClaim(w.tc.client, { claim: 'www-web-0', pv: 'pv-b', path: join(host, 'b'), accessModes: ['ReadWriteOnce'] });
      await w.tc.client.create(PODS, 'default', claimPod('web-0'));
      await eventually(async () => (await failedMounts(w.tc.client, 'web-0')).length > 0, 'the attach timeout reported');
      assert.deepEqual(await failedMounts(w.tc.client, 'web-0'), [
        'Unable to attach or mount volumes: unmounted volumes=[www], unattached volumes=[www], failed to process volumes=[]: timed out waiting for the condition',
      ]);
      assert.equal((await w.pod('web-0'))!.status.phase, 'Pending');
      // An attachment to another node does not count.
      const va = (name: string, node: string) => ({
        apiVersion: 'storage.k8s.io/v1',
        kind: 'VolumeAttachment',
        metadata: { name },
        spec: { attacher: 'attacher.berth.dev', nodeName: node, source: { persistentVolumeName: 'pv-b' } },
      });
      const other = await w.tc.client.create<KObject>(VOLUME_ATTACHMENTS, undefined, va('va-other', 'node-2'));
      await w.tc.client.update(VOLUME_ATTACHMENTS, { ...other, status: { attached: true } }, 'status');
      const mine = await w.tc.client.create<KObject>(VOLUME_ATTACHMENTS, undefined, va('va-mine', 'node-1'));
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await w.pod('web-0'))!.status.phase, 'Pending', 'not attached yet');
      await w.tc.client.update(VOLUME_ATTACHMENTS, { ...mine, status: { attached: true } }, 'status');
      await eventually(async () => isRunningReady(await w.pod('web-0')), 'Running once attached');
      assert.ok(statSync(join(host, 'b')).isDirectory());
    });
  } finally {
    await rm(host, { recursive: true, force: true });
  }
});

test('configMap volumes are written as files', async () => {
  await withAgent({}, async (w) => {
    await w.tc.client.create(
      { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
      'default',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site', namespace: 'default' }, data: { 'index.html': '<h1>hi</h1>' } },
    );
    const created = await w.tc.client.create<KObject>(PODS, 'default', podObject('cfg', { spec: { volumes: [{ name: 'site', configMap: { name: 'site' } }] } }));
    await eventually(async () => isRunningReady(await w.pod('cfg')), 'Running');
    const file = join(w.dataDir, 'pods', created.metadata!.uid!, 'volumes', 'kubernetes.io~configmap', 'site', 'index.html');
    assert.ok(existsSync(file));
  });
});

test('downwardAPI and projected volumes hold the pod fields, container resources and ConfigMap keys they name', async () => {
  await withAgent({}, async (w) => {
    await w.tc.client.create(
      { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
      'default',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: 'default' }, data: { mode: 'fast' } },
    );
    const pod = podObject('info', {
      spec: {
        volumes: [
          {
            name: 'podinfo',
            downwardAPI: {
              items: [
                { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                { path: 'cpu_limit', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
              ],
            },
          },
          { name: 'all', projected: { sources: [{ configMap: { name: 'conf' } }, { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } }] } },
        ],
      },
    });
    pod.metadata!.labels = { app: 'web', tier: 'front' };
    pod.spec.containers = [{ ...pod.spec.containers[0], name: 'c', resources: { limits: { cpu: '250m' } } }];
    const created = await w.tc.client.create<KObject>(PODS, 'default', pod);
    await eventually(async () => isRunningReady(await w.pod('info')), 'Running');
    const dir = (plugin: string, name: string) => join(w.dataDir, 'pods', created.metadata!.uid!, 'volumes', `kubernetes.io~${plugin}`, name);
    assert.equal(readFileSync(join(dir('downward-api', 'podinfo'), 'labels'), 'utf8'), 'app="web"\ntier="front"');
    assert.equal(readFileSync(join(dir('downward-api', 'podinfo'), 'name'), 'utf8'), 'info');
    assert.equal(readFileSync(join(dir('downward-api', 'podinfo'), 'cpu_limit'), 'utf8'), '250');
    assert.equal(readFileSync(join(dir('projected', 'all'), 'mode'), 'utf8'), 'fast');
    assert.equal(readFileSync(join(dir('projected', 'all'), 'ns'), 'utf8'), 'default');
  });
});
