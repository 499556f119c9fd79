import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareObjects, decodeManagedFields, managerId, updateManagedFields } from './managed-fields.js';
import type { ManagedFieldsEntry } from './managed-fields.js';
import { deploymentSchema, podSchema } from './test-schema.js';
import { schemaNode } from '../../api/schema/schemas.js';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';
const T2 = '2025-01-01T00:02:00Z';

function created() {
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '1', creationTimestamp: T0, labels: { app: 'web', tier: 'front' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1' }], restartPolicy: 'Always' },
  };
  const managedFields = updateManagedFields({ oldObj: undefined, newObj: obj, manager: 'kubectl-create', operation: 'Update', time: T0, schema: podSchema });
  return { ...obj, metadata: { ...obj.metadata, managedFields } };
}

function edit(obj: ReturnType<typeof created>, change: (o: any) => void, opts: { manager: string; time: string; subresource?: string }) {
  const next = structuredClone(obj) as any;
  change(next);
  const managedFields = updateManagedFields({ oldObj: obj, newObj: next, operation: 'Update', schema: podSchema, ...opts });
  next.metadata.managedFields = managedFields;
  return next as ReturnType<typeof created> & { metadata: { managedFields: ManagedFieldsEntry[] } };
}

test('updateManagedFields() gives every field of a new object to its creator', () => {
  assert.deepEqual(created().metadata.managedFields, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:tier': {} } },
        'f:spec': {
          'f:containers': { '.': {}, 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } },
          'f:restartPolicy': {},
        },
      },
    },
  ]);
});

test('updateManagedFields() does not record nested structs of a new object as added', () => {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
    },
  };
  const [entry] = updateManagedFields({ oldObj: undefined, newObj: d, manager: 'kubectl-create', operation: 'Update', time: T0, schema: deploymentSchema });
  assert.deepEqual(entry!.fieldsV1, {
    'f:spec': {
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': { 'f:containers': { '.': {}, 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
      },
    },
  });
});

test('updateManagedFields() moves changed fields to the writer and drops removed ones', () => {
  const next = edit(
    created(),
    (o) => {
      o.spec.containers[0].image = 'nginx:2';
      delete o.metadata.labels.tier;
      o.metadata.resourceVersion = '2';
    },
    { manager: 'kubectl-edit', time: T1 },
  );
  assert.deepEqual(
    next.metadata.managedFields.map((e) => [e.manager, e.time, e.fieldsV1]),
    [
      [
        'kubectl-create',
        T0,
        {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': { 'f:containers': { '.': {}, 'k:{"name":"nginx"}': { '.': {}, 'f:name': {} } }, 'f:restartPolicy': {} },
        },
      ],
      ['kubectl-edit', T1, { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {} } } } }],
    ],
  );
});

