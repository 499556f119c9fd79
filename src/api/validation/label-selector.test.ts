import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import { hasInvalidLabelValueInSelector, validateLabelMap, validateLabelSelector, validateLabelSelectorRequirement } from './label-selector.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

test('validateLabelSelector() is strict by default: operators and values are checked', () => {
  const errs = validateLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near', values: ['b c'] }] }, 'sel');
  assert.deepEqual(
    errs.map((e) => e.field),
    ['sel.matchExpressions[0].operator', 'sel.matchExpressions[0].values[0]'],
  );
  assert.equal(texts(errs)[0], 'sel.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator');
});

test('validateLabelSelector() accepts a nil selector and reports matchLabels at the map path', () => {
  assert.deepEqual(validateLabelSelector(undefined, 'sel'), []);
  assert.deepEqual(validateLabelSelector(null, 'sel'), []);
  assert.deepEqual(
    validateLabelSelector({ matchLabels: { 'bad key!': 'ok' } }, 'sel').map((e) => e.field),
    ['sel.matchLabels'],
  );
});

test('allowInvalidLabelValueInSelector skips value checks only', () => {
  const sel = { matchExpressions: [{ key: 'bad key!', operator: 'In', values: ['b c'] }] };
  const errs = validateLabelSelector(sel, 'sel', { allowInvalidLabelValueInSelector: true });
  assert.deepEqual(
    errs.map((e) => e.field),
    ['sel.matchExpressions[0].key'],
  );
});

test('allowUnknownOperatorInRequirement skips the operator check only', () => {
  assert.deepEqual(validateLabelSelectorRequirement({ key: 'a', operator: 'Near' }, 'r', { allowUnknownOperatorInRequirement: true }), []);
  assert.deepEqual(
    validateLabelSelectorRequirement({ key: 'a', operator: 'In' }, 'r', { allowUnknownOperatorInRequirement: true }).map((e) => e.field),
    ['r.values'],
  );
});

test('validateLabelSelectorRequirement() reports a null requirement as an empty one', () => {
  assert.deepEqual(
    validateLabelSelectorRequirement(null, 'r').map((e) => e.field),
    ['r.operator', 'r.key'],
  );
});

test('validateLabelMap() reports keys and values at the map path', () => {
  assert.deepEqual(
    validateLabelMap({ 'a/b/c': 'x', ok: 'bad value' }, 'labels').map((e) => [e.field, e.badValue]),
    [
      ['labels', 'a/b/c'],
      ['labels', 'bad value'],
    ],
  );
});

test('hasInvalidLabelValueInSelector() looks at expression values', () => {
  assert.equal(hasInvalidLabelValueInSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['ok'] }] }), false);
  assert.equal(hasInvalidLabelValueInSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['not ok'] }] }), true);
  assert.equal(hasInvalidLabelValueInSelector(undefined), false);
});
