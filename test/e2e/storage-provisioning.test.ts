// Issue 3, StorageClasses and dynamic provisioning, as a user sees them with the real kubectl: the
// NFS-style walkthrough with berth.dev/nfs-subdir (directories in the export, archive / delete /
// retain, pathPattern, exportPath, unknown parameters), berth.dev/local-path with
// WaitForFirstConsumer and volume.kubernetes.io/selected-node, no leak when a claim goes before its
// volume, and the default StorageClass (admission, `(default)` marker, newest default, retroactive).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth, eventually, ok } from './harness.js';
import type { Berth } from './harness.js';
import { isDir, node, onNode, persistentVolume, pvc as claimManifest, pvcPath, pvPath, storageClass, storageClient } from './storage-support.js';
import type { PvcOptions } from './storage-support.js';

let b: Berth;
const { apply, getObj, claim, waitPhase, waitGone, waitDescribe, boundProvisioned } = storageClient(() => b, {
  diagnostics: () => [...b.output().split('\n').filter((l) => l.includes('dropped')), b.output().slice(-3000)].join('\n'),
});
let exportDir: string;
let localBase: string;
const scratch: string[] = [];
before(async () => {
  b = await startBerth();
  exportDir = join(b.dataDir, 'volumes', 'nfs-export');
  localBase = join(b.dataDir, 'volumes', 'local');
  // No node agents exist yet: a Node object is what a selected node must name.
  await apply(node('node-1'));
});
after(async () => {
  await b?.stop();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

// ---- helpers ----

/** Claims here ask for 100Mi unless told. */
const pvc = (name: string, opts: PvcOptions) => claimManifest(name, { size: '100Mi', ...opts });

async function deleteClaim(name: string): Promise<void> {
  ok(await b.kubectl(['delete', 'pvc', name, '--timeout', '30s']));
  await waitGone(pvcPath(name));
}

// ---- NFS-style walkthrough and nfs-subdir parameters ----

test('the NFS walkthrough: nfs-pv1 (beta annotation, RWX, 100Mi) is Bound to pvc-<uid> with its directory in the export; deleting it archives the directory', async () => {
  const manifest = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: nfs-client
provisioner: berth.dev/nfs-subdir
parameters:
  archiveOnDelete: "true"
---
kind: PersistentVolumeClaim
apiVersion: v1
metadata:
  name: nfs-pv1
  annotations:
    volume.beta.kubernetes.io/storage-class: "nfs-client"
spec:
  accessModes:
    - ReadWriteMany
  resources:
    requests:
      storage: 100Mi
`;
  const created = ok(await b.kubectl(['apply', '-f', b.file('nfs.yaml', manifest)]));
  assert.match(created, /storageclass\.storage\.k8s\.io\/nfs-client created/);
  assert.match(created, /persistentvolumeclaim\/nfs-pv1 created/);
  const { claim: c, uid, pv } = await boundProvisioned('nfs-pv1');
  const pvName = `pvc-${uid}`;

  const out = ok(await b.kubectl(['get', 'pvc', 'nfs-pv1']));
  assert.match(out, new RegExp(`^nfs-pv1\\s+Bound\\s+${pvName}\\s+100Mi\\s+RWX\\s+nfs-client\\s`, 'm'), out);
  const pvOut = ok(await b.kubectl(['get', 'pv', pvName]));
  assert.match(pvOut, new RegExp(`^${pvName}\\s+100Mi\\s+RWX\\s+Delete\\s+Bound\\s+default/nfs-pv1\\s+nfs-client\\s`, 'm'), pvOut);

  // The external-provisioner protocol, as a provisioner written for Kubernetes would leave it.
  assert.equal(c.metadata.annotations['volume.kubernetes.io/storage-provisioner'], 'berth.dev/nfs-subdir');
  assert.equal(c.metadata.annotations['volume.beta.kubernetes.io/storage-provisioner'], 'berth.dev/nfs-subdir');
  assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'berth.dev/nfs-subdir');
  assert.equal(pv.spec.claimRef.uid, uid);
  assert.equal(pv.spec.claimRef.name, 'nfs-pv1');
  assert.equal(pv.spec.storageClassName, 'nfs-client');
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
  assert.deepEqual(pv.spec.accessModes, ['ReadWriteMany']);
  assert.deepEqual(pv.spec.capacity, { storage: '100Mi' });
  assert.equal(pv.spec.nodeAffinity, undefined, 'nfs volumes have no node affinity');
  assert.ok(pv.spec.nfs.server, 'nfs.server is set');
  const dir = join(exportDir, `default-nfs-pv1-${pvName}`);
  assert.equal(pv.spec.nfs.path, dir);
  assert.ok(isDir(dir), `${dir} exists`);
  assert.equal(statSync(dir).mode & 0o777, 0o777, 'volume directories are 0777, as upstream');

  const d = await waitDescribe('pvc', 'nfs-pv1', /ProvisioningSucceeded/);
  assert.match(d, new RegExp(`Normal\\s+ProvisioningSucceeded\\s+.*berth\\.dev/nfs-subdir\\s+Successfully provisioned volume ${pvName}`));
  const pvd = ok(await b.kubectl(['describe', 'pv', pvName]));
  assert.match(pvd, /Type:\s+NFS/);
  assert.match(pvd, new RegExp(`Path:\\s+${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

  // Data written in the volume survives deletion of the claim under archived-<dir>.
  writeFileSync(join(dir, 'data.txt'), 'hello');
  await deleteClaim('nfs-pv1');
  await waitGone(pvPath(pvName));
  const archived = join(exportDir, `archived-default-nfs-pv1-${pvName}`);
  await eventually(async () => isDir(archived));
  assert.ok(!existsSync(dir), 'the original directory is gone');
  assert.equal(readFileSync(join(archived, 'data.txt'), 'utf8'), 'hello');
});

test('nfs-subdir onDelete / archiveOnDelete: delete removes, retain keeps, archiveOnDelete "false" removes, no parameter archives (upstream default)', async () => {
  await apply(
    storageClass('nfs-ondelete-delete', 'berth.dev/nfs-subdir', { parameters: { onDelete: 'delete' } }),
    storageClass('nfs-ondelete-retain', 'berth.dev/nfs-subdir', { parameters: { onDelete: 'retain', archiveOnDelete: 'true' } }),
    storageClass('nfs-archive-false', 'berth.dev/nfs-subdir', { parameters: { archiveOnDelete: 'false' } }),
    storageClass('nfs-plain', 'berth.dev/nfs-subdir'),
  );
  await apply(
    pvc('od-delete', { cls: 'nfs-ondelete-delete', modes: ['ReadWriteMany'] }),
    pvc('od-retain', { cls: 'nfs-ondelete-retain', modes: ['ReadWriteMany'] }),
    pvc('od-false', { cls: 'nfs-archive-false', modes: ['ReadWriteMany'] }),
    pvc('od-plain', { cls: 'nfs-plain', modes: ['ReadWriteMany'] }),
  );
  const dirs: Record<string, string> = {};
  const pvs: Record<string, string> = {};
  for (const n of ['od-delete', 'od-retain', 'od-false', 'od-plain']) {
    const { pv, uid } = await boundProvisioned(n);
    dirs[n] = pv.spec.nfs.path;
    pvs[n] = `pvc-${uid}`;
    assert.equal(dirs[n], join(exportDir, `default-${n}-pvc-${uid}`));
    assert.ok(isDir(dirs[n]));
    writeFileSync(join(dirs[n], 'f'), n);
  }
  for (const n of Object.keys(dirs)) ok(await b.kubectl(['delete', 'pvc', n, '--wait=false']));
  for (const n of Object.keys(dirs)) await waitGone(pvPath(pvs[n]));
  const archivedOf = (n: string) => join(exportDir, `archived-default-${n}-${pvs[n]}`);
  await eventually(async () => !existsSync(dirs['od-delete']));
  assert.ok(!existsSync(archivedOf('od-delete')));
  await eventually(async () => !existsSync(dirs['od-false']));
  assert.ok(!existsSync(archivedOf('od-false')));
  // onDelete wins over archiveOnDelete: the directory stays where it was, with its data.
  assert.equal(readFileSync(join(dirs['od-retain'], 'f'), 'utf8'), 'od-retain');
  assert.ok(!existsSync(archivedOf('od-retain')));
  await eventually(async () => isDir(archivedOf('od-plain')));
  assert.equal(readFileSync(join(archivedOf('od-plain'), 'f'), 'utf8'), 'od-plain');
});

test('nfs-subdir pathPattern places the directory by the claim namespace, labels and annotations', async () => {
  await apply(
    storageClass('nfs-pattern', 'berth.dev/nfs-subdir', {
      parameters: { pathPattern: '${.PVC.namespace}/${.PVC.labels.app}/${.PVC.annotations.nfs.io/storage-path}', onDelete: 'delete' },
    }),
  );
  await apply(pvc('patterned', { cls: 'nfs-pattern', modes: ['ReadWriteMany'], labels: { app: 'web' }, annotations: { 'nfs.io/storage-path': 'shared-data' } }));
  const { pv } = await boundProvisioned('patterned');
  const dir = join(exportDir, 'default', 'web', 'shared-data');
  assert.equal(pv.spec.nfs.path, dir);
  assert.ok(isDir(dir));
  await deleteClaim('patterned');
  await eventually(async () => !existsSync(dir));
});

test('nfs-subdir exportPath puts the volumes in another directory', async () => {
  const other = mkdtempSync(join(tmpdir(), 'berth-e2e-export-'));
  scratch.push(other);
  await apply(storageClass('nfs-elsewhere', 'berth.dev/nfs-subdir', { parameters: { exportPath: other, onDelete: 'delete', server: 'nfs.example.com' } }));
  await apply(pvc('elsewhere', { cls: 'nfs-elsewhere', modes: ['ReadWriteMany'] }));
  const { pv, uid } = await boundProvisioned('elsewhere');
  const dir = join(other, `default-elsewhere-pvc-${uid}`);
  assert.equal(pv.spec.nfs.path, dir);
  assert.equal(pv.spec.nfs.server, 'nfs.example.com');
  assert.ok(isDir(dir));
  assert.ok(!existsSync(join(exportDir, `default-elsewhere-pvc-${uid}`)));
  await deleteClaim('elsewhere');
  await waitGone(pvPath(`pvc-${uid}`));
  await eventually(async () => !existsSync(dir));
  assert.deepEqual(readdirSync(other), []);
});

test('a class with an unknown parameter fails provisioning by name, with a ProvisioningFailed event and no volume', async () => {
  await apply(storageClass('nfs-bogus', 'berth.dev/nfs-subdir', { parameters: { bogus: 'x' } }));
  await apply(pvc('bogus-claim', { cls: 'nfs-bogus', modes: ['ReadWriteMany'] }));
  const d = await waitDescribe('pvc', 'bogus-claim', /Warning\s+ProvisioningFailed\s+.*berth\.dev\/nfs-subdir/);
  assert.match(d, /ProvisioningFailed\s+.*berth\.dev\/nfs-subdir\s+StorageClass "nfs-bogus": parameter "bogus" is not supported by berth\.dev\/nfs-subdir/);
  const c = await claim('bogus-claim');
  assert.equal(c.status.phase, 'Pending');
  assert.equal(await getObj(pvPath(`pvc-${c.metadata.uid}`)), undefined);
  assert.ok(!existsSync(exportDir) || !readdirSync(exportDir).some((e) => e.includes(c.metadata.uid)));
  await deleteClaim('bogus-claim');
});

test('the class reclaimPolicy and mountOptions are copied to the provisioned PV; Retain keeps PV and directory', async () => {
  await apply(storageClass('nfs-retain', 'berth.dev/nfs-subdir', { reclaimPolicy: 'Retain', mountOptions: ['nfsvers=4.1', 'hard'] }));
  const sc = ok(await b.kubectl(['get', 'sc', 'nfs-retain']));
  assert.match(sc, /^nfs-retain\s+berth\.dev\/nfs-subdir\s+Retain\s+Immediate\s+false\s/m, sc);
  await apply(pvc('kept', { cls: 'nfs-retain', modes: ['ReadWriteMany'] }));
  const { pv, uid } = await boundProvisioned('kept');
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.deepEqual(pv.spec.mountOptions, ['nfsvers=4.1', 'hard']);
  writeFileSync(join(pv.spec.nfs.path, 'f'), 'kept');
  await deleteClaim('kept');
  const released = await waitPhase(pvPath(`pvc-${uid}`), 'Released');
  assert.equal(released.spec.claimRef.uid, uid);
  assert.equal(readFileSync(join(pv.spec.nfs.path, 'f'), 'utf8'), 'kept');
  const out = ok(await b.kubectl(['get', 'pv', `pvc-${uid}`]));
  assert.match(out, new RegExp(`^pvc-${uid}\\s+100Mi\\s+RWX\\s+Retain\\s+Released\\s+default/kept\\s+nfs-retain\\s`, 'm'), out);
});

// ---- local-path and WaitForFirstConsumer ----

test('local-path: a claim of class standard waits for its first consumer; selected-node makes a local PV with node affinity and a directory', async () => {
  // No class given: admission picks the default, standard.
  await apply(pvc('lp-1', { size: '1Gi', cls: null }));
  const c0 = await claim('lp-1');
  assert.equal(c0.spec.storageClassName, 'standard');
  const d = await waitDescribe('pvc', 'lp-1', /WaitForFirstConsumer/);
  assert.match(d, /Normal\s+WaitForFirstConsumer\s+.*persistentvolume-controller\s+waiting for first consumer to be created before binding/);
  const out = ok(await b.kubectl(['get', 'pvc', 'lp-1']));
  assert.match(out, /^lp-1\s+Pending\s+standard\s/m, out);
  const uid = c0.metadata.uid;
  assert.equal(await getObj(pvPath(`pvc-${uid}`)), undefined);

  assert.match(ok(await b.kubectl(['annotate', 'pvc', 'lp-1', 'volume.kubernetes.io/selected-node=node-1'])), /persistentvolumeclaim\/lp-1 annotated/);
  const { pv } = await boundProvisioned('lp-1');
  const dir = join(localBase, 'node-1', `pvc-${uid}_default_lp-1`);
  assert.equal(pv.spec.local.path, dir);
  assert.ok(isDir(dir), `${dir} exists`);
  assert.deepEqual(pv.spec.nodeAffinity, {
    required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-1'] }] }] },
  });
  assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], 'berth.dev/local-path');
  const got = ok(await b.kubectl(['get', 'pvc', 'lp-1']));
  assert.match(got, new RegExp(`^lp-1\\s+Bound\\s+pvc-${uid}\\s+1Gi\\s+RWO\\s+standard\\s`, 'm'), got);
  const pvd = ok(await b.kubectl(['describe', 'pv', `pvc-${uid}`]));
  assert.match(pvd, /Node Affinity:\s*\n\s+Required Terms:\s*\n\s+Term 0:\s+kubernetes\.io\/hostname in \[node-1\]/);
  assert.match(pvd, /Type:\s+LocalVolume/);

  // standard reclaims with Delete: the PV and its directory go with the claim.
  await deleteClaim('lp-1');
  await waitGone(pvPath(`pvc-${uid}`));
  await eventually(async () => !existsSync(dir));
});

test('local-path: a selected node that does not exist hands the claim back (annotation removed), no PV, until a real node is selected', async () => {
  await apply(pvc('lp-nonode', { size: '1Gi', cls: 'standard', annotations: { 'volume.kubernetes.io/selected-node': 'node-9' } }));
  await eventually(async () => (await claim('lp-nonode')).metadata.annotations?.['volume.kubernetes.io/selected-node'] === undefined);
  const c = await claim('lp-nonode');
  assert.equal(c.status.phase, 'Pending');
  assert.equal(await getObj(pvPath(`pvc-${c.metadata.uid}`)), undefined);
  assert.ok(!existsSync(join(localBase, 'node-9')));
  ok(await b.kubectl(['annotate', 'pvc', 'lp-nonode', 'volume.kubernetes.io/selected-node=node-1']));
  await boundProvisioned('lp-nonode');
});

test('WaitForFirstConsumer: removing selected-node before the volume is provisioned keeps the claim waiting', async () => {
  // A provisioner that is not running: the claim is handed over but nothing provisions it.
  await apply(storageClass('wffc-offline', 'example.com/offline', { volumeBindingMode: 'WaitForFirstConsumer' }));
  await apply(pvc('wffc-1', { size: '1Gi', cls: 'wffc-offline' }));
  await waitDescribe('pvc', 'wffc-1', /WaitForFirstConsumer/);
  assert.equal((await claim('wffc-1')).metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], undefined, 'not handed over while waiting');
  ok(await b.kubectl(['annotate', 'pvc', 'wffc-1', 'volume.kubernetes.io/selected-node=node-1']));
  await waitDescribe('pvc', 'wffc-1', /ExternalProvisioning\s+.*'example\.com\/offline'/);
  assert.equal((await claim('wffc-1')).metadata.annotations['volume.kubernetes.io/storage-provisioner'], 'example.com/offline');
  const wffcCount = async () => {
    const events = (await b.http('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dwffc-1')).body.items as any[];
    return events.filter((e) => e.reason === 'WaitForFirstConsumer').reduce((n, e) => n + (e.count ?? 1), 0);
  };
  const before = await wffcCount();
  assert.ok(before >= 1);
  assert.match(ok(await b.kubectl(['annotate', 'pvc', 'wffc-1', 'volume.kubernetes.io/selected-node-'])), /annotated/);
  // Back to waiting: the controller says so again.
  await eventually(async () => (await wffcCount()) > before);
  const c = await claim('wffc-1');
  assert.equal(c.status.phase, 'Pending');
  assert.equal(c.metadata.annotations['volume.kubernetes.io/selected-node'], undefined);

  // The same with local-path, deterministically: the claim's class does not exist yet, so nothing
  // can provision it while a node is selected; the node is unselected before the class appears.
  await apply(pvc('lp-later', { size: '1Gi', cls: 'local-later' }));
  ok(await b.kubectl(['annotate', 'pvc', 'lp-later', 'volume.kubernetes.io/selected-node=node-1']));
  await waitDescribe('pvc', 'lp-later', /ProvisioningFailed\s+.*storageclass\.storage\.k8s\.io "local-later" not found/);
  ok(await b.kubectl(['annotate', 'pvc', 'lp-later', 'volume.kubernetes.io/selected-node-']));
  await apply(storageClass('local-later', 'berth.dev/local-path', { volumeBindingMode: 'WaitForFirstConsumer' }));
  await waitDescribe('pvc', 'lp-later', /WaitForFirstConsumer\s+.*waiting for first consumer to be created before binding/);
  const later = await claim('lp-later');
  const uid = later.metadata.uid;
  assert.equal(later.status.phase, 'Pending');
  assert.equal(later.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], undefined);
  // Another claim of the class, selected: once it is Bound the provisioner has seen the class.
  await apply(pvc('lp-later-2', { size: '1Gi', cls: 'local-later', annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } }));
  await boundProvisioned('lp-later-2');
  assert.equal(await getObj(pvPath(`pvc-${uid}`)), undefined);
  assert.ok(!readdirSync(join(localBase, 'node-1')).some((e) => e.includes(uid)));
  assert.equal((await claim('lp-later')).status.phase, 'Pending');
  // Selecting the node again provisions it there.
  ok(await b.kubectl(['annotate', 'pvc', 'lp-later', 'volume.kubernetes.io/selected-node=node-1']));
  const { pv } = await boundProvisioned('lp-later');
  assert.equal(pv.spec.local.path, join(localBase, 'node-1', `pvc-${uid}_default_lp-later`));
});

