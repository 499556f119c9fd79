// Issue 3, binding: the persistentvolume controller matches claims to volumes as Kubernetes does,
// seen through the real kubectl and the HTTP API (the Kubernetes storage walkthrough, smallest fit,
// access modes, selectors, the beta class annotation, pre-binding, races, and the events users read
// in `kubectl describe pvc`).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth, eventually, ok } from './harness.js';
import type { Berth } from './harness.js';
import { RBD_SOURCE } from './manifests.js';
import { hostPathPv, onNode, persistentVolume, pvc, pvcPath, pvPath, storageClient } from './storage-support.js';
import type { PvOptions } from './storage-support.js';

let b: Berth;
const { apply, claim, volume, waitPhase, waitGone, waitDescribe } = storageClient(() => b);
before(async () => {
  b = await startBerth();
});
after(async () => {
  await b?.stop();
});

// ---- helpers ----

/** A hostPath volume of its own under /tmp/berth-e2e-binding. */
const pv = (name: string, opts: PvOptions) => hostPathPv(name, { ...opts, path: `/tmp/berth-e2e-binding/${name}` });

async function allAvailable(...names: string[]): Promise<void> {
  for (const n of names) await waitPhase(pvPath(n), 'Available');
}

// ---- tests ----

test('the Kubernetes storage walkthrough: an operator PV (10Gi, rbd) and a 1Gi claim are both Bound, the claim showing 10Gi', async () => {
  const manifest = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
${RBD_SOURCE}`;
  assert.match(ok(await b.kubectl(['apply', '-f', b.file('pv-volume.yaml', manifest)])), /persistentvolume\/task-pv-volume created/);
  await waitPhase(pvPath('task-pv-volume'), 'Available');
  const available = ok(await b.kubectl(['get', 'pv', 'task-pv-volume']));
  assert.match(available, /^task-pv-volume\s+10Gi\s+RWO\s+Retain\s+Available\s+manual\s/m, available);

  const claimYaml = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 1Gi
`;
  assert.match(ok(await b.kubectl(['apply', '-f', b.file('pv-claim.yaml', claimYaml)])), /persistentvolumeclaim\/task-pv-claim created/);
  await waitPhase(pvcPath('task-pv-claim'), 'Bound');
  await waitPhase(pvPath('task-pv-volume'), 'Bound');

  const out = ok(await b.kubectl(['get', 'pv,pvc']));
  assert.match(out, /^persistentvolume\/task-pv-volume\s+10Gi\s+RWO\s+Retain\s+Bound\s+default\/task-pv-claim\s+manual\s/m, out);
  assert.match(out, /^persistentvolumeclaim\/task-pv-claim\s+Bound\s+task-pv-volume\s+10Gi\s+RWO\s+manual\s/m, out);

  // What the four writes of a bind leave behind.
  const c = await claim('task-pv-claim');
  const v = await volume('task-pv-volume');
  assert.equal(c.spec.volumeName, 'task-pv-volume');
  assert.equal(c.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(c.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.deepEqual(c.status.capacity, { storage: '10Gi' });
  assert.deepEqual(c.status.accessModes, ['ReadWriteOnce']);
  assert.equal(v.spec.claimRef.uid, c.metadata.uid);
  assert.equal(v.spec.claimRef.name, 'task-pv-claim');
  assert.equal(v.spec.claimRef.namespace, 'default');
  assert.equal(v.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.ok(v.status.lastPhaseTransitionTime, 'PV records status.lastPhaseTransitionTime');
  assert.ok(v.spec.rbd, 'the rbd source is kept');

  const d = ok(await b.kubectl(['describe', 'pvc', 'task-pv-claim']));
  assert.match(d, /Status:\s+Bound/);
  assert.match(d, /Volume:\s+task-pv-volume/);
  assert.match(d, /Capacity:\s+10Gi/);
});

test('the smallest volume that fits wins', async () => {
  await apply(
    pv('fit-5g', { size: '5Gi', cls: 'fit' }),
    pv('fit-2g', { size: '2Gi', cls: 'fit' }),
    pv('fit-20g', { size: '20Gi', cls: 'fit' }),
    pv('fit-1g', { size: '1Gi', cls: 'fit' }),
  );
  await allAvailable('fit-5g', 'fit-2g', 'fit-20g', 'fit-1g');
  await apply(pvc('fit-a', { size: '1500Mi', cls: 'fit' }));
  assert.equal((await waitPhase(pvcPath('fit-a'), 'Bound')).spec.volumeName, 'fit-2g');
  await apply(pvc('fit-b', { size: '1500Mi', cls: 'fit' }));
  assert.equal((await waitPhase(pvcPath('fit-b'), 'Bound')).spec.volumeName, 'fit-5g');
  const out = ok(await b.kubectl(['get', 'pvc', 'fit-a', 'fit-b']));
  assert.match(out, /^fit-a\s+Bound\s+fit-2g\s+2Gi\s+RWO\s+fit\s/m, out);
  assert.match(out, /^fit-b\s+Bound\s+fit-5g\s+5Gi\s+RWO\s+fit\s/m, out);
  // 1Gi is too small for 1500Mi: it stays Available.
  assert.equal((await volume('fit-1g')).status.phase, 'Available');
  assert.equal((await volume('fit-20g')).status.phase, 'Available');
});

test('the volume with the fewest access modes is preferred, even over a smaller one', async () => {
  await apply(
    pv('modes-three', { size: '1Gi', cls: 'modes', modes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'] }),
    pv('modes-two', { size: '2Gi', cls: 'modes', modes: ['ReadWriteOnce', 'ReadWriteMany'] }),
    pv('modes-one', { size: '3Gi', cls: 'modes', modes: ['ReadWriteOnce'] }),
  );
  await allAvailable('modes-three', 'modes-two', 'modes-one');
  await apply(pvc('modes-rwo', { size: '1Gi', cls: 'modes', modes: ['ReadWriteOnce'] }));
  assert.equal((await waitPhase(pvcPath('modes-rwo'), 'Bound')).spec.volumeName, 'modes-one');
  await apply(pvc('modes-rwx', { size: '1Gi', cls: 'modes', modes: ['ReadWriteMany'] }));
  assert.equal((await waitPhase(pvcPath('modes-rwx'), 'Bound')).spec.volumeName, 'modes-two');
  await apply(pvc('modes-rox', { size: '1Gi', cls: 'modes', modes: ['ReadOnlyMany'] }));
  const rox = await waitPhase(pvcPath('modes-rox'), 'Bound');
  assert.equal(rox.spec.volumeName, 'modes-three');
  assert.deepEqual(rox.status.accessModes, ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany']);
  const out = ok(await b.kubectl(['get', 'pvc', 'modes-rox']));
  assert.match(out, /^modes-rox\s+Bound\s+modes-three\s+1Gi\s+RWO,ROX,RWX\s+modes\s/m, out);
});

test('a claim selector (matchLabels, matchExpressions) limits the volumes it can bind', async () => {
  await apply(
    pv('sel-slow', { size: '512Mi', cls: 'sel', labels: { tier: 'slow', zone: 'b' } }),
    pv('sel-fast', { size: '1Gi', cls: 'sel', labels: { tier: 'fast', zone: 'a' } }),
    pv('sel-fast-c', { size: '2Gi', cls: 'sel', labels: { tier: 'fast', zone: 'c' } }),
    pv('sel-none', { size: '256Mi', cls: 'sel' }),
  );
  await allAvailable('sel-slow', 'sel-fast', 'sel-fast-c', 'sel-none');
  await apply(pvc('sel-labels', { size: '200Mi', cls: 'sel', selector: { matchLabels: { tier: 'fast' } } }));
  assert.equal((await waitPhase(pvcPath('sel-labels'), 'Bound')).spec.volumeName, 'sel-fast');
  await apply(
    pvc('sel-exprs', {
      size: '200Mi',
      cls: 'sel',
      selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['c', 'd'] }, { key: 'tier', operator: 'NotIn', values: ['slow'] }] },
    }),
  );
  assert.equal((await waitPhase(pvcPath('sel-exprs'), 'Bound')).spec.volumeName, 'sel-fast-c');
  await apply(
    pvc('sel-exists', { size: '200Mi', cls: 'sel', selector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }),
  );
  // sel-none (256Mi) is the smallest fit but has no tier label.
  assert.equal((await waitPhase(pvcPath('sel-exists'), 'Bound')).spec.volumeName, 'sel-slow');
  await apply(
    pvc('sel-absent', { size: '200Mi', cls: 'sel', selector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }),
  );
  assert.equal((await waitPhase(pvcPath('sel-absent'), 'Bound')).spec.volumeName, 'sel-none');
  // Nothing left that matches: a claim for tier=fast stays Pending.
  await apply(pvc('sel-left', { size: '100Mi', cls: 'sel', selector: { matchLabels: { tier: 'fast' } } }));
  await waitDescribe('pvc', 'sel-left', /ProvisioningFailed\s.*storageclass\.storage\.k8s\.io "sel" not found/);
  assert.equal((await claim('sel-left')).status.phase, 'Pending');
  assert.equal((await claim('sel-left')).spec.volumeName, undefined);
});

test('the beta storage-class annotation wins over spec.storageClassName', async () => {
  await apply(pv('beta-gold', { size: '2Gi', cls: 'gold' }), pv('beta-silver', { size: '1Gi', cls: 'silver' }));
  await allAvailable('beta-gold', 'beta-silver');
  await apply(pvc('beta-claim', { size: '1Gi', cls: 'silver', annotations: { 'volume.beta.kubernetes.io/storage-class': 'gold' } }));
  const c = await waitPhase(pvcPath('beta-claim'), 'Bound');
  assert.equal(c.spec.volumeName, 'beta-gold');
  const out = ok(await b.kubectl(['get', 'pvc', 'beta-claim']));
  assert.match(out, /^beta-claim\s+Bound\s+beta-gold\s+2Gi\s+RWO\s+gold\s/m, out);
  assert.equal((await volume('beta-silver')).status.phase, 'Available');
});

test('a volume pre-bound through claimRef without uid wins over a smaller fit', async () => {
  await apply(pv('pre-small', { size: '1Gi', cls: 'pre' }), pv('pre-big', { size: '10Gi', cls: 'pre', claimRef: { namespace: 'default', name: 'pre-claim' } }));
  await allAvailable('pre-small', 'pre-big');
  // A pre-bound volume is not free for any other claim.
  await apply(pvc('pre-other', { size: '5Gi', cls: 'pre' }));
  await waitDescribe('pvc', 'pre-other', /ProvisioningFailed/);
  assert.equal((await claim('pre-other')).status.phase, 'Pending');

  await apply(pvc('pre-claim', { size: '1Gi', cls: 'pre' }));
  const c = await waitPhase(pvcPath('pre-claim'), 'Bound');
  assert.equal(c.spec.volumeName, 'pre-big');
  const v = await waitPhase(pvPath('pre-big'), 'Bound');
  assert.equal(v.spec.claimRef.uid, c.metadata.uid, 'the controller fills in the uid');
  assert.equal(v.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined, 'the user bound the volume, not the controller');
  assert.equal((await volume('pre-small')).status.phase, 'Available');
  assert.equal((await claim('pre-other')).status.phase, 'Pending');
  const out = ok(await b.kubectl(['get', 'pv', 'pre-big']));
  assert.match(out, /^pre-big\s+10Gi\s+RWO\s+Retain\s+Bound\s+default\/pre-claim\s+pre\s/m, out);
});

test('a volume pre-bound through claimRef with the claim uid binds that claim', async () => {
  await apply(pvc('preuid-claim', { size: '1Gi', cls: 'preuid' }));
  await waitDescribe('pvc', 'preuid-claim', /ProvisioningFailed/);
  const uid = (await claim('preuid-claim')).metadata.uid;
  // The pre-bound volume first, then a smaller free one: the pre-binding decides.
  await apply(pv('preuid-big', { size: '8Gi', cls: 'preuid', claimRef: { namespace: 'default', name: 'preuid-claim', uid } }));
  await apply(pv('preuid-small', { size: '1Gi', cls: 'preuid' }));
  const c = await waitPhase(pvcPath('preuid-claim'), 'Bound');
  assert.equal(c.spec.volumeName, 'preuid-big');
  assert.equal((await waitPhase(pvPath('preuid-big'), 'Bound')).spec.claimRef.uid, uid);
  assert.equal((await waitPhase(pvPath('preuid-small'), 'Available')).spec.claimRef, undefined);
});

test('a claim pre-bound through spec.volumeName gets that volume over a smaller fit', async () => {
  await apply(pv('vn-small', { size: '1Gi', cls: 'vn' }), pv('vn-big', { size: '10Gi', cls: 'vn' }));
  await allAvailable('vn-small', 'vn-big');
  await apply(pvc('vn-claim', { size: '1Gi', cls: 'vn', volumeName: 'vn-big' }));
  const c = await waitPhase(pvcPath('vn-claim'), 'Bound');
  assert.equal(c.spec.volumeName, 'vn-big');
  assert.equal(c.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(c.metadata.annotations['pv.kubernetes.io/bound-by-controller'], undefined, 'the user named the volume');
  const v = await waitPhase(pvPath('vn-big'), 'Bound');
  assert.equal(v.spec.claimRef.uid, c.metadata.uid);
  assert.equal(v.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal((await volume('vn-small')).status.phase, 'Available');
  // A claim naming a volume of another class does not bind it.
  await apply(pv('vn-other', { size: '1Gi', cls: 'vn-elsewhere' }));
  await apply(pvc('vn-mismatch', { size: '1Gi', cls: 'vn', volumeName: 'vn-other' }));
  await waitDescribe('pvc', 'vn-mismatch', /VolumeMismatch\s.*Cannot bind to requested volume "vn-other": storageClassName does not match/);
  assert.equal((await claim('vn-mismatch')).status.phase, 'Pending');
  assert.equal((await waitPhase(pvPath('vn-other'), 'Available')).spec.claimRef, undefined);
});

test('a claimRef naming another claim uid never binds: the volume is Released and a bigger free volume is used instead', async () => {
  await apply(pvc('wr-claim', { size: '1Gi', cls: 'wr-none' }));
  const oldUid = (await claim('wr-claim')).metadata.uid;
  ok(await b.kubectl(['delete', 'pvc', 'wr-claim']));
  await waitGone(pvcPath('wr-claim'), 10_000);

  // Pre-bound to the deleted claim's uid.
  await apply(pv('wr-stale', { size: '1Gi', cls: 'wr', claimRef: { namespace: 'default', name: 'wr-claim', uid: oldUid } }));
  const stale = await waitPhase(pvPath('wr-stale'), 'Released');
  assert.equal(stale.spec.claimRef.uid, oldUid);
  await apply(pvc('wr-claim', { size: '1Gi', cls: 'wr' }));
  const newUid = (await claim('wr-claim')).metadata.uid;
  assert.notEqual(newUid, oldUid);
  await waitDescribe('pvc', 'wr-claim', /ProvisioningFailed\s.*"wr" not found/);
  // A bigger free volume appears: the claim takes it, not the smaller stale one.
  await apply(pv('wr-free', { size: '5Gi', cls: 'wr' }));
  const c = await waitPhase(pvcPath('wr-claim'), 'Bound');
  assert.equal(c.spec.volumeName, 'wr-free');
  const after = await volume('wr-stale');
  assert.equal(after.status.phase, 'Released');
  assert.equal(after.spec.claimRef.uid, oldUid);

  // Also when the uid names a claim that exists under another name.
  await apply(pvc('wr-someone', { size: '1Gi', cls: 'wr-none' }));
  const someone = (await claim('wr-someone')).metadata.uid;
  await apply(pv('wr-foreign', { size: '1Gi', cls: 'wr2', claimRef: { namespace: 'default', name: 'wr-target', uid: someone } }));
  await apply(pvc('wr-target', { size: '1Gi', cls: 'wr2' }));
  await waitDescribe('pvc', 'wr-target', /ProvisioningFailed/);
  await apply(pv('wr2-free', { size: '3Gi', cls: 'wr2' }));
  assert.equal((await waitPhase(pvcPath('wr-target'), 'Bound')).spec.volumeName, 'wr2-free');
  const foreign = await volume('wr-foreign');
  assert.notEqual(foreign.status.phase, 'Bound');
  assert.equal(foreign.spec.claimRef.uid, someone);
});

test('many claims racing for one volume: exactly one is Bound', async () => {
  await apply(pv('race-pv', { size: '1Gi', cls: 'race' }));
  await waitPhase(pvPath('race-pv'), 'Available');
  const names = Array.from({ length: 25 }, (_, i) => `race-${i}`);
  const created = await Promise.all(names.map((n) => b.http('POST', '/api/v1/namespaces/default/persistentvolumeclaims', pvc(n, { size: '1Gi', cls: 'race' }))));
  for (const r of created) assert.equal(r.status, 201, r.text);
  const v = await waitPhase(pvPath('race-pv'), 'Bound');
  const winner = v.spec.claimRef.name;
  await waitPhase(pvcPath(winner), 'Bound');
  // Let every claim be looked at (each gets an event once it finds nothing), then count.
  for (const n of names.filter((n) => n !== winner)) await waitDescribe('pvc', n, /ProvisioningFailed/);
  const list = (await b.http('GET', '/api/v1/namespaces/default/persistentvolumeclaims')).body.items.filter((c: any) => names.includes(c.metadata.name));
  const bound = list.filter((c: any) => c.status?.phase === 'Bound' || c.spec.volumeName);
  assert.equal(bound.length, 1, `bound: ${bound.map((c: any) => c.metadata.name)}`);
  assert.equal(bound[0].metadata.name, winner);
  assert.equal(bound[0].metadata.uid, v.spec.claimRef.uid);
  const out = ok(await b.kubectl(['get', 'pvc']));
  assert.equal(out.split('\n').filter((l) => /^race-\d+\s+Bound\s+race-pv\s/.test(l)).length, 1, out);
  assert.equal(out.split('\n').filter((l) => /^race-\d+\s+Pending\s/.test(l)).length, names.length - 1, out);
});

test('kubectl describe pvc shows why a claim waits: FailedBinding, ProvisioningFailed, WaitForFirstConsumer', async () => {
  await apply(
    pvc('ev-noclass', { size: '100Gi', cls: '' }),
    pvc('ev-missing', { size: '1Gi', cls: 'does-not-exist' }),
    pvc('ev-standard', { size: '1Gi', cls: 'standard' }),
  );
  const noclass = await waitDescribe('pvc', 'ev-noclass', /FailedBinding/);
  assert.match(noclass, /Normal\s+FailedBinding\s+.*persistentvolume-controller\s+no persistent volumes available for this claim and no storage class is set/);
  assert.match(noclass, /StorageClass:\s*\n/);
  assert.match(noclass, /Status:\s+Pending/);
  const missing = await waitDescribe('pvc', 'ev-missing', /ProvisioningFailed/);
  assert.match(missing, /Warning\s+ProvisioningFailed\s+.*persistentvolume-controller\s+storageclass\.storage\.k8s\.io "does-not-exist" not found/);
  const wffc = await waitDescribe('pvc', 'ev-standard', /WaitForFirstConsumer/);
  assert.match(wffc, /Normal\s+WaitForFirstConsumer\s+.*persistentvolume-controller\s+waiting for first consumer to be created before binding/);
  const out = ok(await b.kubectl(['get', 'pvc', 'ev-noclass', 'ev-missing', 'ev-standard']));
  assert.match(out, /^ev-missing\s+Pending\s+does-not-exist\s/m, out);
  assert.match(out, /^ev-standard\s+Pending\s+standard\s/m, out);
  assert.match(out, /^ev-noclass\s+Pending\s+<unset>\s/m, out);
  // The event also reaches the events API with the claim as involvedObject.
  const events = (await b.http('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dev-noclass')).body.items;
  assert.ok(events.some((e: any) => e.reason === 'FailedBinding' && e.involvedObject.kind === 'PersistentVolumeClaim' && e.source?.component === 'persistentvolume-controller'), JSON.stringify(events));
});

test('a class "" claim binds only volumes without a class; an unset class is not the same', async () => {
  await apply(pv('empty-class', { size: '1Gi', cls: '' }));
  await waitPhase(pvPath('empty-class'), 'Available');
  await apply(pvc('empty-claim', { size: '1Gi', cls: '' }));
  assert.equal((await waitPhase(pvcPath('empty-claim'), 'Bound')).spec.volumeName, 'empty-class');
  // A claim with no class at all gets the default class (standard, WaitForFirstConsumer) instead.
  await apply(pv('empty-class-2', { size: '1Gi' }));
  await waitPhase(pvPath('empty-class-2'), 'Available');
  await apply(pvc('unset-claim', { size: '1Gi', cls: null }));
  const c = await claim('unset-claim');
  assert.equal(c.spec.storageClassName, 'standard');
  await waitDescribe('pvc', 'unset-claim', /WaitForFirstConsumer/);
  assert.equal((await claim('unset-claim')).status.phase, 'Pending');
  assert.equal((await volume('empty-class-2')).status.phase, 'Available');
});

test('volume mode must match: a Block claim gets a Block volume, a Filesystem claim never does', async () => {
  const block = persistentVolume('vm-block', { volumeMode: 'Block', local: { path: '/dev/berth-e2e-block' }, nodeAffinity: onNode('node-1') }, { size: '1Gi', cls: 'vm' });
  await apply(block, pv('vm-fs', { size: '2Gi', cls: 'vm' }));
  await allAvailable('vm-block', 'vm-fs');
  await apply(pvc('vm-fs-claim', { size: '1Gi', cls: 'vm' }));
  const fs = await waitPhase(pvcPath('vm-fs-claim'), 'Bound');
  assert.equal(fs.spec.volumeName, 'vm-fs', 'the smaller Block volume is not a fit for a Filesystem claim');
  const blockClaim = pvc('vm-block-claim', { size: '1Gi', cls: 'vm' });
  blockClaim.spec.volumeMode = 'Block';
  await apply(blockClaim);
  assert.equal((await waitPhase(pvcPath('vm-block-claim'), 'Bound')).spec.volumeName, 'vm-block');
  const out = ok(await b.kubectl(['get', 'pvc', 'vm-block-claim', '-o', 'wide']));
  assert.match(out, /^vm-block-claim\s+Bound\s+vm-block\s+1Gi\s+RWO\s+vm\s+\S+\s+\S+\s+Block/m, out);
});

test('a binding interrupted by a killed control plane completes after restart, one volume per claim', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-crash-'));
  try {
    let c = await startBerth({ dataDir: dir });
    const n = 200;
    const post = async (path: string, bodies: object[]) => {
      for (let i = 0; i < bodies.length; i += 50) {
        const rs = await Promise.all(bodies.slice(i, i + 50).map((body) => c.http('POST', path, body)));
        for (const r of rs) assert.equal(r.status, 201, r.text);
      }
    };
    await post('/api/v1/persistentvolumes', Array.from({ length: n }, (_, i) => pv(`crash-pv-${i}`, { size: `${1 + (i % 7)}Gi`, cls: 'crash' })));
    // Claims arrive while the controller binds: the control plane is killed mid-way.
    const claims = Array.from({ length: n }, (_, i) => pvc(`crash-${i}`, { size: '1Gi', cls: 'crash' }));
    // (Requests cut off by the kill fail: handled here, the claims are created again below.)
    const creating = post('/api/v1/namespaces/default/persistentvolumeclaims', claims).catch(() => undefined);
    let atKill = '';
    await eventually(async () => {
      const list = (await c.http('GET', '/api/v1/namespaces/default/persistentvolumeclaims')).body.items;
      atKill = `${list.filter((x: any) => x.status?.phase === 'Bound').length} of ${list.length} claims Bound`;
      return list.some((x: any) => x.status?.phase === 'Bound');
    }, 20_000, 10);
    await c.stop('SIGKILL');
    t.diagnostic(`killed with ${atKill} (${n} to create)`);
    await creating;

    c = await startBerth({ dataDir: dir });
    // Claims the killed server never acknowledged are created now.
    for (let i = 0; i < claims.length; i += 50) {
      const rs = await Promise.all(claims.slice(i, i + 50).map((body) => c.http('POST', '/api/v1/namespaces/default/persistentvolumeclaims', body)));
      for (const r of rs) assert.ok(r.status === 201 || r.status === 409, r.text);
    }
    let list: any[] = [];
    await eventually(async () => {
      list = (await c.http('GET', '/api/v1/namespaces/default/persistentvolumeclaims')).body.items;
      return list.length === n && list.every((x: any) => x.status?.phase === 'Bound');
    }, 30_000, 200).catch((e) => {
      throw new Error(`not all Bound: ${list.filter((x) => x.status?.phase !== 'Bound').map((x) => x.metadata.name).slice(0, 10)}\n${e}`);
    });
    const volumes: any[] = (await c.http('GET', '/api/v1/persistentvolumes')).body.items.filter((v: any) => v.metadata.name.startsWith('crash-pv-'));
    const byName = new Map(volumes.map((v) => [v.metadata.name, v]));
    const used = new Set<string>();
    for (const x of list) {
      const v = byName.get(x.spec.volumeName);
      assert.ok(v, `${x.metadata.name} is bound to ${x.spec.volumeName}`);
      assert.ok(!used.has(x.spec.volumeName), `${x.spec.volumeName} is bound to two claims`);
      used.add(x.spec.volumeName);
      assert.equal(v.spec.claimRef.uid, x.metadata.uid, `${v.metadata.name} points back at ${x.metadata.name}`);
      assert.equal(v.status.phase, 'Bound');
      assert.equal(x.status.capacity.storage, v.spec.capacity.storage);
    }
    // Every 1Gi claim got a volume; the 1Gi volumes went first (smallest fit) as far as they lasted.
    assert.equal(used.size, n);
    await c.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
