import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { replicaSetResource as rs } from './replica-set.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:00:10Z');

function frontend(spec: Record<string, unknown> = {}): KObject {
  const o: KObject = {
    metadata: { name: 'frontend', namespace: 'default', creationTimestamp: '2024-05-01T12:00:00Z' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { tier: 'frontend' } },
      template: { metadata: { labels: { tier: 'frontend' } }, spec: { containers: [{ name: 'php-redis', image: 'us-docker.pkg.dev/google-samples/containers/gb-frontend:v5' }] } },
      ...spec,
    },
  };
  rs.defaults!(o);
  rs.prepareForCreate!(o, { now: '' });
  return o;
}

test('replicaSetResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual(rs.shortNames, ['rs']);
  assert.deepEqual(rs.categories, ['all']);
  assert.equal(rs.hasStatus, true);
  assert.equal(rs.scale?.selector(frontend()), 'tier=frontend');
  assert.equal(rs.fieldSelectors?.['status.replicas'](frontend()), '0');
});

test('defaults() sets replicas 1 and prepareForCreate() resets status', () => {
  const o = frontend({ replicas: undefined });
  assert.equal(o.spec.replicas, 1);
  assert.deepEqual(o.status, { replicas: 0 });
  assert.deepEqual(msgs(rs.validate!(o)), []);
});

test('validate() says "deployment" for an empty ReplicaSet selector, as Kubernetes does', () => {
  const o = frontend({ selector: {} });
  assert.deepEqual(msgs(rs.validate!(o)), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']);
});

test('validateUpdate() makes the selector immutable', () => {
  const old = frontend();
  const next = structuredClone(old);
  next.spec.selector = { matchLabels: { tier: 'frontend', v: '2' } };
  next.spec.template.metadata.labels.v = '2';
  assert.deepEqual(msgs(rs.validateUpdate!(next, old)), ['spec.selector: Invalid value: {"matchLabels":{"tier":"frontend","v":"2"}}: field is immutable']);
});

test('printer row() prints DESIRED, CURRENT, READY and the wide selector', () => {
  assert.deepEqual(rs.printer.columns.map((c) => c.name), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector']);
  const o = frontend();
  o.status = { replicas: 3, readyReplicas: 1 };
  assert.deepEqual(rs.printer.row(o, { now: NOW }), ['frontend', 3, 3, 1, '10s', 'php-redis', 'us-docker.pkg.dev/google-samples/containers/gb-frontend:v5', 'tier=frontend']);
});