/** Provisioned volumes or directories (PVs, export, local node dirs) that belong to any of these claim uids. */
async function leftovers(uids: string[]): Promise<{ pvs: string[]; dirs: string[]; local: string[] }> {
  const pvs = (await b.http('GET', '/api/v1/persistentvolumes')).body.items.filter(
    (v: any) => uids.includes(v.spec?.claimRef?.uid ?? '') || uids.some((u) => v.metadata.name === `pvc-${u}`),
  );
  const dirs = existsSync(exportDir) ? readdirSync(exportDir).filter((e) => uids.some((u) => e.includes(u))) : [];
  const nodeDir = join(localBase, 'node-1');
  const local = existsSync(nodeDir) ? readdirSync(nodeDir).filter((e) => uids.some((u) => e.includes(u))) : [];
  return { pvs: pvs.map((v: any) => v.metadata.name), dirs, local };
}

async function expectNoLeftovers(uids: string[], sentinelClass: string, sentinelName: string, modes: string[], annotations?: Record<string, string>): Promise<void> {
  // A claim created afterwards in the same class is provisioned and bound: the provisioner has
  // worked through what came before it by then.
  await apply(pvc(sentinelName, { cls: sentinelClass, modes, annotations }));
  await boundProvisioned(sentinelName);
  let last: Awaited<ReturnType<typeof leftovers>> | undefined;
  try {
    await eventually(async () => {
      last = await leftovers(uids);
      return last.pvs.length === 0 && last.dirs.length === 0 && last.local.length === 0;
    }, 8_000);
  } catch (e) {
    throw new Error(`leaked: ${JSON.stringify(last)}\n${e}`);
  }
}

