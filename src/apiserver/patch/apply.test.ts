import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverSideApply } from './apply.js';
import { updateManagedFields } from './managed-fields.js';
import type { ManagedFieldsEntry } from './managed-fields.js';
import { podSchema, pvcSchema } from './test-schema.js';
import { isApiError } from '../../api/errors.js';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const T2 = '2025-01-01T00:02:00Z';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const podConfig = (extra: { labels?: Record<string, string>; containers?: unknown[] } = {}) =>
  deepFreeze({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: extra.labels ?? { app: 'web' } },
    spec: { containers: extra.containers ?? [{ name: 'nginx', image: 'nginx:1' }] },
  });

function apply(live: unknown, applied: unknown, opts: { manager?: string; force?: boolean; time?: string; schema?: typeof podSchema } = {}) {
  return serverSideApply({
    live,
    applied,
    manager: opts.manager ?? 'kubectl',
    force: opts.force ?? false,
    schema: opts.schema ?? podSchema,
    time: opts.time ?? T0,
    apiVersion: 'v1',
  });
}

const managersOf = (mf: ManagedFieldsEntry[]) => mf.map((e) => `${e.manager}/${e.operation}`);

test('serverSideApply() creates the object and gives the applier what it applied', () => {
  const { object, managedFields } = apply(undefined, podConfig());
  assert.deepEqual(managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
      },
    },
  ]);
  assert.deepEqual(object, { ...podConfig(), metadata: { ...podConfig().metadata, managedFields } });
});

test('serverSideApply() changes nothing when the same configuration is applied again', () => {
  const first = apply(undefined, podConfig()).object;
  const again = apply(first, podConfig(), { time: T1 });
  assert.deepEqual(again.object, first);
  assert.equal(again.managedFields[0]!.time, T0);
});

test('serverSideApply() ignores metadata.managedFields in the applied configuration', () => {
  const body = { ...podConfig(), metadata: { ...podConfig().metadata, managedFields: [{ manager: 'forged', operation: 'Apply' }] } };
  const { managedFields } = apply(undefined, body);
  assert.deepEqual(managersOf(managedFields), ['kubectl/Apply']);
});

function pvcCreatedByClientSideApply() {
  const obj = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'www-web-0', namespace: 'default', uid: 'u1', resourceVersion: '5' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' },
  };
  const managedFields = updateManagedFields({
    oldObj: undefined,
    newObj: obj,
    manager: 'kubectl-client-side-apply',
    operation: 'Update',
    time: T0,
    schema: pvcSchema,
  });
  return deepFreeze({ ...obj, metadata: { ...obj.metadata, managedFields } });
}

const pvcConfig = (storage: string, storageClassName = 'standard') =>
  deepFreeze({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'www-web-0' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName },
  });

test('serverSideApply() reports a conflict with the manager that owns a changed field', () => {
  assert.throws(
    () => apply(pvcCreatedByClientSideApply(), pvcConfig('2Gi'), { schema: pvcSchema }),
    (err) => {
      assert.ok(isApiError(err));
      assert.deepEqual(err.status, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.resources.requests.storage',
        reason: 'Conflict',
        details: {
          causes: [
            { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.spec.resources.requests.storage' },
          ],
        },
        code: 409,
      });
      return true;
    },
  );
});

test('serverSideApply() lists several conflicts by manager', () => {
  assert.throws(
    () => apply(pvcCreatedByClientSideApply(), pvcConfig('2Gi', 'fast'), { schema: pvcSchema }),
    (err) =>
      isApiError(err) &&
      err.status.message ===
        'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using v1:\n- .spec.resources.requests.storage\n- .spec.storageClassName' &&
      err.status.details?.causes?.length === 2,
  );
});

