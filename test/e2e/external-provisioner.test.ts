// Issue 3, the external-provisioner protocol: a provisioner written for Kubernetes, as a separate
// program using the official JavaScript client (test/e2e/fixtures/external-provisioner.mjs), works
// against berth unchanged. The persistentvolume controller hands the claim over with
// volume.kubernetes.io/storage-provisioner and an ExternalProvisioning event; the program makes a
// hostPath PV `pvc-<uid>` with claimRef pre-set; berth binds it; on release the program (not berth)
// deletes it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth, eventually, ok, REPO } from './harness.js';
import type { Berth } from './harness.js';
import { pvc as claimManifest, pvcPath, pvPath, storageClass, storageClient } from './storage-support.js';

const FIXTURE = join(REPO, 'test', 'e2e', 'fixtures', 'external-provisioner.mjs');
const NAME = 'example.com/hostpath';

let b: Berth;
let baseDir: string;
let provisioner: ChildProcess | undefined;
let provisionerOut = '';
const { apply, getObj, waitPhase, waitGone, waitDescribe } = storageClient(() => b, {
  phaseTimeoutMs: 20_000,
  diagnostics: () => `provisioner:\n${provisionerOut}`,
});

before(async () => {
  b = await startBerth();
  baseDir = mkdtempSync(join(tmpdir(), 'berth-e2e-external-'));
});
after(async () => {
  await stopProvisioner();
  await b?.stop();
  rmSync(baseDir, { recursive: true, force: true });
});

/** Starts the external provisioner as a child process and waits until its informers have synced. */
async function startProvisioner(): Promise<void> {
  const child = spawn(process.execPath, [FIXTURE, baseDir, NAME], {
    env: { ...process.env, KUBECONFIG: b.kubeconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  provisioner = child;
  const from = provisionerOut.length;
  child.stdout!.on('data', (d) => (provisionerOut += d));
  child.stderr!.on('data', (d) => (provisionerOut += d));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`external provisioner exited with ${child.exitCode}:\n${provisionerOut}`);
    return provisionerOut.slice(from).includes(`ready ${NAME}`);
  }, 20_000).catch((e) => {
    throw new Error(`${e}\n${provisionerOut}`);
  });
}