test('allowedTopologies: a selected node outside them is handed back; a node inside them gets the volume', async () => {
  await apply(
    node('node-a', { 'topology.kubernetes.io/zone': 'zone-a' }),
    storageClass('local-zone-a', 'berth.dev/local-path', {
      volumeBindingMode: 'WaitForFirstConsumer',
      allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['zone-a'] }] }],
    }),
  );
  await apply(pvc('topo', { size: '1Gi', cls: 'local-zone-a', annotations: { 'volume.kubernetes.io/selected-node': 'node-1' } }));
  await eventually(async () => (await claim('topo')).metadata.annotations?.['volume.kubernetes.io/selected-node'] === undefined);
  const c = await claim('topo');
  assert.equal(c.status.phase, 'Pending');
  assert.equal(await getObj(pvPath(`pvc-${c.metadata.uid}`)), undefined);
  ok(await b.kubectl(['annotate', 'pvc', 'topo', 'volume.kubernetes.io/selected-node=node-a']));
  const { pv, uid } = await boundProvisioned('topo');
  assert.equal(pv.spec.local.path, join(localBase, 'node-a', `pvc-${uid}_default_topo`));
  assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, ['node-a']);
  assert.ok(isDir(pv.spec.local.path));
});

test('kubernetes.io/no-provisioner never provisions: a static local PV is bound once a node is selected', async () => {
  await apply(
    storageClass('local-static', 'kubernetes.io/no-provisioner', { volumeBindingMode: 'WaitForFirstConsumer' }),
    persistentVolume('static-local', { local: { path: '/mnt/disks/ssd1' }, nodeAffinity: onNode('node-1') }, { size: '5Gi', cls: 'local-static' }),
  );
  await waitPhase(pvPath('static-local'), 'Available');
  await apply(pvc('static-claim', { size: '1Gi', cls: 'local-static' }), pvc('static-toobig', { size: '50Gi', cls: 'local-static' }));
  await waitDescribe('pvc', 'static-claim', /WaitForFirstConsumer/);
  assert.equal((await getObj(pvPath('static-local'))).status.phase, 'Available', 'not bound before a node is chosen');
  ok(await b.kubectl(['annotate', 'pvc', 'static-claim', 'static-toobig', 'volume.kubernetes.io/selected-node=node-1']));
  assert.equal((await waitPhase(pvcPath('static-claim'), 'Bound')).spec.volumeName, 'static-local');
  // Nothing fits the other claim and nothing will be made for it.
  await waitDescribe('pvc', 'static-toobig', /Normal\s+ExternalProvisioning\s+.*Waiting for a volume to be created either by the external provisioner 'kubernetes\.io\/no-provisioner' or manually by the system administrator/);
  const big = await claim('static-toobig');
  assert.equal(big.status.phase, 'Pending');
  assert.equal(await getObj(pvPath(`pvc-${big.metadata.uid}`)), undefined);
});

