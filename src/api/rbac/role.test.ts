import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody, invalidObject } from '../errors.js';
import type { FieldError } from '../errors.js';
import { roleResource, validateRole } from './role.js';
import type { RoleObject } from './role.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

function role(rules: any[], name = 'pod-reader'): RoleObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace: 'default' },
    rules,
  };
}

test('validateRole() accepts a resource rule', () => {
  assert.deepEqual(validateRole(role([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }])), []);
});

test('validateRole() requires verbs', () => {
  assert.deepEqual(texts(validateRole(role([{ apiGroups: [''], resources: ['pods'] }]))), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
  ]);
});

test('validateRole() requires apiGroups and resources of resource rules', () => {
  assert.deepEqual(texts(validateRole(role([{ verbs: ['get'] }]))), [
    'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
    'rules[0].resources: Required value: resource rules must supply at least one resource',
  ]);
});

test('validateRole() rejects non-resource URLs in a namespaced role', () => {
  assert.deepEqual(texts(validateRole(role([{ nonResourceURLs: ['/healthz'], verbs: ['get'] }]))), [
    'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
  ]);
});

test('validateRole() allows path-segment names that are not DNS names', () => {
  assert.deepEqual(validateRole(role([], 'system:Controller_x')), []);
});

test('validateRole() reports a bad path-segment name once', () => {
  const errs = validateRole(role([], 'a/b'));
  assert.deepEqual(texts(errs), ['metadata.name: Invalid value: "a/b": may not contain \'/\'']);
  assert.equal(
    invalidObject('Role', 'rbac.authorization.k8s.io', 'a/b', errs).message,
    'Role.rbac.authorization.k8s.io "a/b" is invalid: metadata.name: Invalid value: "a/b": may not contain \'/\'',
  );
});

test('validateRole() requires a namespace', () => {
  const r = role([]);
  delete r.metadata!.namespace;
  assert.deepEqual(texts(validateRole(r)), ['metadata.namespace: Required value']);
});

test('roleResource.validateUpdate() rejects a rename', () => {
  const old = role([], 'a');
  const errs = roleResource.validateUpdate!(role([], 'b'), old);
  assert.ok(texts(errs).includes('metadata.name: Invalid value: "b": field is immutable'));
});

test('roleResource discovery facts match a v1.32 server', () => {
  assert.equal(roleResource.plural, 'roles');
  assert.equal(roleResource.singular, 'role');
  assert.equal(roleResource.namespaced, true);
  assert.equal(roleResource.shortNames, undefined);
  assert.equal(roleResource.verbs, undefined);
});

test('roleResource.printer prints NAME and CREATED AT as an RFC 3339 date', () => {
  const r = role([]);
  r.metadata!.creationTimestamp = '2024-01-01T00:00:00Z';
  assert.deepEqual(
    roleResource.printer.columns.map((c) => [c.name, c.type]),
    [
      ['Name', 'string'],
      ['Created At', 'date'],
    ],
  );
  assert.deepEqual(roleResource.printer.row(r, { now: Date.parse('2024-06-01T00:00:00Z') }), ['pod-reader', '2024-01-01T00:00:00Z']);
});

test('roleResource.printer prints Go zero time without a creationTimestamp', () => {
  assert.deepEqual(roleResource.printer.row(role([]), { now: 0 }), ['pod-reader', '0001-01-01T00:00:00Z']);
});
