import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, pinnedName } from './selectors.js';
import { ApiError } from '../api/errors.js';

test('parseLabelSelector() reads equality, set and existence terms', () => {
  const sel = parseLabelSelector('app=web,tier!=db,env in (prod, staging),!legacy,track,zone notin (a)');
  assert.deepEqual(sel, [
    { key: 'app', op: 'eq', value: 'web' },
    { key: 'tier', op: 'neq', value: 'db' },
    { key: 'env', op: 'in', values: ['prod', 'staging'] },
    { key: 'legacy', op: 'notexists' },
    { key: 'track', op: 'exists' },
    { key: 'zone', op: 'notin', values: ['a'] },
  ]);
});

test('matchLabels() applies every requirement', () => {
  const sel = parseLabelSelector('app=web,env in (prod),!legacy');
  assert.equal(matchLabels(sel, { app: 'web', env: 'prod' }), true);
  assert.equal(matchLabels(sel, { app: 'web', env: 'dev' }), false);
  assert.equal(matchLabels(sel, { app: 'web', env: 'prod', legacy: 'x' }), false);
  assert.equal(matchLabels(parseLabelSelector('tier!=db'), {}), true);
  assert.equal(matchLabels(parseLabelSelector('n>3'), { n: '5' }), true);
  assert.equal(matchLabels(parseLabelSelector('n<3'), { n: '5' }), false);
});

test('parseLabelSelector() rejects malformed selectors with 400', () => {
  for (const bad of ['app=', 'a b c', '=x', 'app==web,,x', 'app in (a b)']) {
    if (bad === 'app=') continue; // empty value is a valid label value
    assert.throws(() => parseLabelSelector(bad), (e: unknown) => e instanceof ApiError && e.code === 400, bad);
  }
});

test('parseFieldSelector() accepts supported fields and rejects others', () => {
  const reqs = parseFieldSelector('metadata.name=web-0,status.phase!=Running', ['metadata.name', 'status.phase']);
  assert.equal(pinnedName(reqs), 'web-0');
  const get = (f: string) => ({ 'metadata.name': 'web-0', 'status.phase': 'Pending' })[f] ?? '';
  assert.equal(matchFields(reqs, get), true);
  assert.throws(
    () => parseFieldSelector('spec.foo=bar', ['metadata.name']),
    (e: unknown) => e instanceof ApiError && e.code === 400 && /field label not supported: spec.foo/.test(e.message),
  );
});

test('parseFieldSelector() unescapes values', () => {
  const reqs = parseFieldSelector('metadata.name=a\\,b', ['metadata.name']);
  assert.deepEqual(reqs, [{ field: 'metadata.name', op: 'eq', value: 'a,b' }]);
});
