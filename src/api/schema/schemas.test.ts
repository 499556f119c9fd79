import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaIndex, definitions, hasDefinition, schemaNode } from './schemas.js';
import type { FormattedSchemaNode } from './schemas.js';

test('definitions() loads the generated definitions with Kubernetes names', () => {
  const defs = definitions();
  for (const name of [
    'io.k8s.api.core.v1.Pod',
    'io.k8s.api.apps.v1.StatefulSet',
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    'io.k8s.apimachinery.pkg.runtime.RawExtension',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  ]) {
    assert.ok(defs[name], name);
  }
  assert.equal(definitions(), defs, 'loaded once');
  assert.ok(hasDefinition('io.k8s.api.core.v1.PersistentVolumeClaimSpec'));
  assert.equal(hasDefinition('io.k8s.api.core.v1.Nope'), false);
});

test('definitions() carry descriptions, group-version-kinds and patch metadata', () => {
  const defs = definitions();
  const pvcSpec = defs['io.k8s.api.core.v1.PersistentVolumeClaimSpec']!;
  assert.match(pvcSpec.description ?? '', /PersistentVolumeClaimSpec/);
  assert.match(pvcSpec.properties!.storageClassName!.description ?? '', /StorageClass/);
  assert.deepEqual(defs['io.k8s.api.core.v1.Pod']!['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.deepEqual(defs['io.k8s.api.apps.v1.StatefulSet']!['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'StatefulSet', version: 'v1' }]);
  const containers = defs['io.k8s.api.core.v1.PodSpec']!.properties!.containers!;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  assert.deepEqual(containers.items, { $ref: '#/definitions/io.k8s.api.core.v1.Container' });
  assert.deepEqual(defs['io.k8s.api.core.v1.PodSpec']!.required, ['containers']);
  assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.properties!.generation!.format, 'int64');
  assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time']!.format, 'date-time');
  assert.equal(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!.format, 'int-or-string');
});

test('schemaNode() resolves properties lazily into typed nodes', () => {
  const pod = schemaNode('io.k8s.api.core.v1.Pod');
  assert.equal(pod.kind, 'object');
  assert.equal(pod.name, 'io.k8s.api.core.v1.Pod');
  assert.ok(pod.fieldNames().includes('spec'));
  const containers = pod.field('spec')!.field('containers')!;
  assert.equal(containers.kind, 'list');
  assert.equal(containers.patchMergeKey, 'name');
  assert.equal(containers.patchStrategy, 'merge');
  assert.equal(containers.listType, 'map');
  assert.deepEqual(containers.listMapKeys, ['name']);
  const container = containers.elem()!;
  assert.equal(container.name, 'io.k8s.api.core.v1.Container');
  assert.equal(container.field('image')!.scalar, 'string');
  assert.equal(container.field('nope'), undefined);
  const limits = container.field('resources')!.field('limits')!;
  assert.equal(limits.kind, 'map');
  assert.equal(limits.elem()!.scalar, 'quantity');
  const port = container.field('ports')!.elem()!.field('containerPort') as FormattedSchemaNode;
  assert.equal(port.scalar, 'integer');
  assert.equal(port.format, 'int32');
  const meta = pod.field('metadata')!;
  assert.equal(meta.field('labels')!.kind, 'map');
  assert.equal(meta.field('managedFields')!.elem()!.field('fieldsV1')!.kind, 'any');
  assert.equal(meta.field('finalizers')!.patchStrategy, 'merge');
});

test('schemaNode() returns cached nodes and knows scalar definitions', () => {
  assert.equal(schemaNode('io.k8s.api.core.v1.PodSpec'), schemaNode('io.k8s.api.core.v1.PodSpec'));
  const spec = schemaNode('io.k8s.api.core.v1.PodSpec');
  assert.equal(spec.field('containers'), spec.field('containers'));
  assert.equal(schemaNode('io.k8s.apimachinery.pkg.util.intstr.IntOrString').scalar, 'int-or-string');
  assert.equal(schemaNode('io.k8s.apimachinery.pkg.runtime.RawExtension').kind, 'any');
  assert.equal(schemaNode('io.k8s.api.apps.v1.StatefulSetSpec').field('selector')!.mapType, 'atomic');
  assert.throws(() => schemaNode('io.k8s.api.core.v1.Nope'), /no OpenAPI definition named io.k8s.api.core.v1.Nope/);
});

test('SchemaIndex.node() builds nodes over hand-written definitions', () => {
  const index = new SchemaIndex({
    'test.Thing': {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        child: { $ref: '#/definitions/test.Child', 'x-kubernetes-map-type': 'atomic' },
        free: { type: 'object' },
      },
    },
    'test.Child': { type: 'object', properties: { n: { type: 'integer', format: 'int64' } } },
  });
  const thing = index.node('test.Thing');
  assert.equal(thing.field('tags')!.listType, 'set');
  assert.equal(thing.field('child')!.mapType, 'atomic');
  assert.equal(thing.field('child')!.name, 'test.Child');
  assert.equal(index.node('test.Child').mapType, undefined);
  assert.equal(thing.field('free')!.kind, 'any');
  assert.equal((thing.field('child')!.field('n') as FormattedSchemaNode).format, 'int64');
});