test('serverSideApply() takes ownership of conflicting fields when forced', () => {
  const live = pvcCreatedByClientSideApply();
  const { object, managedFields } = apply(live, pvcConfig('2Gi'), { schema: pvcSchema, force: true, time: T1 });
  assert.equal((object.spec as any).resources.requests.storage, '2Gi');
  assert.deepEqual(managersOf(managedFields), ['kubectl/Apply', 'kubectl-client-side-apply/Update']);
  const csa = managedFields[1]!.fieldsV1 as any;
  assert.deepEqual(csa['f:spec'], { 'f:accessModes': {}, 'f:resources': { 'f:requests': {} }, 'f:storageClassName': {} });
  assert.deepEqual((managedFields[0]!.fieldsV1 as any)['f:spec']['f:resources'], { 'f:requests': { 'f:storage': {} } });
  assert.equal(managedFields[0]!.time, T1);
});

test('serverSideApply() removes fields the applier no longer applies', () => {
  const first = apply(
    undefined,
    podConfig({ labels: { app: 'web', debug: 'true' }, containers: [{ name: 'nginx', image: 'nginx:1' }, { name: 'sidecar', image: 'busybox' }] }),
  ).object;
  const second = apply(first, podConfig(), { time: T1 }).object as any;
  assert.deepEqual(second.metadata.labels, { app: 'web' });
  assert.deepEqual(second.spec.containers, [{ name: 'nginx', image: 'nginx:1' }]);
});

test('serverSideApply() keeps a dropped field that another manager also owns', () => {
  const a = apply(undefined, podConfig({ labels: { app: 'web', shared: 'yes' } }), { manager: 'a' }).object;
  const b = apply(a, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', labels: { shared: 'yes' } } }, { manager: 'b', time: T1 });
  const again = apply(b.object, podConfig(), { manager: 'a', time: T2 });
  assert.deepEqual((again.object.metadata as any).labels, { app: 'web', shared: 'yes' });
  const owners = again.managedFields.filter((e) => JSON.stringify(e.fieldsV1).includes('f:shared')).map((e) => e.manager);
  assert.deepEqual(owners, ['b']);
});

test('serverSideApply() merges associative lists by key and replaces atomic lists', () => {
  const live = apply(undefined, podConfig({ containers: [{ name: 'nginx', image: 'nginx:1', args: ['-a', '-b'] }] })).object;
  const edited = structuredClone(live) as any;
  edited.spec.containers.push({ name: 'injected', image: 'proxy' });
  edited.metadata.managedFields = updateManagedFields({ oldObj: live, newObj: edited, manager: 'webhook', operation: 'Update', time: T1, schema: podSchema });
  const out = apply(edited, podConfig({ containers: [{ name: 'nginx', image: 'nginx:2', args: ['-c'] }] }), { time: T2 }).object as any;
  assert.deepEqual(out.spec.containers, [
    { name: 'nginx', image: 'nginx:2', args: ['-c'] },
    { name: 'injected', image: 'proxy' },
  ]);
});

test('serverSideApply() does not own identity fields or status on the main resource', () => {
  const body = { ...podConfig(), status: { phase: 'Running' } };
  const { managedFields } = apply(undefined, body);
  const fields = managedFields[0]!.fieldsV1 as any;
  assert.equal('f:apiVersion' in fields || 'f:kind' in fields || 'f:status' in fields, false);
  assert.equal('f:name' in fields['f:metadata'], false);
});

test('serverSideApply() attributes the fields of an untracked object to before-first-apply', () => {
  const live = deepFreeze({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', uid: 'u' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }], restartPolicy: 'Always' } });
  const { managedFields } = apply(live, podConfig(), { time: T1 });
  assert.deepEqual(managersOf(managedFields), ['kubectl/Apply', 'before-first-apply/Update']);
  assert.deepEqual((managedFields[1]!.fieldsV1 as any)['f:spec']['f:restartPolicy'], {});
});

test('serverSideApply() rejects an applied list item without its key', () => {
  assert.throws(
    () => apply(undefined, podConfig({ containers: [{ image: 'x' }] })),
    (err) => isApiError(err) && err.code === 400 && /omits all key fields \["name"\]/.test(err.status.message ?? ''),
  );
});
