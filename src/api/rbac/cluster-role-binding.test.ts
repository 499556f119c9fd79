import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import { clusterRoleBindingResource, validateClusterRoleBinding } from './cluster-role-binding.js';
import type { ClusterRoleBindingObject } from './cluster-role-binding.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

function binding(extra: Partial<ClusterRoleBindingObject> = {}): ClusterRoleBindingObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'admins', creationTimestamp: '2024-01-01T00:00:00Z' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'Group', name: 'system:masters', apiGroup: 'rbac.authorization.k8s.io' }],
    ...extra,
  };
}

test('validateClusterRoleBinding() accepts a valid binding', () => {
  assert.deepEqual(validateClusterRoleBinding(binding()), []);
});

test('validateClusterRoleBinding() only allows ClusterRole references', () => {
  const errs = validateClusterRoleBinding(binding({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'x' } }));
  assert.deepEqual(texts(errs), ['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"']);
});

test('validateClusterRoleBinding() requires a ServiceAccount namespace', () => {
  const errs = validateClusterRoleBinding(binding({ subjects: [{ kind: 'ServiceAccount', name: 'default', apiGroup: '' }] }));
  assert.deepEqual(texts(errs), ['subjects[0].namespace: Required value']);
});

test('validateClusterRoleBinding() checks the roleRef name is a path segment', () => {
  const errs = validateClusterRoleBinding(binding({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: '..' } }));
  assert.deepEqual(texts(errs), ['roleRef.name: Invalid value: "..": may not be \'..\'']);
});

test('clusterRoleBindingResource.validateUpdate() rejects a roleRef change', () => {
  const next = binding({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } });
  assert.deepEqual(texts(clusterRoleBindingResource.validateUpdate!(next, binding())), [
    'roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}: cannot change roleRef',
  ]);
});

test('clusterRoleBindingResource.validateUpdate() treats a defaulted apiGroup as unchanged', () => {
  const next = binding({ roleRef: { kind: 'ClusterRole', name: 'cluster-admin' } });
  clusterRoleBindingResource.defaults!(next);
  assert.deepEqual(clusterRoleBindingResource.validateUpdate!(next, binding()), []);
});

test('clusterRoleBindingResource discovery facts match a v1.32 server', () => {
  assert.equal(clusterRoleBindingResource.plural, 'clusterrolebindings');
  assert.equal(clusterRoleBindingResource.singular, 'clusterrolebinding');
  assert.equal(clusterRoleBindingResource.namespaced, false);
});

test('clusterRoleBindingResource.printer prints ROLE and subjects', () => {
  const crb = binding({
    subjects: [
      { kind: 'Group', name: 'system:masters' },
      { kind: 'ServiceAccount', name: 'a', namespace: 'kube-system' },
      { kind: 'ServiceAccount', name: 'b', namespace: 'default' },
    ],
  });
  assert.deepEqual(clusterRoleBindingResource.printer.row(crb, { now: Date.parse('2024-01-03T01:00:00Z') }), [
    'admins',
    'ClusterRole/cluster-admin',
    '2d1h',
    '',
    'system:masters',
    'kube-system/a, default/b',
  ]);
  assert.equal(clusterRoleBindingResource.printer.columns[3].description, 'Users in the clusterRoleBinding');
});
