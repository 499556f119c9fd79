import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toStoredJson, withResourceVersion } from './stored-json.js';

test('toStoredJson() drops resourceVersion and puts apiVersion, kind and metadata first', () => {
  const s = toStoredJson({ spec: { x: 1 }, metadata: { name: 'a', resourceVersion: '9' }, kind: 'Pod', apiVersion: 'v1' });
  assert.equal(s, '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"x":1}}');
});

test('withResourceVersion() splices the revision into the top-level metadata', () => {
  const stored = toStoredJson({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { template: { metadata: { name: 'inner' } } } });
  const out = JSON.parse(withResourceVersion(stored, 42));
  assert.equal(out.metadata.resourceVersion, '42');
  assert.equal(out.metadata.name, 'a');
  assert.equal(out.spec.template.metadata.resourceVersion, undefined);
  assert.deepEqual(JSON.parse(withResourceVersion('{"apiVersion":"v1","kind":"X","metadata":{}}', 3)).metadata, { resourceVersion: '3' });
});

test('withResourceVersion() falls back to parsing values in another key order', () => {
  const out = JSON.parse(withResourceVersion('{"metadata":{"name":"b"},"apiVersion":"v1"}', 7));
  assert.deepEqual(out.metadata, { name: 'b', resourceVersion: '7' });
});
