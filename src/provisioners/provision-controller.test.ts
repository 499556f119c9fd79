// ProvisionController against a real in-process API server (memory store) and real temp
// directories. There is no PV controller here: tests set the claim's storage-provisioner
// annotation and the PV phases that controller would set.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../apiserver/bootstrap.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { EVENTS, NODES, PERSISTENT_VOLUME_CLAIMS as PVCS, PERSISTENT_VOLUMES as PVS, STORAGE_CLASSES } from '../client/resources.js';
import { eventually as eventuallyTrue, testCluster } from '../controllers/test-cluster.js';
import { LocalPathProvisioner } from './local-path.js';
import { NfsSubdirProvisioner } from './nfs-subdir.js';
import { ProvisionController, nodeMatchesTopologies } from './provision-controller.js';
import type { Provisioner } from './provisioner.js';

const NFS = 'berth.dev/nfs-subdir';
const LOCAL = 'berth.dev/local-path';
const FINALIZER = 'external-provisioner.volume.kubernetes.io/finalizer';

type Ctx = { after(fn: () => Promise<void> | void): void };

async function harness(t: Ctx, opts: { start?: boolean; wrap?: (p: Provisioner, client: Client) => Provisioner; informers?: 'all' | 'no-volumes' } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'berth-provision-'));
  const c = await testCluster();
  await bootstrap(c.api);
  const { client, informers, deps } = c;
  const exportPath = join(root, 'export');
  const basePath = join(root, 'local');
  const nfsP = new NfsSubdirProvisioner({ exportPath, server: '127.0.0.1' });
  const nfs = new ProvisionController(deps, opts.wrap ? opts.wrap(nfsP, client) : nfsP, { workers: 4 });
  const local = new ProvisionController(deps, new LocalPathProvisioner({ basePath }), { workers: 4 });
  t.after(async () => {
    await nfs.stop();
    await local.stop();
    await c.close();
    rmSync(root, { recursive: true, force: true });
  });
  if (opts.informers === 'no-volumes') {
    await Promise.all([informers.for(PVCS).start(), informers.for(STORAGE_CLASSES).start()]);
  } else {
    await c.startInformers();
  }
  if (opts.start !== false) {
    await nfs.start();
    await local.start();
  }
  const pvcInformer = informers.for(PVCS);
  const pv = (name: string): Promise<KObject | undefined> => client.get<KObject>(PVS, undefined, name).catch(() => undefined);
  const events = async (reason: string): Promise<KObject[]> => {
    await deps.events(NFS).flush();
    await deps.events(LOCAL).flush();
    return (await client.list(EVENTS, 'default')).items.filter((e) => e.reason === reason);
  };
  return {
    root,
    exportPath,
    basePath,
    client,
    deps,
    nfsProvisioner: nfsP,
    nfs,
    local,
    async storageClass(name: string, provisioner: string, extra: KObject = {}) {
      await client.create(STORAGE_CLASSES, undefined, { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, ...extra });
    },
    async node(name: string, labels: Record<string, string> = {}) {
      await client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
    },
    async claim(name: string, className: string, provisioner: string | undefined, annotations: Record<string, string> = {}, spec: KObject = {}): Promise<KObject> {
      const a = provisioner ? { 'volume.kubernetes.io/storage-provisioner': provisioner, ...annotations } : annotations;
      return client.create(PVCS, 'default', {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, annotations: a },
        spec: { storageClassName: className, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
      });
    },
    /** The claim as the informer sees it, once it does. */
    async cached(name: string): Promise<KObject> {
      return eventually(() => pvcInformer.get(`default/${name}`));
    },
    pv,
    /** Waits until the PV is gone. */
    async pvGone(name: string, what = 'the PV to go'): Promise<void> {
      await eventually(async () => ((await pv(name)) ? undefined : true), what);
    },
    async phase(name: string, phase: string) {
      await client.patch(PVS, undefined, name, { status: { phase } }, { sub: 'status' });
    },
    events,
    /** The events with this reason, once there are any. */
    someEvents(reason: string): Promise<KObject[]> {
      return eventually(async () => ((await events(reason)).length ? events(reason) : undefined));
    },
  };
}