test('a WaitForFirstConsumer claim deleted while it waits leaves no PV and no directory', async () => {
  await apply(pvc('leak-wffc', { size: '1Gi', cls: 'standard' }));
  await waitDescribe('pvc', 'leak-wffc', /WaitForFirstConsumer/);
  const uid = (await claim('leak-wffc')).metadata.uid;
  await deleteClaim('leak-wffc');
  await expectNoLeftovers([uid], 'standard', 'leak-wffc-sentinel', ['ReadWriteOnce'], { 'volume.kubernetes.io/selected-node': 'node-1' });
});

test(
  'claims deleted right after creation, before their volumes are provisioned, leave no PV and no directory',
  async () => {
    // The deletes race provisioning and binding: a claim whose volume was bound before its DELETE
    // landed is reclaimed by its class's policy (archiving would rightly keep a directory), so this
    // class deletes on reclaim; a leak shows as a PV or a directory left behind.
    await apply(storageClass('nfs-leak', 'berth.dev/nfs-subdir', { parameters: { onDelete: 'delete' } }));
    const names = Array.from({ length: 12 }, (_, i) => `leak-${i}`);
    const uids: string[] = [];
    await Promise.all(
      names.map(async (n) => {
        const r = await b.http('POST', '/api/v1/namespaces/default/persistentvolumeclaims', pvc(n, { cls: 'nfs-leak', modes: ['ReadWriteMany'] }));
        assert.equal(r.status, 201, r.text);
        uids.push(r.body.metadata.uid);
        const del = await b.http('DELETE', pvcPath(n));
        assert.ok(del.status === 200 || del.status === 202, del.text);
      }),
    );
    for (const n of names) await waitGone(pvcPath(n));
    await expectNoLeftovers(uids, 'nfs-leak', 'leak-sentinel', ['ReadWriteMany']);
  },
);