test('updateManagedFields() drops an entry that owns nothing any more and merges entries per manager', () => {
  let obj = edit(created(), (o) => (o.spec.restartPolicy = 'Never'), { manager: 'a', time: T1 });
  obj = edit(obj, (o) => (o.spec.restartPolicy = 'OnFailure'), { manager: 'b', time: T2 });
  assert.deepEqual(obj.metadata.managedFields.map((e) => e.manager), ['kubectl-create', 'b']);
  obj = edit(obj, (o) => (o.metadata.labels.x = '1'), { manager: 'b', time: T2 });
  const b = obj.metadata.managedFields.find((e) => e.manager === 'b')!;
  assert.deepEqual(b.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:x': {} } }, 'f:spec': { 'f:restartPolicy': {} } });
});

test('updateManagedFields() keeps the entry and its time on a no-op write', () => {
  const obj = created();
  const same = edit(obj, (o) => (o.metadata.resourceVersion = '9'), { manager: 'kubectl-create', time: T2 });
  assert.deepEqual(same.metadata.managedFields, obj.metadata.managedFields);
});

test('updateManagedFields() records status only through the status subresource', () => {
  const obj = created();
  const main = edit(obj, (o) => (o.status = { phase: 'Running' }), { manager: 'sneaky', time: T1 });
  assert.deepEqual(main.metadata.managedFields, obj.metadata.managedFields);
  const status = edit(
    obj,
    (o) => {
      o.status = { phase: 'Running' };
      o.spec.restartPolicy = 'Never';
    },
    { manager: 'kubelet', time: T1, subresource: 'status' },
  );
  const kubelet = status.metadata.managedFields.find((e) => e.manager === 'kubelet')!;
  assert.equal(kubelet.subresource, 'status');
  assert.deepEqual(kubelet.fieldsV1, { 'f:status': { '.': {}, 'f:phase': {} } });
});

test('updateManagedFields() does not start tracking an existing object without managedFields', () => {
  const { managedFields: _m, ...metadata } = created().metadata;
  const untracked = { ...created(), metadata };
  const next = structuredClone(untracked) as any;
  next.spec.restartPolicy = 'Never';
  assert.deepEqual(updateManagedFields({ oldObj: untracked, newObj: next, manager: 'x', operation: 'Update', time: T1, schema: podSchema }), []);
});

test('updateManagedFields() honours managedFields the request sets, and [] resets them', () => {
  const obj = created();
  const next = structuredClone(obj) as any;
  next.metadata.managedFields = [];
  assert.deepEqual(updateManagedFields({ oldObj: obj, newObj: next, manager: 'x', operation: 'Update', time: T1, schema: podSchema }), []);
  next.metadata.managedFields = [{ manager: 'migrated', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:restartPolicy': {} } } }];
  const out = updateManagedFields({ oldObj: obj, newObj: next, manager: 'x', operation: 'Update', time: T1, schema: podSchema });
  assert.deepEqual(out.map((e) => e.manager), ['migrated']);
});

test('updateManagedFields() folds more than ten update managers into ancient-changes', () => {
  let obj = created();
  for (let i = 0; i < 11; i++) {
    obj = edit(obj, (o) => (o.metadata.labels[`l${i}`] = 'x'), { manager: `m${i}`, time: `2025-01-01T01:${String(i).padStart(2, '0')}:00Z` });
  }
  const managers = obj.metadata.managedFields.map((e) => e.manager);
  assert.equal(managers.length, 10);
  assert.ok(managers.includes('ancient-changes'));
  assert.ok(!managers.includes('kubectl-create') && !managers.includes('m0') && !managers.includes('m1'));
  const ancient = obj.metadata.managedFields.find((e) => e.manager === 'ancient-changes')!;
  assert.deepEqual(Object.keys((ancient.fieldsV1['f:metadata'] as any)['f:labels']).sort(), ['.', 'f:app', 'f:l0', 'f:l1', 'f:tier']);
});

test('updateManagedFields() clears managedFields when the object cannot be walked', () => {
  const obj = created();
  const next = structuredClone(obj) as any;
  next.spec.containers.push({ image: 'no-name' });
  assert.deepEqual(updateManagedFields({ oldObj: obj, newObj: next, manager: 'x', operation: 'Update', time: T1, schema: podSchema }), []);
});

test('compareObjects() reports added, modified and removed paths', () => {
  const c = compareObjects(
    { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } },
    { spec: { containers: [{ name: 'a', image: '2' }, { name: 'c' }] } },
    podSchema,
  );
  assert.deepEqual(c.modified.paths(), [['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']]);
  assert.deepEqual(c.added.paths(), [
    ['f:spec', 'f:containers', 'k:{"name":"c"}'],
    ['f:spec', 'f:containers', 'k:{"name":"c"}', 'f:name'],
  ]);
  assert.deepEqual(c.removed.paths(), [
    ['f:spec', 'f:containers', 'k:{"name":"b"}'],
    ['f:spec', 'f:containers', 'k:{"name":"b"}', 'f:name'],
  ]);
});

test('decodeManagedFields() keys Apply entries without their apiVersion', () => {
  const m = decodeManagedFields([
    { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} },
    { manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {}, subresource: 'status' },
  ]);
  assert.deepEqual([...m.keys()], [
    managerId({ manager: 'kubectl', operation: 'Apply', apiVersion: 'ignored' }),
    '{"manager":"kubectl","operation":"Update","apiVersion":"v1","subresource":"status"}',
  ]);
  assert.throws(() => decodeManagedFields([{ manager: 'x', operation: 'Patch', apiVersion: 'v1', fieldsType: 'FieldsV1' }]), /operation must be/);
});

test('updateManagedFields() reuses the stored fieldsV1 of a manager a write leaves alone, and gives the same entries as from an unfrozen copy', () => {
  const stored = deepFreezeForTest(created());
  const write = (old: unknown) => {
    const next = structuredClone(stored) as any;
    next.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] };
    return updateManagedFields({ oldObj: old, newObj: next, manager: 'kube-scheduler', operation: 'Update', subresource: 'status', time: T1, schema: podSchema });
  };
  const fromFrozen = write(stored);
  const fromCopy = write(structuredClone(stored));
  assert.deepEqual(fromFrozen, fromCopy);
  const creator = fromFrozen.find((e) => e.manager === 'kubectl-create')!;
  assert.equal(creator.fieldsV1, stored.metadata.managedFields[0]!.fieldsV1, 'the untouched set is the stored object itself');
  assert.deepEqual(fromFrozen.find((e) => e.manager === 'kube-scheduler')!.fieldsV1, { 'f:status': { '.': {}, 'f:conditions': { '.': {}, 'k:{"type":"PodScheduled"}': { '.': {}, 'f:reason': {}, 'f:status': {}, 'f:type': {} } }, 'f:phase': {} } });
  // A second write from the same frozen version decodes from the cache and answers the same.
  assert.deepEqual(write(stored), fromFrozen);
});

function deepFreezeForTest<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreezeForTest(v);
  }
  return o;
}

test('compareObjects() takes a key both sides hold as undefined for absent', () => {
  const schema = schemaNode('io.k8s.api.core.v1.Node');
  const old = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: { a: 'b' } } };
  const c = compareObjects(old, { ...old, metadata: { ...old.metadata, labels: { a: 'b', x: 'y' } }, status: undefined }, schema);
  assert.deepEqual(c.added.toFieldsV1(), { 'f:metadata': { 'f:labels': { 'f:x': {} } } });
  assert.ok(c.modified.isEmpty() && c.removed.isEmpty());
});