/** The first value `fn` gives that is neither undefined nor false. */
async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, what = 'condition'): Promise<T> {
  let v: T | undefined;
  await eventuallyTrue(async () => (v = await fn()) !== undefined && v !== false, what);
  return v as T;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('reconcileClaim() provisions an nfs-subdir volume with the protocol fields and events', async (t) => {
  const h = await harness(t);
  await h.storageClass('nfs', NFS, { mountOptions: ['nfsvers=4.1'], parameters: { archiveOnDelete: 'false' } });
  const claim = await h.claim('data', 'nfs', NFS, {}, { accessModes: ['ReadWriteMany'] });
  const pvName = `pvc-${claim.metadata!.uid}`;
  const pv = await eventually(() => h.pv(pvName), 'the PV');
  const dir = join(h.exportPath, `default-data-${pvName}`);
  assert.deepEqual(pv.metadata!.annotations, { 'pv.kubernetes.io/provisioned-by': NFS });
  assert.deepEqual(pv.metadata!.finalizers, [FINALIZER]);
  assert.deepEqual(pv.spec.claimRef, {
    kind: 'PersistentVolumeClaim',
    namespace: 'default',
    name: 'data',
    uid: claim.metadata!.uid,
    apiVersion: 'v1',
    resourceVersion: claim.metadata!.resourceVersion,
  });
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.deepEqual(pv.spec.accessModes, ['ReadWriteMany']);
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  assert.deepEqual(pv.spec.capacity, { storage: '1Gi' });
  assert.equal(pv.spec.storageClassName, 'nfs');
  assert.deepEqual(pv.spec.mountOptions, ['nfsvers=4.1']);
  assert.deepEqual(pv.spec.nfs, { server: '127.0.0.1', path: dir });
  assert.ok(existsSync(dir));
  const [started] = await h.events('Provisioning');
  assert.equal(started.type, 'Normal');
  assert.equal(started.message, 'External provisioner is provisioning volume for claim "default/data"');
  assert.equal(started.source.component, NFS);
  const [done] = await h.someEvents('ProvisioningSucceeded');
  assert.equal(done.message, `Successfully provisioned volume ${pvName}`);
  assert.equal(done.involvedObject.uid, claim.metadata!.uid);
});

test('reconcileClaim() is idempotent: a second run, an existing directory and an existing PV are success', async (t) => {
  const h = await harness(t, { start: false, informers: 'no-volumes' });
  await h.storageClass('nfs', NFS, { reclaimPolicy: 'Retain' });
  const claim = await h.claim('data', 'nfs', NFS, { 'volume.beta.kubernetes.io/storage-provisioner': 'other' });
  const pvName = `pvc-${claim.metadata!.uid}`;
  const dir = join(h.exportPath, `default-data-${pvName}`);
  mkdirSync(dir, { recursive: true }); // a previous run created the directory, then stopped
  writeFileSync(join(dir, 'kept'), 'x');
  await h.cached('data');
  await h.nfs.reconcileClaim('default/data');
  const pv = await h.pv(pvName);
  assert.equal(pv?.spec.persistentVolumeReclaimPolicy, 'Retain');
  await h.nfs.reconcileClaim('default/data');
  // A restarted controller whose volume informer has not caught up meets AlreadyExists.
  await new ProvisionController(h.deps, h.nfsProvisioner).reconcileClaim('default/data');
  assert.equal((await h.client.list(PVS)).items.length, 1);
  assert.deepEqual(readdirSync(dir), ['kept']);
  assert.equal((await h.events('ProvisioningSucceeded'))[0].count, 2);
  assert.equal((await h.events('ProvisioningFailed')).length, 0);
});

test('reconcileClaim() ignores claims for other provisioners, bound claims and other classes', async (t) => {
  const h = await harness(t, { start: false });
  await h.storageClass('nfs', NFS);
  await h.storageClass('foreign', 'example.com/other');
  await h.claim('other-provisioner', 'nfs', 'example.com/other');
  await h.claim('no-annotation', 'nfs', undefined);
  await h.claim('bound', 'nfs', NFS, {}, { volumeName: 'pv-static' });
  await h.claim('foreign-class', 'foreign', NFS);
  for (const n of ['other-provisioner', 'no-annotation', 'bound', 'foreign-class']) {
    await h.cached(n);
    await h.nfs.reconcileClaim(`default/${n}`);
  }
  assert.equal((await h.client.list(PVS)).items.length, 0);
  assert.equal((await h.events('Provisioning')).length, 0);
});

test('reconcileClaim() honours the beta annotations and waits for a missing StorageClass', async (t) => {
  const h = await harness(t);
  const claim = await h.claim('data', '', undefined, {
    'volume.beta.kubernetes.io/storage-provisioner': NFS,
    'volume.beta.kubernetes.io/storage-class': 'later',
  });
  await pause(50);
  assert.equal((await h.client.list(PVS)).items.length, 0);
  await h.storageClass('later', NFS);
  const pv = await eventually(() => h.pv(`pvc-${claim.metadata!.uid}`), 'the PV');
  assert.equal(pv.spec.storageClassName, 'later');
});

test('reconcileClaim() waits for the selected node with WaitForFirstConsumer, then provisions a local volume there', async (t) => {
  const h = await harness(t);
  await h.storageClass('local', LOCAL, { volumeBindingMode: 'WaitForFirstConsumer' });
  await h.node('n1', { 'kubernetes.io/hostname': 'n1' });
  const claim = await h.claim('data', 'local', LOCAL);
  await pause(50);
  assert.equal((await h.client.list(PVS)).items.length, 0);
  assert.equal((await h.events('Provisioning')).length, 0);
  await h.client.patch(PVCS, 'default', 'data', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': 'n1' } } });
  const pvName = `pvc-${claim.metadata!.uid}`;
  const pv = await eventually(() => h.pv(pvName), 'the PV');
  const dir = join(h.basePath, 'n1', `${pvName}_default_data`);
  assert.deepEqual(pv.spec.local, { path: dir });
  assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms, [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }]);
  assert.ok(existsSync(dir));
});