test(
  'every event about a claim is recorded, also several in the same millisecond',
  async () => {
    await apply(storageClass('nfs-events', 'berth.dev/nfs-subdir', { parameters: { onDelete: 'delete' } }));
    const okClaims = Array.from({ length: 12 }, (_, i) => `ev-ok-${i}`);
    const badClaims = Array.from({ length: 12 }, (_, i) => `ev-nonode-${i}`);
    await apply(
      ...okClaims.map((n) => pvc(n, { cls: 'nfs-events', modes: ['ReadWriteMany'] })),
      ...badClaims.map((n) => pvc(n, { size: '1Gi', cls: 'standard', annotations: { 'volume.kubernetes.io/selected-node': 'node-gone' } })),
    );
    for (const n of okClaims) await boundProvisioned(n);
    for (const n of badClaims) {
      await eventually(async () => (await claim(n)).metadata.annotations?.['volume.kubernetes.io/selected-node'] === undefined);
    }
    const missing: string[] = [];
    await eventually(async () => {
      missing.length = 0;
      const events = (await b.http('GET', '/api/v1/namespaces/default/events')).body.items as any[];
      const reasons = (n: string) => new Set(events.filter((e) => e.involvedObject?.name === n).map((e) => `${e.source?.component}:${e.reason}`));
      for (const n of okClaims) {
        const r = reasons(n);
        for (const want of ['persistentvolume-controller:ExternalProvisioning', 'berth.dev/nfs-subdir:Provisioning', 'berth.dev/nfs-subdir:ProvisioningSucceeded']) {
          if (!r.has(want)) missing.push(`${n} ${want}`);
        }
      }
      for (const n of badClaims) {
        const r = reasons(n);
        for (const want of ['persistentvolume-controller:ExternalProvisioning', 'berth.dev/local-path:ProvisioningFailed']) {
          if (!r.has(want)) missing.push(`${n} ${want}`);
        }
      }
      return missing.length === 0;
    }, 5_000).catch((e) => {
      throw new Error(`events missing:\n${missing.join('\n')}\n${e}`);
    });
    const d = ok(await b.kubectl(['describe', 'pvc', 'ev-nonode-0']));
    assert.match(d, /Warning\s+ProvisioningFailed\s+.*berth\.dev\/local-path\s+nodes "node-gone" not found/);
    const e = ok(await b.kubectl(['describe', 'pvc', 'ev-ok-0']));
    assert.match(e, /Normal\s+ExternalProvisioning\s+.*persistentvolume-controller\s+Waiting for a volume to be created either by the external provisioner 'berth\.dev\/nfs-subdir'/);
  },
);

