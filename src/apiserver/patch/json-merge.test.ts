import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatch } from './json-merge.js';

test('mergePatch() merges objects recursively and deletes keys set to null', () => {
  const original = { metadata: { labels: { app: 'web', tier: 'front' }, name: 'p' }, spec: { replicas: 1 } };
  const out = mergePatch(original, { metadata: { labels: { tier: null, env: 'prod' } }, spec: { replicas: 3 } });
  assert.deepEqual(out, { metadata: { labels: { app: 'web', env: 'prod' }, name: 'p' }, spec: { replicas: 3 } });
});

test('mergePatch() replaces lists and scalars wholesale', () => {
  const out = mergePatch({ a: [1, 2], b: { c: 1 } }, { a: [3], b: 'x' });
  assert.deepEqual(out, { a: [3], b: 'x' });
});

test('mergePatch() follows the RFC 7386 examples', () => {
  assert.deepEqual(mergePatch({ a: 'b' }, { a: 'c' }), { a: 'c' });
  assert.deepEqual(mergePatch({ a: 'b' }, { b: 'c' }), { a: 'b', b: 'c' });
  assert.deepEqual(mergePatch({ a: 'b' }, { a: null }), {});
  assert.deepEqual(mergePatch({ a: [{ b: 'c' }] }, { a: [1] }), { a: [1] });
  assert.deepEqual(mergePatch(['a', 'b'], ['c', 'd']), ['c', 'd']);
  assert.deepEqual(mergePatch({ a: 'b' }, ['c']), ['c']);
  assert.equal(mergePatch({ a: 'foo' }, null), null);
  assert.deepEqual(mergePatch({ e: null }, { a: 1 }), { e: null, a: 1 });
  assert.deepEqual(mergePatch([1, 2], { a: 'b', c: null }), { a: 'b' });
  assert.deepEqual(mergePatch({}, { a: { bb: { ccc: null } } }), { a: { bb: {} } });
});

test('mergePatch() never mutates its inputs and shares nothing with them', () => {
  const original = Object.freeze({ keep: Object.freeze({ x: 1 }), change: Object.freeze({ y: 1 }) });
  const patch = Object.freeze({ change: Object.freeze({ z: Object.freeze({ deep: 1 }) }) });
  const out = mergePatch(original, patch) as any;
  out.keep.x = 2;
  out.change.z.deep = 2;
  assert.equal(original.keep.x, 1);
  assert.equal(patch.change.z.deep, 1);
  assert.deepEqual(original.change, { y: 1 });
});
