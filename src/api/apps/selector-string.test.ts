import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import { parseLabelSelector, selectorMatches, validateLabelSelector } from '../validation/label-selector.js';
import { formatLabelSelector, labelSelectorAsString } from './selector-string.js';

test('labelSelectorAsString() writes matchLabels as key=value in key order', () => {
  assert.equal(labelSelectorAsString({ matchLabels: { app: 'nginx' } }), 'app=nginx');
  assert.equal(labelSelectorAsString({ matchLabels: { tier: 'web', app: 'nginx' } }), 'app=nginx,tier=web');
});

test('labelSelectorAsString() writes expressions as Kubernetes does', () => {
  const s = labelSelectorAsString({
    matchLabels: { app: 'nginx' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'owner', operator: 'Exists' },
    ],
  });
  assert.equal(s, 'app=nginx,!canary,env in (dev,prod),owner,zone notin (b)');
});

test('labelSelectorAsString() is empty for a missing or empty selector', () => {
  assert.equal(labelSelectorAsString(undefined), '');
  assert.equal(labelSelectorAsString({}), '');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bad', values: [] }] }), '<error>');
});

test('selectorMatches() follows requirement semantics', () => {
  const sel = parseLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] });
  assert.equal(selectorMatches(sel, { app: 'web' }), true);
  assert.equal(selectorMatches(sel, { app: 'web', env: 'dev' }), false);
  assert.equal(selectorMatches(sel, { app: 'db' }), false);
  assert.equal(selectorMatches(parseLabelSelector(undefined), { app: 'web' }), false);
  assert.equal(selectorMatches(parseLabelSelector({}), { app: 'web' }), true);
});

test('validateLabelSelector() reports Kubernetes messages', () => {
  const errs = validateLabelSelector(
    { matchExpressions: [{ key: 'a', operator: 'In' }, { key: 'b', operator: 'Exists', values: ['x'] }] },
    'spec.selector',
  ).map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  assert.deepEqual(errs, [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
  ]);
});
