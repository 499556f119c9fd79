import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldPathError, FieldSet, fieldSetOf, keyElement, listKindOf, pathString, valueElement } from './field-set.js';
import { deploymentSchema, list, podSchema, serviceSchema } from './test-schema.js';

test('fieldSetOf() names the fields of an applied pod as fieldsV1', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' }, finalizers: ['example.com/a'] },
    spec: {
      containers: [{ name: 'nginx', image: 'nginx:1', ports: [{ containerPort: 80 }], resources: {} }],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'k', operator: 'Exists' }],
      nodeSelector: { disk: 'ssd' },
    },
  };
  assert.deepEqual(fieldSetOf(pod, podSchema).toFieldsV1(), {
    'f:apiVersion': {},
    'f:kind': {},
    'f:metadata': {
      'f:finalizers': { 'v:"example.com/a"': {} },
      'f:labels': { 'f:app': {} },
      'f:name': {},
    },
    'f:spec': {
      'f:containers': {
        'k:{"name":"nginx"}': {
          '.': {},
          'f:image': {},
          'f:name': {},
          'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          'f:resources': {},
        },
      },
      'f:nodeSelector': {},
      'f:tolerations': {},
      'f:volumes': { 'k:{"name":"data"}': { '.': {}, 'f:emptyDir': {}, 'f:name': {} } },
    },
  });
});

test('fieldSetOf() treats atomic structs as leaves', () => {
  const d = { spec: { selector: { matchLabels: { app: 'web' } }, strategy: { type: 'Recreate' } } };
  assert.deepEqual(fieldSetOf(d, deploymentSchema).toFieldsV1(), { 'f:spec': { 'f:selector': {}, 'f:strategy': { 'f:type': {} } } });
});

test('fieldSetOf() rejects an associative list item without its keys', () => {
  assert.throws(
    () => fieldSetOf({ spec: { containers: [{ image: 'x' }] } }, podSchema),
    (err) => err instanceof FieldPathError && err.message === '.spec.containers: element 0: associative list with keys has an element that omits all key fields ["name"]',
  );
});

test('listKindOf() prefers x-kubernetes-list-type and falls back to the patch strategy', () => {
  assert.deepEqual(listKindOf(serviceSchema.field('spec')!.field('ports')), { type: 'map', keys: ['port', 'protocol'] });
  assert.deepEqual(listKindOf(list('string', { patchStrategy: 'merge' })), { type: 'set' });
  assert.deepEqual(listKindOf(list('string', { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' })), { type: 'atomic' });
  assert.deepEqual(listKindOf(list('string', { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' })), { type: 'map', keys: ['name'] });
  assert.deepEqual(listKindOf(list('string')), { type: 'atomic' });
});

test('FieldSet.fromFieldsV1() reads what toFieldsV1() writes', () => {
  const json = {
    'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:image': {} } }, 'f:replicas': {} },
  };
  const s = FieldSet.fromFieldsV1(json);
  assert.deepEqual(s.toFieldsV1(), json);
  assert.equal(s.has(['f:metadata', 'f:labels']), true);
  assert.equal(s.has(['f:metadata']), false);
  assert.equal(s.has(['f:spec', 'f:containers', 'k:{"name":"a"}', 'f:image']), true);
  assert.throws(() => FieldSet.fromFieldsV1({ 'f:x': 1 }));
});

test('FieldSet.fromFieldsV1() canonicalises key elements', () => {
  const s = FieldSet.fromFieldsV1({ 'k:{"protocol":"TCP","port":80}': {} });
  assert.equal(s.has([keyElement({ port: 80, protocol: 'TCP' })]), true);
});

test('FieldSet set operations work path by path', () => {
  const a = FieldSet.of(['f:a'], ['f:b', 'f:c'], ['f:b', 'f:d']);
  const b = FieldSet.of(['f:b', 'f:c'], ['f:e']);
  assert.deepEqual(a.union(b).paths(), [['f:a'], ['f:b', 'f:c'], ['f:b', 'f:d'], ['f:e']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:b', 'f:c']]);
  assert.deepEqual(a.difference(b).paths(), [['f:a'], ['f:b', 'f:d']]);
  assert.deepEqual(a.recursiveDifference(FieldSet.of(['f:b'])).paths(), [['f:a']]);
  assert.equal(a.difference(a).isEmpty(), true);
});

test('pathString() prints paths as conflict messages show them', () => {
  assert.equal(pathString(['f:spec', 'f:containers', keyElement({ name: 'nginx' }), 'f:image']), '.spec.containers[name="nginx"].image');
  assert.equal(pathString(['f:spec', 'f:ports', keyElement({ protocol: 'TCP', port: 80 })]), '.spec.ports[port=80,protocol="TCP"]');
  assert.equal(pathString(['f:metadata', 'f:finalizers', valueElement('example.com/a')]), '.metadata.finalizers[="example.com/a"]');
  assert.equal(pathString(['f:spec', 'f:resources', 'f:requests', 'f:storage']), '.spec.resources.requests.storage');
});