test('reconcileClaim() hands a claim back to the scheduler when its node is missing or outside allowedTopologies', async (t) => {
  const h = await harness(t);
  await h.storageClass('local', LOCAL, {
    volumeBindingMode: 'WaitForFirstConsumer',
    allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['a'] }] }],
  });
  await h.node('in-b', { 'topology.kubernetes.io/zone': 'b' });
  await h.claim('ghost', 'local', LOCAL, { 'volume.kubernetes.io/selected-node': 'nowhere' });
  await h.claim('wrong-zone', 'local', LOCAL, { 'volume.kubernetes.io/selected-node': 'in-b' });
  for (const n of ['ghost', 'wrong-zone']) {
    await eventually(async () => {
      const c = await h.client.get<KObject>(PVCS, 'default', n);
      return c.metadata!.annotations!['volume.kubernetes.io/selected-node'] === undefined || undefined;
    }, `${n} rescheduled`);
  }
  const failed = (await h.events('ProvisioningFailed')).map((e) => e.message).sort();
  assert.deepEqual(failed, ['nodes "nowhere" not found', 'selected node "in-b" does not match the allowedTopologies of StorageClass "local"']);
  assert.equal((await h.client.list(PVS)).items.length, 0);
  assert.ok(!existsSync(h.basePath));
});

