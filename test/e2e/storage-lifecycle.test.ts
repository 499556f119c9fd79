// Issue 3, a volume's life after binding, as a user sees it with the real kubectl: reclaim
// (Retain, Recycle, Delete — idempotent), kubernetes.io/pvc-protection and kubernetes.io/pv-protection,
// and expansion (Forbidden without allowVolumeExpansion, growing a berth directory volume, never
// shrinking, never an unbound claim).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBerth, eventually, ok } from './harness.js';
import type { Berth } from './harness.js';
import { hostPathPv, isDir, node, persistentVolume, pvc, pvcPath, pvPath, storageClass, storageClient } from './storage-support.js';

let b: Berth;
const { apply, getObj, claim, volume, waitPhase, waitGone, waitDescribe, boundProvisioned } = storageClient(() => b);
const scratch: string[] = [];
before(async () => {
  b = await startBerth();
  await apply(
    node('node-1'),
    storageClass('nfs-delete', 'berth.dev/nfs-subdir', { parameters: { onDelete: 'delete' } }),
    storageClass('nfs-fixed', 'berth.dev/nfs-subdir', { parameters: { onDelete: 'delete' } }),
    storageClass('nfs-grow', 'berth.dev/nfs-subdir', { parameters: { onDelete: 'delete' }, allowVolumeExpansion: true }),
  );
});
after(async () => {
  await b?.stop();
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

// ---- helpers ----

/** A pod using the claim: bound to nodeName, or left unscheduled (no scheduler of that name runs). */
function pod(name: string, claimName: string, nodeName?: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      ...(nodeName ? { nodeName } : { schedulerName: 'nobody' }),
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
    },
  };
}

/** A directory under /tmp (Kubernetes' hostPath deleter only accepts /tmp/.+). */
function tmpDir(prefix: string): string {
  const d = mkdtempSync(join('/tmp', `berth-e2e-${prefix}-`));
  scratch.push(d);
  return d;
}

/** An operator hostPath volume at opts.path, once Available, and a claim of its class, once Bound: returns the claim. */
async function claimHostPath(pvName: string, claimName: string, opts: { cls: string; path: string; policy: string }): Promise<any> {
  await apply(hostPathPv(pvName, opts));
  await waitPhase(pvPath(pvName), 'Available');
  await apply(pvc(claimName, { cls: opts.cls }));
  return waitPhase(pvcPath(claimName), 'Bound');
}

function row(out: string, name: string): string {
  return out.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
}

// ---- reclaim ----

test('Retain: the volume is Released with its claimRef and data kept, binds no new claim, and is Available again once its claimRef is removed', async () => {
  const dir = tmpDir('retain');
  writeFileSync(join(dir, 'keep.txt'), 'precious');
  const first = await claimHostPath('retain-pv', 'retain-1', { cls: 'keep', path: dir, policy: 'Retain' });
  assert.equal(first.spec.volumeName, 'retain-pv');

  ok(await b.kubectl(['delete', 'pvc', 'retain-1']));
  const released = await waitPhase(pvPath('retain-pv'), 'Released');
  assert.equal(released.spec.claimRef.name, 'retain-1');
  assert.equal(released.spec.claimRef.uid, first.metadata.uid);
  const out = ok(await b.kubectl(['get', 'pv', 'retain-pv']));
  assert.match(out, /^retain-pv\s+1Gi\s+RWO\s+Retain\s+Released\s+default\/retain-1\s+keep\s/m, out);
  assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'precious');

  // A new claim of the class (even of the same name) does not get the released volume.
  await apply(pvc('retain-1', { cls: 'keep' }));
  await waitDescribe('pvc', 'retain-1', /ProvisioningFailed\s+.*storageclass\.storage\.k8s\.io "keep" not found/);
  assert.equal((await claim('retain-1')).status.phase, 'Pending');
  assert.equal((await volume('retain-pv')).status.phase, 'Released');
  ok(await b.kubectl(['delete', 'pvc', 'retain-1']));
  await waitGone(pvcPath('retain-1'));

  // The administrator frees it.
  assert.match(ok(await b.kubectl(['patch', 'pv', 'retain-pv', '--type', 'json', '-p', '[{"op":"remove","path":"/spec/claimRef"}]'])), /persistentvolume\/retain-pv patched/);
  await waitPhase(pvPath('retain-pv'), 'Available');
  assert.match(ok(await b.kubectl(['get', 'pv', 'retain-pv'])), /^retain-pv\s+1Gi\s+RWO\s+Retain\s+Available\s+keep\s/m);
  await apply(pvc('retain-2', { cls: 'keep' }));
  assert.equal((await waitPhase(pvcPath('retain-2'), 'Bound')).spec.volumeName, 'retain-pv');
  assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'precious');
});

