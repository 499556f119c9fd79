import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ResourceDef } from '../api/resource.js';
import { buildOpenApiV2, buildOpenApiV3 } from './openapi.js';

const printer = { columns: [], row: () => [] };
const RESOURCES: ResourceDef[] = [
  {
    group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', namespaced: true, schemaName: 'io.k8s.api.core.v1.Pod', hasStatus: true, printer,
    extraSubresources: [
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
    ],
  },
  { group: '', version: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume', namespaced: false, schemaName: 'io.k8s.api.core.v1.PersistentVolume', hasStatus: true, printer },
  {
    group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', singular: 'statefulset', namespaced: true, schemaName: 'io.k8s.api.apps.v1.StatefulSet', hasStatus: true, printer,
    scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', selector: () => '' },
  },
  { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', plural: 'storageclasses', singular: 'storageclass', namespaced: false, schemaName: 'io.k8s.api.storage.v1.StorageClass', printer },
  { group: 'example.berth.dev', version: 'v1alpha1', kind: 'Widget', plural: 'widgets', singular: 'widget', namespaced: true, schemaName: 'dev.berth.example.v1alpha1.Widget', printer, verbs: ['get', 'list'] },
];

type Doc = { openapi: string; paths: Record<string, any>; components: { schemas: Record<string, any> } };
const v3 = buildOpenApiV3(RESOURCES);
const doc = (gv: string): Doc => JSON.parse(v3.docs.get(gv)!.body) as Doc;

test('buildOpenApiV3() indexes one document per group-version with its SHA-512 hash', () => {
  assert.deepEqual(Object.keys(v3.root.paths), ['api/v1', 'apis/apps/v1', 'apis/example.berth.dev/v1alpha1', 'apis/storage.k8s.io/v1']);
  for (const [gv, { body, hash }] of v3.docs) {
    assert.equal(hash, createHash('sha512').update(body).digest('hex').toUpperCase());
    assert.equal(v3.root.paths[gv]!.serverRelativeURL, `/openapi/v3/${gv}?hash=${hash}`);
    assert.equal(JSON.parse(body).openapi, '3.0.0');
  }
});

test('buildOpenApiV3() gives PATCH the GVK, fieldValidation and the strategic merge media type kubectl looks for', () => {
  const patch = doc('api/v1').paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
  assert.equal(patch['x-kubernetes-action'], 'patch');
  const names = patch.parameters.map((p: { name: string }) => p.name);
  assert.deepEqual(names, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ]);
  const sts = doc('apis/apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}'].patch;
  assert.deepEqual(sts['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'StatefulSet', version: 'v1' });
});

test('buildOpenApiV3() lists collection, item, all-namespaces and subresource paths', () => {
  const core = doc('api/v1').paths;
  assert.deepEqual(Object.keys(core).sort(), [
    '/api/v1/',
    '/api/v1/namespaces/{namespace}/pods',
    '/api/v1/namespaces/{namespace}/pods/{name}',
    '/api/v1/namespaces/{namespace}/pods/{name}/binding',
    '/api/v1/namespaces/{namespace}/pods/{name}/eviction',
    '/api/v1/namespaces/{namespace}/pods/{name}/exec',
    '/api/v1/namespaces/{namespace}/pods/{name}/log',
    '/api/v1/namespaces/{namespace}/pods/{name}/status',
    '/api/v1/persistentvolumes',
    '/api/v1/persistentvolumes/{name}',
    '/api/v1/persistentvolumes/{name}/status',
    '/api/v1/pods',
  ]);
  const pods = core['/api/v1/namespaces/{namespace}/pods'];
  assert.deepEqual(Object.keys(pods).sort(), ['delete', 'get', 'parameters', 'post']);
  assert.equal(pods.get.operationId, 'listCoreV1NamespacedPod');
  assert.ok(pods.get.parameters.some((p: { name: string }) => p.name === 'watch'));
  assert.ok(pods.post.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
  assert.equal(core['/api/v1/pods'].get.operationId, 'listCoreV1PodForAllNamespaces');
  assert.deepEqual(core['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind'], { group: 'policy', kind: 'Eviction', version: 'v1' });
  assert.equal(core['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post.requestBody.content['*/*'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.Binding');
  assert.equal(core['/api/v1/namespaces/{namespace}/pods/{name}/exec'].post['x-kubernetes-action'], 'connect');
  assert.deepEqual(core['/api/v1/namespaces/{namespace}/pods/{name}/log'].get.responses['200'].content['text/plain'].schema, { type: 'string' });
  const scale = doc('apis/apps/v1').paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale'];
  assert.deepEqual(scale.put['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.equal(scale.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.autoscaling.v1.Scale');
  const widgets = doc('apis/example.berth.dev/v1alpha1').paths;
  assert.deepEqual(Object.keys(widgets['/apis/example.berth.dev/v1alpha1/namespaces/{namespace}/widgets/{name}']).sort(), ['get', 'parameters']);
});

test('buildOpenApiV3() carries the reachable schemas with component refs', () => {
  const schemas = doc('apis/apps/v1').components.schemas;
  const sts = schemas['io.k8s.api.apps.v1.StatefulSet'];
  assert.deepEqual(sts['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'StatefulSet', version: 'v1' }]);
  assert.match(sts.properties.spec.description, /desired identities of pods/);
  assert.deepEqual(sts.properties.spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.StatefulSetSpec' }]);
  for (const name of [
    'io.k8s.api.core.v1.PodSpec',
    'io.k8s.api.apps.v1.StatefulSetList',
    'io.k8s.api.autoscaling.v1.Scale',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
    'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    'io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList',
  ]) {
    assert.ok(schemas[name], name);
  }
  assert.equal(schemas['io.k8s.api.storage.v1.StorageClass'], undefined);
  assert.equal(schemas['io.k8s.api.core.v1.PersistentVolume'], undefined);
  assert.deepEqual(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].oneOf, [{ type: 'integer' }, { type: 'string' }]);
  assert.deepEqual(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Status']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Status', version: 'v1' }]);
  const body = v3.docs.get('apis/apps/v1')!.body;
  assert.equal(body.includes('#/definitions/'), false);
  const widget = doc('apis/example.berth.dev/v1alpha1').components.schemas['dev.berth.example.v1alpha1.Widget'];
  assert.equal(widget['x-kubernetes-preserve-unknown-fields'], true);
});

test('buildOpenApiV2() describes every resource in one swagger 2.0 document', () => {
  const v2 = JSON.parse(buildOpenApiV2(RESOURCES)) as { swagger: string; paths: Record<string, any>; definitions: Record<string, any> };
  assert.equal(v2.swagger, '2.0');
  const patch = v2.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}'].patch;
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'StatefulSet', version: 'v1' });
  assert.deepEqual(patch.parameters[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
  assert.ok(patch.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
  assert.ok(v2.paths['/api/v1/persistentvolumes/{name}']);
  assert.ok(v2.definitions['io.k8s.api.core.v1.Pod']);
  assert.ok(v2.definitions['io.k8s.api.storage.v1.StorageClass']);
  assert.equal(v2.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(v2.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
});