test('reconcileClaim() reports an unknown parameter or a bad pathPattern and retries, creating nothing', async (t) => {
  const h = await harness(t);
  await h.storageClass('typo', NFS, { parameters: { archiveOnDelet: 'false' } });
  await h.storageClass('escape', NFS, { parameters: { pathPattern: '../${pvName}' } });
  await h.claim('a', 'typo', NFS);
  await h.claim('b', 'escape', NFS);
  const failed = await eventually(async () => {
    const evs = await h.events('ProvisioningFailed');
    return evs.length === 2 && evs.every((e) => e.count >= 2) ? evs : undefined; // retried with back-off
  }, 'two retried failures');
  const messages = failed.map((e) => e.message).sort();
  assert.match(messages[0], /parameter "archiveOnDelet" is not supported by berth\.dev\/nfs-subdir/);
  assert.match(messages[1], /pathPattern "\.\.\/\$\{pvName\}" expands to "\.\.\/pvc-.*would escape/);
  assert.equal(failed[0].type, 'Warning');
  assert.equal((await h.client.list(PVS)).items.length, 0);
  assert.ok(!existsSync(h.exportPath));
});

test('reconcileClaim() rejects block volumes without retrying', async (t) => {
  const h = await harness(t);
  await h.storageClass('nfs', NFS);
  await h.claim('raw', 'nfs', NFS, {}, { volumeMode: 'Block' });
  const [e] = await h.someEvents('ProvisioningFailed');
  assert.equal(e.message, 'berth.dev/nfs-subdir does not support block volume provisioning');
  await pause(50);
  assert.equal((await h.events('ProvisioningFailed'))[0].count, 1);
});

test('a claim deleted while its volume is provisioned leaves no PV and no directory', async (t) => {
  const h = await harness(t, {
    start: false,
    wrap: (p, client) => ({
      name: p.name,
      provision: async (req) => {
        await client.delete(PVCS, 'default', req.claim.metadata!.name!); // the user is faster than us
        return p.provision(req);
      },
      delete: (pv, c, o) => p.delete(pv, c, o),
    }),
  });
  await h.storageClass('nfs', NFS); // archives by default: an unused volume is removed anyway
  await h.claim('data', 'nfs', NFS);
  await h.cached('data');
  await h.nfs.reconcileClaim('default/data');
  assert.deepEqual((await h.client.list(PVS)).items, []);
  assert.deepEqual(readdirSync(h.exportPath), []);
  assert.equal((await h.events('ProvisioningSucceeded')).length, 0);
});

test('a claim deleted before provisioning gets nothing; one deleted after has its Released volume reclaimed', async (t) => {
  const h = await harness(t);
  await h.storageClass('nfs', NFS, { parameters: { onDelete: 'delete' } });
  await h.storageClass('parked', 'example.com/not-yet');
  await h.claim('early', 'parked', NFS);
  await h.client.delete(PVCS, 'default', 'early');
  const claim = await h.claim('late', 'nfs', NFS);
  const pvName = `pvc-${claim.metadata!.uid}`;
  await eventually(() => h.pv(pvName), 'the PV');
  await h.client.delete(PVCS, 'default', 'late');
  await h.phase(pvName, 'Released'); // what the PV controller does once the claim is gone
  await h.pvGone(pvName);
  assert.deepEqual((await h.client.list(PVS)).items, []);
  assert.deepEqual(readdirSync(h.exportPath), []);
});

test('reconcileVolume() removes a volume released before it was ever Bound, even when its class archives', async (t) => {
  const h = await harness(t);
  await h.storageClass('archive', NFS);
  const pvName = `pvc-${(await h.claim('gone-early', 'archive', NFS)).metadata!.uid}`;
  await eventually(() => h.pv(pvName), 'the PV');
  await h.phase(pvName, 'Released'); // its claim went before the PV controller bound it
  await h.pvGone(pvName);
  assert.deepEqual(readdirSync(h.exportPath), []);
});

test('reconcileVolume() archives, retains or removes a Released volume by the class parameters', async (t) => {
  const h = await harness(t);
  await h.storageClass('archive', NFS);
  await h.storageClass('retain', NFS, { parameters: { onDelete: 'retain' } });
  await h.storageClass('remove', NFS, { parameters: { archiveOnDelete: 'false' } });
  const names: Record<string, string> = {};
  for (const c of ['archive', 'retain', 'remove']) names[c] = `pvc-${(await h.claim(c, c, NFS)).metadata!.uid}`;
  for (const c of Object.keys(names)) await eventually(() => h.pv(names[c]), 'the PVs');
  for (const c of Object.keys(names)) await h.phase(names[c], 'Bound'); // used, then released
  for (const c of Object.keys(names)) await h.phase(names[c], 'Released');
  for (const c of Object.keys(names)) await h.pvGone(names[c], `${c} PV to go`);
  assert.deepEqual(readdirSync(h.exportPath).sort(), [`archived-default-archive-${names.archive}`, `default-retain-${names.retain}`]);
});

test('reconcileVolume() leaves storage of a Retain volume alone and drops our finalizer', async (t) => {
  const h = await harness(t);
  await h.storageClass('keep', NFS, { reclaimPolicy: 'Retain' });
  const pvName = `pvc-${(await h.claim('data', 'keep', NFS)).metadata!.uid}`;
  await eventually(async () => {
    const pv = await h.pv(pvName);
    return (pv && !pv.metadata?.finalizers?.length) || undefined;
  }, 'the finalizer to go');
  await h.phase(pvName, 'Released');
  await pause(50);
  assert.equal((await h.pv(pvName))?.status.phase, 'Released');
  assert.equal(readdirSync(h.exportPath).length, 1);
});

test('reconcileVolume() finalizes a PV deleted directly only once it is not Bound', async (t) => {
  const h = await harness(t);
  await h.storageClass('nfs', NFS, { parameters: { archiveOnDelete: 'false' } });
  const pvName = `pvc-${(await h.claim('data', 'nfs', NFS)).metadata!.uid}`;
  await eventually(() => h.pv(pvName), 'the PV');
  await h.phase(pvName, 'Bound');
  await h.client.delete(PVS, undefined, pvName);
  await pause(50);
  assert.ok((await h.pv(pvName))?.metadata?.deletionTimestamp);
  assert.equal(readdirSync(h.exportPath).length, 1);
  await h.phase(pvName, 'Available');
  await h.pvGone(pvName);
  assert.deepEqual(readdirSync(h.exportPath), []);
});

test('reconcileVolume() reports VolumeFailedDelete and keeps the PV while the storage cannot be deleted', async (t) => {
  const h = await harness(t);
  await h.storageClass('nfs', NFS, { parameters: { archiveOnDelete: 'false' } });
  const pvName = `pvc-${(await h.claim('data', 'nfs', NFS)).metadata!.uid}`;
  const pv = await eventually(() => h.pv(pvName), 'the PV');
  await h.phase(pvName, 'Bound');
  await h.client.delete(STORAGE_CLASSES, undefined, 'nfs'); // without its class the policy is unknown
  await h.phase(pvName, 'Released');
  const [e] = await h.someEvents('VolumeFailedDelete');
  assert.equal(e.involvedObject.name, pvName);
  assert.match(e.message, /StorageClass "nfs" of volume pvc-.* not found/);
  assert.ok(existsSync(pv.spec.nfs.path));
  await h.storageClass('nfs', NFS, { parameters: { archiveOnDelete: 'false' } });
  await h.pvGone(pvName, 'the PV to go after the retry');
  assert.ok(!existsSync(pv.spec.nfs.path));
});

test('nodeMatchesTopologies() ORs terms and ANDs expressions; an empty term matches nothing', () => {
  const node = { metadata: { labels: { zone: 'a', rack: '1' } } };
  assert.equal(nodeMatchesTopologies(node, undefined), true);
  assert.equal(nodeMatchesTopologies(node, [{ matchLabelExpressions: [{ key: 'zone', values: ['b'] }] }, { matchLabelExpressions: [{ key: 'rack', values: ['1'] }] }]), true);
  assert.equal(nodeMatchesTopologies(node, [{ matchLabelExpressions: [{ key: 'zone', values: ['a'] }, { key: 'rack', values: ['2'] }] }]), false);
  assert.equal(nodeMatchesTopologies(node, [{}]), false);
});
