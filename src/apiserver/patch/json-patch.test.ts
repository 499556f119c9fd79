import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPatch } from './json-patch.js';
import { isApiError } from '../../api/errors.js';

const live = () => Object.freeze({ metadata: Object.freeze({ name: 'web', labels: Object.freeze({ app: 'web' }) }), spec: Object.freeze({ replicas: 1, ports: Object.freeze([80]) }) });

function rejects(fn: () => unknown, expected: { code: number; reason: string; message: string | RegExp }) {
  assert.throws(fn, (err) => {
    assert.ok(isApiError(err));
    assert.equal(err.code, expected.code);
    assert.equal(err.reason, expected.reason);
    if (typeof expected.message === 'string') assert.equal(err.status.message, expected.message);
    else assert.match(err.status.message ?? '', expected.message);
    return true;
  });
}

test('jsonPatch() applies RFC 6902 operations in order', () => {
  const out = jsonPatch(live(), [
    { op: 'test', path: '/spec/replicas', value: 1 },
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/metadata/labels/tier', value: 'front' },
    { op: 'remove', path: '/metadata/labels/app' },
    { op: 'add', path: '/spec/ports/-', value: 443 },
    { op: 'copy', from: '/metadata/name', path: '/metadata/generateName' },
    { op: 'move', from: '/metadata/generateName', path: '/metadata/alias' },
  ]);
  assert.deepEqual(out, { metadata: { name: 'web', labels: { tier: 'front' }, alias: 'web' }, spec: { replicas: 3, ports: [80, 443] } });
});

test('jsonPatch() answers a failed test with 422 as kube-apiserver does', () => {
  rejects(() => jsonPatch(live(), [{ op: 'test', path: '/spec/replicas', value: 2 }]), {
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
  });
});

test('jsonPatch() answers operations that cannot apply with 422', () => {
  const invalid = { code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' };
  rejects(() => jsonPatch(live(), [{ op: 'replace', path: '/spec/missing', value: 1 }]), invalid);
  rejects(() => jsonPatch(live(), [{ op: 'remove', path: '/nope/x' }]), invalid);
  rejects(() => jsonPatch(live(), [{ op: 'frobnicate', path: '/spec' }]), invalid);
  rejects(() => jsonPatch(live(), [{ op: 'add', path: '/spec/x' }]), invalid);
});

test('jsonPatch() answers a body that is not a list of operations with 400', () => {
  rejects(() => jsonPatch(live(), { op: 'add' }), {
    code: 400,
    reason: 'BadRequest',
    message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
  });
  rejects(() => jsonPatch(live(), ['add']), {
    code: 400,
    reason: 'BadRequest',
    message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
  });
});

test('jsonPatch() refuses more than 10000 operations with 413', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/spec/replicas', value: 1 }));
  rejects(() => jsonPatch(live(), ops), { code: 413, reason: 'RequestEntityTooLarge', message: /10000, got 10001$/ });
});

test('jsonPatch() never mutates its inputs and shares nothing with them', () => {
  const value = Object.freeze({ deep: Object.freeze({ x: 1 }) });
  const ops = Object.freeze([Object.freeze({ op: 'add', path: '/spec/extra', value })]);
  const original = live();
  const out = jsonPatch(original, ops) as any;
  out.spec.extra.deep.x = 2;
  out.metadata.labels.app = 'changed';
  assert.equal(value.deep.x, 1);
  assert.equal(original.metadata.labels.app, 'web');
});
