import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATOMIC_STRUCTS, PATCH_META } from './patch-meta.js';

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

test('PATCH_META gives kubectl-relevant lists their merge keys and list types', () => {
  assert.deepEqual(PATCH_META[`${CORE}PodSpec`]!.containers, { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] });
  assert.deepEqual(PATCH_META[`${CORE}PodSpec`]!.volumes, { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] });
  assert.deepEqual(PATCH_META[`${CORE}PodSpec`]!.tolerations, { listType: 'atomic' });
  assert.deepEqual(PATCH_META[`${CORE}Container`]!.ports, {
    patchStrategy: 'merge',
    patchMergeKey: 'containerPort',
    listType: 'map',
    listMapKeys: ['containerPort', 'protocol'],
  });
  assert.deepEqual(PATCH_META[`${CORE}ServiceSpec`]!.ports!.listMapKeys, ['port', 'protocol']);
  assert.equal(PATCH_META[`${CORE}ServiceSpec`]!.ports!.patchMergeKey, 'port');
  assert.deepEqual(PATCH_META[`${CORE}PodStatus`]!.hostIPs, { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' });
  assert.deepEqual(PATCH_META[`${CORE}NodeStatus`]!.addresses!.listMapKeys, ['type']);
  assert.deepEqual(PATCH_META[`${CORE}PersistentVolumeSpec`], { accessModes: { listType: 'atomic' }, mountOptions: { listType: 'atomic' } });
  assert.deepEqual(PATCH_META['io.k8s.api.apps.v1.StatefulSetSpec']!.volumeClaimTemplates, { listType: 'atomic' });
  assert.deepEqual(PATCH_META['io.k8s.api.apps.v1.DeploymentSpec']!.strategy, { patchStrategy: 'retainKeys' });
  assert.deepEqual(PATCH_META['io.k8s.api.rbac.v1.Role']!.rules, { listType: 'atomic' });
  assert.deepEqual(PATCH_META[`${META}ObjectMeta`]!.finalizers, { patchStrategy: 'merge', listType: 'set' });
  assert.deepEqual(PATCH_META[`${META}ObjectMeta`]!.ownerReferences!.listMapKeys, ['uid']);
  assert.deepEqual(PATCH_META[`${META}LabelSelector`]!.matchExpressions, { listType: 'atomic' });
  assert.deepEqual(PATCH_META[`${CORE}EphemeralContainer`]!.env, PATCH_META[`${CORE}Container`]!.env);
});

test('PATCH_META entries are consistent', () => {
  for (const [def, fields] of Object.entries(PATCH_META)) {
    for (const [field, m] of Object.entries(fields)) {
      const where = `${def}.${field}`;
      if (m.listType === 'map') assert.ok(m.listMapKeys?.length, `${where} has no listMapKeys`);
      else assert.equal(m.listMapKeys, undefined, `${where} has listMapKeys without listType map`);
      if (m.patchMergeKey && m.listType === 'map') assert.ok(m.listMapKeys!.includes(m.patchMergeKey), where);
      if (m.patchStrategy) assert.match(m.patchStrategy, /^(merge|replace|retainKeys|merge,retainKeys)$/, where);
    }
  }
});

test('PATCH_META entries are not shared between fields', () => {
  const a = PATCH_META[`${CORE}Container`]!.command;
  const b = PATCH_META[`${CORE}Container`]!.args;
  assert.notEqual(a, b);
});

test('ATOMIC_STRUCTS lists the +structType=atomic definitions', () => {
  for (const name of ['LabelSelector', 'OwnerReference']) assert.ok(ATOMIC_STRUCTS.includes(`${META}${name}`));
  for (const name of ['ObjectReference', 'LocalObjectReference', 'NodeSelector', 'SecretKeySelector']) assert.ok(ATOMIC_STRUCTS.includes(`${CORE}${name}`));
});
