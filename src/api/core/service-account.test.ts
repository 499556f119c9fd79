import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../resource.js';
import { serviceAccountResource } from './service-account.js';

test('serviceAccountResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual([serviceAccountResource.singular, serviceAccountResource.shortNames], ['serviceaccount', ['sa']]);
});

test('serviceAccountResource.prepareForCreate() keeps only secret names', () => {
  const sa: KObject = { metadata: { name: 'builder', namespace: 'default' }, secrets: [{ name: 'tok', namespace: 'x', uid: 'u' }] };
  serviceAccountResource.prepareForCreate!(sa, { now: '' });
  assert.deepEqual(sa.secrets, [{ name: 'tok' }]);
});

test('serviceAccountResource.validate() requires a DNS subdomain name', () => {
  assert.equal(serviceAccountResource.validate!(Object.freeze({ metadata: { name: 'default', namespace: 'ns' } })).length, 0);
  assert.equal(serviceAccountResource.validate!({ metadata: { name: 'Bad', namespace: 'ns' } })[0].field, 'metadata.name');
});

test('serviceAccountResource.printer prints NAME, SECRETS, AGE', () => {
  const sa = { metadata: { name: 'default', creationTimestamp: '2024-05-01T00:00:00Z' }, secrets: [{ name: 'a' }] };
  assert.deepEqual(serviceAccountResource.printer.row(sa, { now: Date.parse('2024-05-01T00:05:00Z') }), ['default', 1, '5m']);
});
