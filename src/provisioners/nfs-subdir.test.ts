import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { NfsSubdirProvisioner, parseGoBool } from './nfs-subdir.js';

function setup(t: { after(fn: () => void): void }) {
  const root = mkdtempSync(join(tmpdir(), 'berth-nfs-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const exportPath = join(root, 'export');
  return { root, exportPath, p: new NfsSubdirProvisioner({ exportPath, server: '127.0.0.1' }) };
}

const claim: KObject = {
  metadata: { name: 'data', namespace: 'default', uid: 'u1', labels: { app: 'db' }, annotations: {} },
  spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
};
const klass = (parameters?: Record<string, string>): KObject => ({ metadata: { name: 'nfs' }, provisioner: 'berth.dev/nfs-subdir', parameters });
const pvOf = (path: string): KObject => ({ metadata: { name: 'pvc-u1' }, spec: { storageClassName: 'nfs', nfs: { server: '127.0.0.1', path } } });

test('provision() creates <export>/<namespace>-<pvcName>-<pvName> with mode 0777 and returns an nfs source', async (t) => {
  const { p, exportPath } = setup(t);
  const v = await p.provision({ claim, storageClass: klass(), pvName: 'pvc-u1' });
  const path = join(exportPath, 'default-data-pvc-u1');
  assert.deepEqual(v, { source: { nfs: { server: '127.0.0.1', path } } });
  assert.equal(statSync(path).mode & 0o777, 0o777);
});

test('provision() is idempotent: an existing directory (a retry after a restart) is reused', async (t) => {
  const { p, exportPath } = setup(t);
  const first = await p.provision({ claim, storageClass: klass(), pvName: 'pvc-u1' });
  writeFileSync(join(exportPath, 'default-data-pvc-u1', 'kept'), 'x');
  const again = await p.provision({ claim, storageClass: klass(), pvName: 'pvc-u1' });
  assert.deepEqual(again, first);
  assert.ok(existsSync(join(exportPath, 'default-data-pvc-u1', 'kept')));
});

test('provision() honours exportPath, server and a nested pathPattern', async (t) => {
  const { p, root } = setup(t);
  const other = join(root, 'other');
  const v = await p.provision({ claim, storageClass: klass({ exportPath: other, server: 'nfs.local', pathPattern: '${.PVC.namespace}/${.PVC.labels.app}' }), pvName: 'pvc-u1' });
  assert.deepEqual(v.source, { nfs: { server: 'nfs.local', path: join(other, 'default', 'db') } });
  assert.ok(statSync(join(other, 'default', 'db')).isDirectory());
});

test('provision() rejects unknown parameters, bad values and escaping patterns by name, creating nothing', async (t) => {
  const { p, exportPath } = setup(t);
  const pv = 'pvc-u1';
  await assert.rejects(p.provision({ claim, storageClass: klass({ archiveOnDelet: 'false' }), pvName: pv }), /parameter "archiveOnDelet" is not supported by berth\.dev\/nfs-subdir/);
  await assert.rejects(p.provision({ claim, storageClass: klass({ onDelete: 'archive' }), pvName: pv }), /onDelete must be "delete" or "retain"/);
  await assert.rejects(p.provision({ claim, storageClass: klass({ archiveOnDelete: 'yes' }), pvName: pv }), /archiveOnDelete: strconv\.ParseBool: parsing "yes": invalid syntax/);
  await assert.rejects(p.provision({ claim, storageClass: klass({ exportPath: 'relative' }), pvName: pv }), /exportPath must be an absolute path/);
  await assert.rejects(p.provision({ claim, storageClass: klass({ pathPattern: '../${pvName}' }), pvName: pv }), /would escape/);
  await assert.rejects(p.provision({ claim: { ...claim, spec: { ...claim.spec, selector: {} } }, storageClass: klass(), pvName: pv }), /claim Selector is not supported/);
  assert.ok(!existsSync(exportPath));
});

test('delete() archives by default, picking a free archived- name when one is taken', async (t) => {
  const { p, exportPath } = setup(t);
  const path = join(exportPath, 'default-data-pvc-u1');
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'f'), 'data');
  mkdirSync(join(exportPath, 'archived-default-data-pvc-u1', 'old'), { recursive: true });
  await p.delete(pvOf(path), klass());
  assert.ok(!existsSync(path));
  assert.ok(existsSync(join(exportPath, 'archived-default-data-pvc-u1', 'old')));
  assert.ok(existsSync(join(exportPath, 'archived-default-data-pvc-u1-1', 'f')));
});

test('delete() removes with archiveOnDelete "false" or onDelete delete, and keeps with onDelete retain (which wins)', async (t) => {
  const { p, exportPath } = setup(t);
  const path = join(exportPath, 'd');
  mkdirSync(path, { recursive: true });
  await p.delete(pvOf(path), klass({ onDelete: 'retain', archiveOnDelete: 'false' }));
  assert.deepEqual(readdirSync(exportPath), ['d']);
  await p.delete(pvOf(path), klass({ archiveOnDelete: 'false' }));
  assert.deepEqual(readdirSync(exportPath), []);
  mkdirSync(path);
  await p.delete(pvOf(path), klass({ onDelete: 'delete', archiveOnDelete: 'true' }));
  assert.deepEqual(readdirSync(exportPath), []);
});

test('delete() of an unused volume removes it whatever the policy', async (t) => {
  const { p, exportPath } = setup(t);
  const path = join(exportPath, 'd');
  mkdirSync(path, { recursive: true });
  await p.delete(pvOf(path), klass({ onDelete: 'retain' }), { unused: true });
  assert.deepEqual(readdirSync(exportPath), []);
});

test('delete() is idempotent and refuses paths outside the export directory', async (t) => {
  const { p, exportPath, root } = setup(t);
  await p.delete(pvOf(join(exportPath, 'gone')), klass());
  await p.delete(pvOf(join(exportPath, 'gone')), undefined);
  mkdirSync(join(root, 'outside'));
  await assert.rejects(p.delete(pvOf(join(root, 'outside')), klass()), /is not inside/);
  await assert.rejects(p.delete(pvOf(exportPath), klass()), /is not inside/);
  await assert.rejects(p.delete(pvOf(join(exportPath, '..', 'outside')), klass()), /is not inside/);
  assert.ok(existsSync(join(root, 'outside')));
});

test('delete() of a volume whose class is gone fails (upstream needs the class to choose the policy)', async (t) => {
  const { p, exportPath } = setup(t);
  const path = join(exportPath, 'd');
  mkdirSync(path, { recursive: true });
  await assert.rejects(p.delete(pvOf(path), undefined), /StorageClass "nfs" of volume pvc-u1 not found/);
  assert.ok(existsSync(path));
});

test('parseGoBool() accepts what strconv.ParseBool accepts', () => {
  for (const s of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(s), true);
  for (const s of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(s), false);
  assert.throws(() => parseGoBool('tRUE'), /invalid syntax/);
});