// ---- the default StorageClass (last: these tests change which class is the default) ----

test('admission gives a claim without class the default class; "" is never defaulted; kubectl get sc shows (default)', async () => {
  const sc = ok(await b.kubectl(['get', 'sc']));
  assert.match(sc, /^standard \(default\)\s+berth\.dev\/local-path\s+Delete\s+WaitForFirstConsumer\s/m, sc);
  assert.match(sc, /^nfs-client\s+berth\.dev\/nfs-subdir\s+Delete\s+Immediate\s+false\s/m, sc);
  await apply(pvc('def-unset', { cls: null }), pvc('def-empty', { cls: '' }));
  assert.equal((await claim('def-unset')).spec.storageClassName, 'standard');
  assert.equal((await claim('def-empty')).spec.storageClassName, '');
  // The beta annotation counts as a class: no default is added next to it.
  await apply(pvc('def-beta', { cls: null, annotations: { 'volume.beta.kubernetes.io/storage-class': 'nfs-client' } }));
  const beta = await claim('def-beta');
  assert.equal(beta.spec.storageClassName, undefined);
  assert.equal((await waitPhase(pvcPath('def-beta'), 'Bound')).spec.volumeName, `pvc-${beta.metadata.uid}`);
});

test('kubectl patch moves the (default) marker; with two defaults the newest wins', async () => {
  ok(await b.kubectl(['patch', 'sc', 'nfs-client', '-p', '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"true"}}}']));
  ok(await b.kubectl(['patch', 'sc', 'standard', '-p', '{"metadata":{"annotations":{"storageclass.kubernetes.io/is-default-class":"false"}}}']));
  const sc = ok(await b.kubectl(['get', 'sc']));
  assert.match(sc, /^nfs-client \(default\)\s+berth\.dev\/nfs-subdir\s/m, sc);
  assert.match(sc, /^standard\s+berth\.dev\/local-path\s/m, sc);
  assert.doesNotMatch(sc, /^standard \(default\)/m);
  await apply(pvc('def-moved', { cls: null, modes: ['ReadWriteMany'] }));
  assert.equal((await claim('def-moved')).spec.storageClassName, 'nfs-client');
  await boundProvisioned('def-moved');

  // Two defaults: the newest wins, whatever the names (a name tie-break would pick "aaa-...").
  const older = JSON.parse(ok(await b.kubectl(['get', 'sc', 'nfs-client', '-o', 'json'])));
  await apply(storageClass('aaa-older-default', 'berth.dev/nfs-subdir', { metadata: { name: 'aaa-older-default', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } }));
  const aaa = JSON.parse(ok(await b.kubectl(['get', 'sc', 'aaa-older-default', '-o', 'json'])));
  assert.ok(Date.parse(aaa.metadata.creationTimestamp) >= Date.parse(older.metadata.creationTimestamp));
  // creationTimestamp has one-second resolution: the next class must be visibly newer.
  await eventually(async () => Date.now() >= Date.parse(aaa.metadata.creationTimestamp) + 1100, 5_000, 50);
  await apply(storageClass('zzz-newest-default', 'berth.dev/nfs-subdir', { metadata: { name: 'zzz-newest-default', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } }));
  const both = ok(await b.kubectl(['get', 'sc']));
  assert.match(both, /^zzz-newest-default \(default\)\s/m, both);
  assert.match(both, /^aaa-older-default \(default\)\s/m, both);
  await apply(pvc('def-newest', { cls: null, modes: ['ReadWriteMany'] }));
  assert.equal((await claim('def-newest')).spec.storageClassName, 'zzz-newest-default');
});