test('Recycle: the directory is scrubbed and the volume is Available again for the next claim', async () => {
  const dir = tmpDir('recycle');
  writeFileSync(join(dir, 'a.txt'), 'a');
  mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(dir, 'sub', 'deeper', 'b.txt'), 'b');
  writeFileSync(join(dir, '.hidden'), 'h');
  assert.equal((await claimHostPath('recycle-pv', 'recycle-1', { cls: 'recycle', path: dir, policy: 'Recycle' })).spec.volumeName, 'recycle-pv');
  ok(await b.kubectl(['delete', 'pvc', 'recycle-1']));
  const v = await waitPhase(pvPath('recycle-pv'), 'Available');
  assert.equal(v.spec.claimRef, undefined);
  assert.ok(isDir(dir), 'the directory itself stays');
  assert.deepEqual(readdirSync(dir), [], 'its contents are scrubbed');
  await waitDescribe('pv', 'recycle-pv', /Normal\s+VolumeRecycled\s+.*persistentvolume-controller\s+Volume recycled/);
  await apply(pvc('recycle-2', { cls: 'recycle' }));
  assert.equal((await waitPhase(pvcPath('recycle-2'), 'Bound')).spec.volumeName, 'recycle-pv');
});

test('Delete: a provisioned volume goes with its claim, PV object and directory', async () => {
  await apply(pvc('del-1', { cls: 'nfs-delete', modes: ['ReadWriteMany'] }));
  const { pv, uid } = await boundProvisioned('del-1');
  const dir = pv.spec.nfs.path;
  assert.ok(isDir(dir));
  writeFileSync(join(dir, 'x'), 'x');
  ok(await b.kubectl(['delete', 'pvc', 'del-1']));
  await waitGone(pvPath(`pvc-${uid}`));
  await eventually(async () => !existsSync(dir));
  const r = await b.kubectl(['get', 'pv', `pvc-${uid}`]);
  assert.match(r.stderr, /persistentvolumes "pvc-[0-9a-f-]+" not found/);
});

test('Delete is idempotent: a directory already removed by hand still ends with the PV gone, never Failed', async () => {
  await apply(pvc('del-2', { cls: 'nfs-delete', modes: ['ReadWriteMany'] }));
  const { pv, uid } = await boundProvisioned('del-2');
  rmSync(pv.spec.nfs.path, { recursive: true, force: true });
  ok(await b.kubectl(['delete', 'pvc', 'del-2', '--wait=false']));
  const phases = new Set<string>();
  await eventually(async () => {
    const v = await getObj(pvPath(`pvc-${uid}`));
    if (v?.status?.phase) phases.add(v.status.phase);
    return v === undefined;
  }, 15_000, 20);
  assert.ok(!phases.has('Failed'), `phases seen: ${[...phases]}`);
  const events = (await b.http('GET', `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dpvc-${uid}`)).body.items;
  assert.ok(!events.some((e: any) => e.reason === 'VolumeFailedDelete'), JSON.stringify(events));
});

test('Delete of an operator hostPath volume under /tmp removes the directory; a volume without a deleter is Failed with VolumeFailedDelete', async () => {
  const dir = tmpDir('hp-delete');
  writeFileSync(join(dir, 'x'), 'x');
  await claimHostPath('hp-del-pv', 'hp-del', { cls: 'hpdel', path: dir, policy: 'Delete' });
  ok(await b.kubectl(['delete', 'pvc', 'hp-del']));
  await waitGone(pvPath('hp-del-pv'));
  assert.ok(!existsSync(dir));

  await apply(persistentVolume('rbd-del-pv', { rbd: { monitors: ['10.16.154.78:6789'], image: 'foo' } }, { cls: 'rbddel', policy: 'Delete' }));
  await waitPhase(pvPath('rbd-del-pv'), 'Available');
  await apply(pvc('rbd-del', { cls: 'rbddel' }));
  await waitPhase(pvcPath('rbd-del'), 'Bound');
  ok(await b.kubectl(['delete', 'pvc', 'rbd-del']));
  await waitPhase(pvPath('rbd-del-pv'), 'Failed');
  const out = ok(await b.kubectl(['get', 'pv', 'rbd-del-pv']));
  assert.match(out, /^rbd-del-pv\s+1Gi\s+RWO\s+Delete\s+Failed\s+default\/rbd-del\s+rbddel\s/m, out);
  await waitDescribe('pv', 'rbd-del-pv', /Warning\s+VolumeFailedDelete\s+.*no deletable volume plugin matched/);
});

// ---- protection ----

