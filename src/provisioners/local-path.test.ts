import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { LocalPathProvisioner } from './local-path.js';

function setup(t: { after(fn: () => void): void }) {
  const root = mkdtempSync(join(tmpdir(), 'berth-local-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const basePath = join(root, 'local');
  return { root, basePath, p: new LocalPathProvisioner({ basePath }) };
}

const claim: KObject = {
  metadata: { name: 'data', namespace: 'default', uid: 'u1' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
};
const klass = (parameters?: Record<string, string>): KObject => ({ metadata: { name: 'local' }, provisioner: 'berth.dev/local-path', parameters });
const node = (name: string, labels?: Record<string, string>): KObject => ({ metadata: { name, labels } });
const affinity = (value: string) => ({
  required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [value] }] }] },
});

test('provision() creates <basePath>/<node>/<pvName>_<namespace>_<pvcName> with node affinity on the hostname', async (t) => {
  const { p, basePath } = setup(t);
  const v = await p.provision({ claim, storageClass: klass(), pvName: 'pvc-u1', selectedNode: node('n1') });
  const path = join(basePath, 'n1', 'pvc-u1_default_data');
  assert.deepEqual(v, { source: { local: { path } }, nodeAffinity: affinity('n1') });
  assert.equal(statSync(path).mode & 0o777, 0o777);
});

test('provision() uses the node\'s kubernetes.io/hostname label when it differs from the name (upstream)', async (t) => {
  const { p } = setup(t);
  const v = await p.provision({ claim, storageClass: klass(), pvName: 'pvc-u1', selectedNode: node('n1', { 'kubernetes.io/hostname': 'host-1' }) });
  assert.deepEqual(v.nodeAffinity, affinity('host-1'));
});

test('provision() keeps volumes of different nodes apart, also under an explicit basePath', async (t) => {
  const { p, root } = setup(t);
  const base = join(root, 'disks');
  const a = await p.provision({ claim, storageClass: klass({ basePath: base, pathPattern: '${namespace}/${pvcName}' }), pvName: 'pvc-u1', selectedNode: node('n1') });
  const b = await p.provision({ claim, storageClass: klass({ basePath: base, pathPattern: '${namespace}/${pvcName}' }), pvName: 'pvc-u1', selectedNode: node('n2') });
  assert.deepEqual(a.source, { local: { path: join(base, 'n1', 'default', 'data') } });
  assert.deepEqual(b.source, { local: { path: join(base, 'n2', 'default', 'data') } });
});

test('provision() without a selected node fails with a clear message', async (t) => {
  const { p, basePath } = setup(t);
  await assert.rejects(p.provision({ claim, storageClass: klass(), pvName: 'pvc-u1' }), /no node was specified.*needs volumeBindingMode WaitForFirstConsumer/);
  assert.ok(!existsSync(basePath));
});

test('provision() rejects unknown parameters, escaping patterns, shared access modes and selectors', async (t) => {
  const { p, basePath } = setup(t);
  const n = node('n1');
  await assert.rejects(p.provision({ claim, storageClass: klass({ nodePath: '/x' }), pvName: 'v', selectedNode: n }), /parameter "nodePath" is not supported by berth\.dev\/local-path \(supported: basePath, pathPattern\)/);
  await assert.rejects(p.provision({ claim, storageClass: klass({ pathPattern: '${pvName}/../..' }), pvName: 'v', selectedNode: n }), /would escape/);
  await assert.rejects(p.provision({ claim, storageClass: klass({ basePath: 'rel' }), pvName: 'v', selectedNode: n }), /basePath must be an absolute path/);
  const rwx = { ...claim, spec: { ...claim.spec, accessModes: ['ReadWriteMany'] } };
  await assert.rejects(p.provision({ claim: rwx, storageClass: klass(), pvName: 'v', selectedNode: n }), /only supports ReadWriteOnce and ReadWriteOncePod/);
  assert.ok(!existsSync(basePath));
});

test('delete() removes the directory, is idempotent, and refuses paths outside the base directory', async (t) => {
  const { p, basePath, root } = setup(t);
  const path = join(basePath, 'n1', 'pvc-u1_default_data');
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'f'), 'x');
  const pv = { metadata: { name: 'pvc-u1' }, spec: { storageClassName: 'local', local: { path } } };
  await p.delete(pv, klass());
  assert.ok(!existsSync(path));
  await p.delete(pv, klass());
  await p.delete(pv, undefined);
  mkdirSync(join(root, 'keep'));
  await assert.rejects(p.delete({ metadata: { name: 'x' }, spec: { local: { path: join(root, 'keep') } } }, klass()), /is not inside/);
  await assert.rejects(p.delete({ metadata: { name: 'x' }, spec: { local: { path: basePath } } }, klass()), /is not inside/);
  assert.ok(existsSync(join(root, 'keep')));
});
