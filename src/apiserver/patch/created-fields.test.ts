import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaNode } from '../../api/schema/schemas.js';
import { FieldSet } from './field-set.js';
import { createdSet, exemplarOf, sameShape } from './created-fields.js';

const shapeOf = (x: unknown) => exemplarOf(x, false, { nodes: 1000 });
const same = (a: unknown, b: unknown) => sameShape(shapeOf(a), b, false);
const pod = (image: string, extra: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${image}`, labels: { app: image } },
  spec: { containers: [{ name: 'c', image: 'busybox' }], priority: 3, hostNetwork: false, ...extra },
});

test('one shape: other scalars outside lists, other key order', () => {
  assert.ok(same(pod('a'), pod('b')));
  assert.ok(same(pod('a'), { ...pod('b'), spec: { ...pod('b').spec, priority: 9, hostNetwork: true } }));
  assert.ok(same({ a: 1, b: 's' }, { b: 't', a: 2 }));
  assert.ok(same({ a: null }, { a: null }));
});

test('another shape: keys, kinds, emptiness, list items and lengths', () => {
  assert.ok(!same(pod('a'), pod('a', { nodeName: 'n' })), 'an extra key');
  assert.ok(!same(pod('a', { nodeName: 'n' }), pod('a')), 'a missing key');
  assert.ok(!same({ a: 's' }, { a: 1 }), 'string and number');
  assert.ok(!same({ a: 's' }, { a: null }), 'string and null');
  assert.ok(!same({ a: true }, { a: 'true' }), 'boolean and string');
  assert.ok(!same({ a: {} }, { a: [] }), 'map and list');
  assert.ok(!same({ a: {} }, { a: { b: 's' } }), 'empty and non-empty map');
  assert.ok(!same({ a: 's' }, { a: {} }), 'scalar and map');
  assert.ok(!same({ l: ['x'] }, { l: ['y'] }), 'a list value');
  assert.ok(!same({ l: [{ name: 'a' }] }, { l: [{ name: 'b' }] }), 'a value inside a list item');
  assert.ok(!same({ l: ['x'] }, { l: ['x', 'x'] }), 'a list length');
  assert.ok(!same({ l: ['x', 'y'] }, { l: ['y', 'x'] }), 'list order is kept');
  assert.ok(!same({ a: undefined }, {}), 'an undefined value is a key');
});

test('keys named like Object.prototype members are ordinary keys of the shape', () => {
  const a = JSON.parse('{"spec":{"__proto__":{"x":"1"}}}');
  const b = JSON.parse('{"spec":{"x":"2"}}');
  assert.ok(!same(a, b), 'a __proto__ key is not a prototype');
  assert.ok(!same(b, a));
  assert.ok(same(a, JSON.parse('{"spec":{"__proto__":{"x":"other"}}}')));
  assert.ok(!same({ constructor: 's' }, {}));
  assert.ok(!same({}, { toString: 's' }));
});

test('createdSet remembers a set per schema, reset and shape, and not for objects over the size limit', () => {
  const schema = schemaNode('io.k8s.api.core.v1.ConfigMap');
  let computed = 0;
  const compute = () => (computed++, FieldSet.of(['f:data']));
  const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });
  const first = createdSet(schema, 'r', cm({ a: '1' }), compute);
  assert.equal(createdSet(schema, 'r', cm({ a: '2' }), compute), first, 'the same shape');
  assert.equal(computed, 1);
  createdSet(schema, 'other reset', cm({ a: '2' }), compute);
  assert.equal(computed, 2, 'another reset key is another memo');
  createdSet(schemaNode('io.k8s.api.core.v1.Secret'), 'r', cm({ a: '2' }), compute);
  assert.equal(computed, 3, 'another schema is another memo');
  const big = cm(Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'v'])));
  createdSet(schema, 'r', big, compute);
  createdSet(schema, 'r', big, compute);
  assert.equal(computed, 5, 'too large to remember');
  assert.equal(createdSet(schema, 'r', cm({ a: '3' }), compute), first, 'still remembered');
});

test('a thrown computation is not remembered', () => {
  const schema = schemaNode('io.k8s.api.core.v1.Service');
  const obj = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } };
  assert.throws(() => createdSet(schema, 'r', obj, () => { throw new Error('cannot walk'); }), /cannot walk/);
  const set = FieldSet.of(['f:spec']);
  assert.equal(createdSet(schema, 'r', obj, () => set), set);
});
