import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import { clusterRoleResource, validateClusterRole } from './cluster-role.js';
import type { ClusterRoleObject } from './cluster-role.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

function clusterRole(extra: Partial<ClusterRoleObject>): ClusterRoleObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'viewer' }, ...extra };
}

test('validateClusterRole() accepts non-resource URLs', () => {
  assert.deepEqual(validateClusterRole(clusterRole({ rules: [{ nonResourceURLs: ['/healthz', '/version'], verbs: ['get'] }] })), []);
});

test('validateClusterRole() rejects rules mixing resources and non-resource URLs', () => {
  const errs = validateClusterRole(clusterRole({ rules: [{ nonResourceURLs: ['/healthz'], resources: ['pods'], verbs: ['get'] }] }));
  assert.deepEqual(texts(errs), [
    'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs',
  ]);
});

test('validateClusterRole() requires verbs', () => {
  assert.deepEqual(texts(validateClusterRole(clusterRole({ rules: [{ apiGroups: ['*'], resources: ['*'], verbs: [] }] }))), [
    'rules[0].verbs: Required value: verbs must contain at least one value',
  ]);
});

test('validateClusterRole() forbids metadata.namespace', () => {
  const cr = clusterRole({});
  cr.metadata!.namespace = 'default';
  assert.deepEqual(texts(validateClusterRole(cr)), ['metadata.namespace: Forbidden: not allowed on this type']);
});

test('validateClusterRole() requires selectors in an aggregationRule', () => {
  assert.deepEqual(texts(validateClusterRole(clusterRole({ aggregationRule: {} }))), [
    'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil',
  ]);
});

test('validateClusterRole() validates aggregation selectors', () => {
  const errs = validateClusterRole(
    clusterRole({
      aggregationRule: {
        clusterRoleSelectors: [
          { matchLabels: { 'rbac.example.com/aggregate-to-view': 'true' } },
          { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }, { key: 'x', operator: 'Exists', values: ['a'] }, { key: 'y', operator: 'Has' }] },
        ],
      },
    }),
  );
  assert.deepEqual(texts(errs), [
    "aggregationRule.clusterRoleSelectors[1].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "aggregationRule.clusterRoleSelectors[1].matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    'aggregationRule.clusterRoleSelectors[1].matchExpressions[2].operator: Invalid value: "Has": not a valid selector operator',
  ]);
});

test('validateClusterRole() keeps invalid selector values an old object already had', () => {
  const bad = { clusterRoleSelectors: [{ matchExpressions: [{ key: 'k', operator: 'In', values: ['-bad-'] }] }] };
  assert.equal(validateClusterRole(clusterRole({ aggregationRule: bad })).length, 1);
  assert.deepEqual(clusterRoleResource.validateUpdate!(clusterRole({ aggregationRule: bad }), clusterRole({ aggregationRule: bad })), []);
});

test('clusterRoleResource discovery facts match a v1.32 server', () => {
  assert.equal(clusterRoleResource.plural, 'clusterroles');
  assert.equal(clusterRoleResource.singular, 'clusterrole');
  assert.equal(clusterRoleResource.namespaced, false);
  assert.equal(clusterRoleResource.shortNames, undefined);
});

test('clusterRoleResource.printer prints NAME and CREATED AT', () => {
  const cr = clusterRole({});
  cr.metadata!.creationTimestamp = '2024-03-05T10:20:30Z';
  assert.deepEqual(clusterRoleResource.printer.row(cr, { now: Date.now() }), ['viewer', '2024-03-05T10:20:30Z']);
});