test('pvc-protection: a claim used by a scheduled pod stays Terminating until the pod is gone', async () => {
  await apply(pvc('prot-used', { cls: 'nfs-delete', modes: ['ReadWriteMany'] }), pvc('prot-free', { cls: 'nfs-delete', modes: ['ReadWriteMany'] }));
  const { uid } = await boundProvisioned('prot-used');
  await boundProvisioned('prot-free');
  const c = await claim('prot-used');
  assert.deepEqual(c.metadata.finalizers, ['kubernetes.io/pvc-protection']);

  // No scheduler or node agent yet: the pod names its node itself and stays Pending.
  await apply(pod('user', 'prot-used', 'node-1'));
  const d = ok(await b.kubectl(['describe', 'pvc', 'prot-used']));
  assert.match(d, /Used By:\s+user/);
  assert.match(d, /Finalizers:\s+\[kubernetes\.io\/pvc-protection\]/);

  ok(await b.kubectl(['delete', 'pvc', 'prot-used', 'prot-free', '--wait=false']));
  // The unused claim goes; once it has, the controller has looked at both.
  await waitGone(pvcPath('prot-free'));
  const held = await claim('prot-used');
  assert.ok(held.metadata.deletionTimestamp);
  assert.deepEqual(held.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const out = ok(await b.kubectl(['get', 'pvc', 'prot-used']));
  assert.match(row(out, 'prot-used'), /^prot-used\s+Terminating\s+pvc-/, out);
  assert.equal((await volume(`pvc-${uid}`)).status.phase, 'Bound', 'the volume stays bound while the claim is in use');

  ok(await b.kubectl(['delete', 'pod', 'user', '--force', '--grace-period', '0']));
  await waitGone(pvcPath('prot-used'));
  await waitGone(pvPath(`pvc-${uid}`));
});

test('pvc-protection follows Kubernetes: a pod that is not scheduled does not hold the claim', async () => {
  await apply(pvc('prot-unsched', { cls: 'nfs-delete', modes: ['ReadWriteMany'] }));
  await boundProvisioned('prot-unsched');
  await apply(pod('waiting', 'prot-unsched'));
  ok(await b.kubectl(['delete', 'pvc', 'prot-unsched', '--wait=false']));
  await waitGone(pvcPath('prot-unsched'));
  ok(await b.kubectl(['delete', 'pod', 'waiting', '--force', '--grace-period', '0']));
});

test('pv-protection: a bound PV stays Terminating until its claim is gone and it is released', async () => {
  const dir = tmpDir('pvprot');
  await apply(hostPathPv('pvprot-pv', { cls: 'pvprot', path: dir, policy: 'Retain' }), hostPathPv('pvprot-free', { cls: 'pvprot-unused', path: dir, policy: 'Retain' }));
  await waitPhase(pvPath('pvprot-free'), 'Available');
  await apply(pvc('pvprot', { cls: 'pvprot' }));
  await waitPhase(pvcPath('pvprot'), 'Bound');
  const v = await waitPhase(pvPath('pvprot-pv'), 'Bound');
  assert.deepEqual(v.metadata.finalizers, ['kubernetes.io/pv-protection']);

  ok(await b.kubectl(['delete', 'pv', 'pvprot-pv', 'pvprot-free', '--wait=false']));
  // The unbound volume goes; once it has, the controller has looked at both.
  await waitGone(pvPath('pvprot-free'));
  const held = await volume('pvprot-pv');
  assert.ok(held.metadata.deletionTimestamp);
  assert.ok(held.metadata.finalizers.includes('kubernetes.io/pv-protection'));
  const out = ok(await b.kubectl(['get', 'pv', 'pvprot-pv']));
  assert.match(row(out, 'pvprot-pv'), /^pvprot-pv\s+1Gi\s+RWO\s+Retain\s+Terminating\s+default\/pvprot\s/, out);
  // The claim still works with its volume.
  assert.equal((await claim('pvprot')).status.phase, 'Bound');

  ok(await b.kubectl(['delete', 'pvc', 'pvprot']));
  await waitGone(pvPath('pvprot-pv'));
  assert.ok(isDir(dir), 'Retain: deleting the PV object leaves the data');
});

test('a Bound claim whose volume is removed anyway (finalizer stripped) is Lost, with a ClaimLost event', async () => {
  const dir = tmpDir('lost');
  await claimHostPath('lost-pv', 'lost', { cls: 'lost', path: dir, policy: 'Retain' });
  ok(await b.kubectl(['delete', 'pv', 'lost-pv', '--wait=false']));
  ok(await b.kubectl(['patch', 'pv', 'lost-pv', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']));
  await waitGone(pvPath('lost-pv'));
  await waitPhase(pvcPath('lost'), 'Lost');
  const out = ok(await b.kubectl(['get', 'pvc', 'lost']));
  assert.match(row(out, 'lost'), /^lost\s+Lost\s+lost-pv\s/, out);
  await waitDescribe('pvc', 'lost', /Warning\s+ClaimLost\s+.*persistentvolume-controller\s+Bound claim has lost its PersistentVolume\. Data on the volume is lost!/);
});

// ---- expansion ----

test('expansion is Forbidden when the class does not allow it', async () => {
  await apply(pvc('fixed', { size: '100Mi', cls: 'nfs-fixed', modes: ['ReadWriteMany'] }));
  const { uid } = await boundProvisioned('fixed');
  const r = await b.kubectl(['patch', 'pvc', 'fixed', '-p', '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}']);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    /Error from server \(Forbidden\): persistentvolumeclaims "fixed" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/,
  );
  const h = await b.http('PATCH', pvcPath('fixed'), { spec: { resources: { requests: { storage: '1Gi' } } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(h.status, 403);
  assert.equal(h.body.reason, 'Forbidden');
  assert.equal((await claim('fixed')).spec.resources.requests.storage, '100Mi');
  assert.equal((await volume(`pvc-${uid}`)).spec.capacity.storage, '100Mi');
});

test('with allowVolumeExpansion, the PV capacity and the claim status.capacity follow the request', async () => {
  await apply(pvc('grow', { size: '100Mi', cls: 'nfs-grow', modes: ['ReadWriteMany'] }));
  const { uid } = await boundProvisioned('grow');
  assert.match(ok(await b.kubectl(['patch', 'pvc', 'grow', '-p', '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}'])), /persistentvolumeclaim\/grow patched/);
  const c = await eventually(async () => {
    const x = await claim('grow');
    return x.status?.capacity?.storage === '1Gi' ? x : undefined;
  }, 15_000);
  assert.equal((await volume(`pvc-${uid}`)).spec.capacity.storage, '1Gi');
  assert.equal(c.metadata.annotations['volume.kubernetes.io/storage-resizer'], 'berth.dev/nfs-subdir');
  assert.deepEqual(c.status.allocatedResources, { storage: '1Gi' });
  assert.ok(!(c.status.conditions ?? []).some((x: any) => x.type === 'Resizing' || x.type === 'FileSystemResizePending'), JSON.stringify(c.status));
  const out = ok(await b.kubectl(['get', 'pvc', 'grow']));
  assert.match(row(out, 'grow'), new RegExp(`^grow\\s+Bound\\s+pvc-${uid}\\s+1Gi\\s+RWX\\s+nfs-grow\\s`), out);
  assert.match(ok(await b.kubectl(['get', 'pv', `pvc-${uid}`])), new RegExp(`^pvc-${uid}\\s+1Gi\\s+RWX\\s+Delete\\s+Bound\\s`, 'm'));
  const d = await waitDescribe('pvc', 'grow', /VolumeResizeSuccessful/);
  assert.match(d, /Normal\s+VolumeResizeSuccessful\s+.*Resize volume succeeded/);
  assert.match(d, /Capacity:\s+1Gi/);

  // Shrinking below the capacity is rejected as Kubernetes does.
  const shrink = await b.kubectl(['patch', 'pvc', 'grow', '-p', '{"spec":{"resources":{"requests":{"storage":"500Mi"}}}}']);
  assert.notEqual(shrink.code, 0);
  assert.match(shrink.stderr, /The PersistentVolumeClaim "grow" is invalid: spec\.resources\.requests\.storage: Forbidden: field can not be less than status\.capacity/);
  const h = await b.http('PATCH', pvcPath('grow'), { spec: { resources: { requests: { storage: '100Mi' } } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(h.status, 422);
  assert.equal(h.body.reason, 'Invalid');
  assert.equal((await claim('grow')).spec.resources.requests.storage, '1Gi');
  assert.equal((await volume(`pvc-${uid}`)).spec.capacity.storage, '1Gi');

  // Growing again works the same way.
  ok(await b.kubectl(['patch', 'pvc', 'grow', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']));
  await eventually(async () => (await claim('grow')).status?.capacity?.storage === '2Gi', 15_000);
  assert.equal((await volume(`pvc-${uid}`)).spec.capacity.storage, '2Gi');
});

test('an unbound claim cannot be expanded', async () => {
  await apply(pvc('unbound-grow', { size: '1Gi', cls: 'nfs-grow-missing' }));
  await waitDescribe('pvc', 'unbound-grow', /ProvisioningFailed/);
  const r = await b.kubectl(['patch', 'pvc', 'unbound-grow', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The PersistentVolumeClaim "unbound-grow" is invalid: spec: Forbidden: spec is immutable after creation except resources\.requests/);
  const h = await b.http('PATCH', pvcPath('unbound-grow'), { spec: { resources: { requests: { storage: '2Gi' } } } }, { 'content-type': 'application/merge-patch+json' });
  assert.ok(h.status === 422 || h.status === 403, h.text);
  assert.equal((await claim('unbound-grow')).spec.resources.requests.storage, '1Gi');
});