test('a claim created while no default class existed gets the default that appears later; "" stays ""', async () => {
  for (const name of ['nfs-client', 'aaa-older-default', 'zzz-newest-default', 'standard']) {
    ok(await b.kubectl(['annotate', 'sc', name, '--overwrite', 'storageclass.kubernetes.io/is-default-class=false']));
  }
  assert.doesNotMatch(ok(await b.kubectl(['get', 'sc'])), /\(default\)/);
  await apply(pvc('retro-unset', { cls: null, modes: ['ReadWriteMany'] }), pvc('retro-empty', { cls: '', modes: ['ReadWriteMany'] }));
  const before = await claim('retro-unset');
  assert.equal(before.spec.storageClassName, undefined);
  const out = ok(await b.kubectl(['get', 'pvc', 'retro-unset']));
  assert.match(out, /^retro-unset\s+Pending\s+<unset>\s/m, out);

  await apply(storageClass('late-default', 'berth.dev/nfs-subdir', { metadata: { name: 'late-default', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, parameters: { onDelete: 'delete' } }));
  await eventually(async () => (await claim('retro-unset')).spec.storageClassName === 'late-default');
  // Immediate binding: the claim is provisioned by the class it was given.
  const { uid } = await boundProvisioned('retro-unset');
  const got = ok(await b.kubectl(['get', 'pvc', 'retro-unset']));
  assert.match(got, new RegExp(`^retro-unset\\s+Bound\\s+pvc-${uid}\\s+100Mi\\s+RWX\\s+late-default\\s`, 'm'), got);
  const empty = await claim('retro-empty');
  assert.equal(empty.spec.storageClassName, '');
  assert.equal(empty.status.phase, 'Pending');
});
