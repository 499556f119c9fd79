import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody, invalidObject } from '../errors.js';
import type { FieldError } from '../errors.js';
import { roleBindingResource, validateRoleBinding } from './role-binding.js';
import type { RoleBindingObject } from './role-binding.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

function binding(extra: Partial<RoleBindingObject> = {}): RoleBindingObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'read-pods', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }],
    ...extra,
  };
}

test('roleBindingResource.defaults() fills roleRef and subject apiGroups', () => {
  const rb = binding({
    roleRef: { kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'User', name: 'jane' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'default' }],
  });
  roleBindingResource.defaults!(rb);
  assert.equal(rb.roleRef!.apiGroup, 'rbac.authorization.k8s.io');
  assert.deepEqual(rb.subjects!.map((s) => s.apiGroup), ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', undefined]);
  assert.deepEqual(validateRoleBinding(rb), []);
});

test('validateRoleBinding() requires roleRef', () => {
  const rb = binding();
  delete rb.roleRef;
  assert.deepEqual(texts(validateRoleBinding(rb)), [
    'roleRef.apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
    'roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"',
    'roleRef.name: Required value',
  ]);
});

test('validateRoleBinding() rejects an unknown roleRef kind', () => {
  const errs = validateRoleBinding(binding({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Pod', name: 'x' } }));
  assert.deepEqual(texts(errs), ['roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"']);
});

test('validateRoleBinding() rejects bad subjects', () => {
  const errs = validateRoleBinding(
    binding({
      subjects: [
        { kind: 'Robot', name: 'r2' },
        { kind: 'User', name: '', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 'Bad_Name', apiGroup: 'v1' },
        { kind: 'Group', name: 'devs', apiGroup: '' },
      ],
    }),
  );
  assert.deepEqual(texts(errs), [
    'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    'subjects[1].name: Required value',
    'subjects[2].name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')',
    'subjects[2].apiGroup: Unsupported value: "v1": supported values: ""',
    'subjects[3].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
  ]);
});

test('validateRoleBinding() lets a ServiceAccount subject omit its namespace', () => {
  assert.deepEqual(validateRoleBinding(binding({ subjects: [{ kind: 'ServiceAccount', name: 'default', apiGroup: '' }] })), []);
});

test('roleBindingResource.validateUpdate() rejects a roleRef change', () => {
  const old = binding();
  const next = binding({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } });
  const errs = roleBindingResource.validateUpdate!(next, old);
  assert.deepEqual(texts(errs), [
    'roleRef: Invalid value: {"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}: cannot change roleRef',
  ]);
  assert.match(invalidObject('RoleBinding', 'rbac.authorization.k8s.io', 'read-pods', errs).message, /^RoleBinding\.rbac\.authorization\.k8s\.io "read-pods" is invalid: roleRef: Invalid value: .*: cannot change roleRef$/);
});

test('roleBindingResource.validateUpdate() accepts changed subjects', () => {
  const next = binding({ subjects: [{ kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' }] });
  assert.deepEqual(roleBindingResource.validateUpdate!(next, binding()), []);
});

test('roleBindingResource discovery facts match a v1.32 server', () => {
  assert.equal(roleBindingResource.plural, 'rolebindings');
  assert.equal(roleBindingResource.singular, 'rolebinding');
  assert.equal(roleBindingResource.namespaced, true);
  assert.equal(roleBindingResource.shortNames, undefined);
});

test('roleBindingResource.printer prints ROLE as Kind/name and wide subject columns', () => {
  const p = roleBindingResource.printer;
  assert.deepEqual(
    p.columns.map((c) => [c.name, c.priority]),
    [
      ['Name', 0],
      ['Role', 0],
      ['Age', 0],
      ['Users', 1],
      ['Groups', 1],
      ['ServiceAccounts', 1],
    ],
  );
  const rb = binding({
    subjects: [
      { kind: 'User', name: 'jane' },
      { kind: 'User', name: 'bob' },
      { kind: 'Group', name: 'devs' },
      { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
    ],
  });
  assert.deepEqual(p.row(rb, { now: Date.parse('2024-01-01T00:05:00Z') }), ['read-pods', 'Role/pod-reader', '5m', 'jane, bob', 'devs', 'ci/builder']);
});

test('roleBindingResource.printer prints empty subject cells', () => {
  const rb = binding({ subjects: undefined });
  assert.deepEqual(roleBindingResource.printer.row(rb, { now: Date.parse('2024-01-01T00:00:30Z') }).slice(2), ['30s', '', '', '']);
});