/** Kills the child we started, by its PID, and waits for it to exit. */
async function stopProvisioner(): Promise<void> {
  const child = provisioner;
  provisioner = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A 1Gi ReadWriteOnce claim of class cls. */
const pvc = (name: string, cls: string) => claimManifest(name, { size: '1Gi', cls });

test('a claim of an external provisioner class waits with an ExternalProvisioning event until the provisioner runs, then is Bound to its pvc-<uid>', async () => {
  await apply(storageClass('example-hostpath', NAME, { reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' }));
  assert.match(ok(await b.kubectl(['get', 'sc', 'example-hostpath'])), /^example-hostpath\s+example\.com\/hostpath\s+Delete\s+Immediate\s+false\s/m);
  await apply(pvc('ext-1', 'example-hostpath'));

  // Handed over, nobody provisions yet.
  const waiting = await waitDescribe('pvc', 'ext-1', /ExternalProvisioning/);
  assert.match(
    waiting,
    /Normal\s+ExternalProvisioning\s+.*persistentvolume-controller\s+Waiting for a volume to be created either by the external provisioner 'example\.com\/hostpath' or manually by the system administrator\. If volume creation is delayed, please verify that the provisioner is running and correctly registered\./,
  );
  assert.match(waiting, /Status:\s+Pending/);
  const pending = await getObj(pvcPath('ext-1'));
  assert.equal(pending.metadata.annotations['volume.kubernetes.io/storage-provisioner'], NAME);
  assert.equal(pending.metadata.annotations['volume.beta.kubernetes.io/storage-provisioner'], NAME);
  const uid = pending.metadata.uid;
  const pvName = `pvc-${uid}`;
  assert.equal(await getObj(pvPath(pvName)), undefined);

  await startProvisioner();
  const c = await waitPhase(pvcPath('ext-1'), 'Bound');
  assert.equal(c.spec.volumeName, pvName);
  const pv = await waitPhase(pvPath(pvName), 'Bound');
  assert.equal(pv.metadata.annotations['pv.kubernetes.io/provisioned-by'], NAME);
  assert.equal(pv.spec.claimRef.uid, uid);
  assert.equal(pv.spec.hostPath.path, join(baseDir, pvName));
  assert.ok(existsSync(pv.spec.hostPath.path) && statSync(pv.spec.hostPath.path).isDirectory());
  assert.match(provisionerOut, new RegExp(`provisioned ${pvName} `));

  const out = ok(await b.kubectl(['get', 'pvc', 'ext-1']));
  assert.match(out, new RegExp(`^ext-1\\s+Bound\\s+${pvName}\\s+1Gi\\s+RWO\\s+example-hostpath\\s`, 'm'), out);
  const pvOut = ok(await b.kubectl(['get', 'pv', pvName]));
  assert.match(pvOut, new RegExp(`^${pvName}\\s+1Gi\\s+RWO\\s+Delete\\s+Bound\\s+default/ext-1\\s+example-hostpath\\s`, 'm'), pvOut);
  const d = ok(await b.kubectl(['describe', 'pvc', 'ext-1']));
  assert.match(d, /ExternalProvisioning\s+.*persistentvolume-controller/);
  assert.match(d, new RegExp(`Volume:\\s+${pvName}`));
});

test('a claim created while the provisioner runs is Bound at once; deleting it removes the PV and the directory through the external provisioner', async () => {
  await apply(pvc('ext-2', 'example-hostpath'));
  const c = await waitPhase(pvcPath('ext-2'), 'Bound');
  const pvName = `pvc-${c.metadata.uid}`;
  assert.equal(c.spec.volumeName, pvName);
  const pv = await waitPhase(pvPath(pvName), 'Bound');
  writeFileSync(join(pv.spec.hostPath.path, 'data'), 'x');

  ok(await b.kubectl(['delete', 'pvc', 'ext-2']));
  await waitGone(pvPath(pvName), 20_000);
  assert.match(provisionerOut, new RegExp(`deleted ${pvName}\\n`), 'the external provisioner deleted it');
  assert.ok(!existsSync(pv.spec.hostPath.path));

  // The first claim too.
  const first = await getObj(pvcPath('ext-1'));
  ok(await b.kubectl(['delete', 'pvc', 'ext-1']));
  await waitGone(pvPath(`pvc-${first.metadata.uid}`), 20_000);
  assert.match(provisionerOut, new RegExp(`deleted pvc-${first.metadata.uid}\\n`));
  assert.deepEqual(readdirSync(baseDir), []);
});

test('claims of another provisioner are left alone by it, and berth does not delete its volumes itself', async () => {
  await apply(
    storageClass('other-external', 'example.com/other'),
    pvc('ext-other', 'other-external'),
  );
  await waitDescribe('pvc', 'ext-other', /ExternalProvisioning\s+.*'example\.com\/other'/);
  // A claim of our class created after it is served: by then the provisioner has seen both.
  await apply(pvc('ext-3', 'example-hostpath'));
  await waitPhase(pvcPath('ext-3'), 'Bound');
  const other = await getObj(pvcPath('ext-other'));
  assert.equal(other.status.phase, 'Pending');
  assert.equal(await getObj(pvPath(`pvc-${other.metadata.uid}`)), undefined);

  // With the provisioner stopped, a released volume of its own waits for it (berth's PV controller
  // leaves the volumes of external provisioners to them).
  const c3 = await getObj(pvcPath('ext-3'));
  const pvName = `pvc-${c3.metadata.uid}`;
  await stopProvisioner();
  ok(await b.kubectl(['delete', 'pvc', 'ext-3']));
  const released = await waitPhase(pvPath(pvName), 'Released');
  assert.equal(released.metadata.deletionTimestamp, undefined);
  assert.ok(existsSync(released.spec.hostPath.path));
  // Started again, it finishes the job.
  await startProvisioner();
  await waitGone(pvPath(pvName), 20_000);
  assert.ok(!existsSync(released.spec.hostPath.path));
  // Its list+watch against berth never failed.
  assert.doesNotMatch(provisionerOut, /error/, provisionerOut);
});
