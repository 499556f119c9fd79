import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalQuantity,
  compareQuantity,
  isValidQuantity,
  parseQuantity,
  quantityError,
  quantityKey,
  quantityToNumber,
  quantityValue,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_SUFFIX_ERROR,
} from './quantity.js';

const q = (s: string) => {
  const r = parseQuantity(s);
  assert.ok(r, `${s} should parse`);
  return r;
};

test('parseQuantity() reads binary suffixes exactly', () => {
  assert.equal(quantityValue(q('1Gi')), 1073741824n);
  assert.equal(quantityValue(q('1.5Gi')), 1610612736n);
  assert.equal(quantityValue(q('3Ei')), 3n * 2n ** 60n);
  assert.equal(q('1Ki').format, 'BinarySI');
});

test('parseQuantity() reads decimal suffixes and exponents exactly', () => {
  const m = q('500m');
  assert.equal(m.unscaled * 10n ** BigInt(m.scale + 3), 500n);
  assert.equal(q('500m').format, 'DecimalSI');
  assert.equal(quantityValue(q('100M')), 100_000_000n);
  assert.equal(quantityValue(q('1e3')), 1000n);
  assert.equal(q('1e3').format, 'DecimalExponent');
  assert.equal(q('1.3E+6').format, 'DecimalExponent');
  assert.equal(quantityValue(q('1.3E+6')), 1_300_000n);
  assert.equal(q('1E').format, 'DecimalSI');
  assert.equal(quantityValue(q('1E')), 10n ** 18n);
});

test('parseQuantity() accepts the odd forms Kubernetes accepts', () => {
  for (const s of ['.', '-.', '1.', '1.G', '.001', '+5', '-', '0n', '0Ki', '00']) assert.ok(parseQuantity(s), s);
  assert.equal(canonicalQuantity('1.G'), '1.G'); // kept verbatim, as Kubernetes does
  assert.equal(canonicalQuantity('.'), '0');
});

test('parseQuantity() rejects what Kubernetes rejects', () => {
  for (const s of ['', '1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', ' 1', '1 ', '1K', '1e']) {
    assert.equal(parseQuantity(s), null, s);
    assert.equal(isValidQuantity(s), false, s);
  }
  assert.equal(quantityError('aoeu'), QUANTITY_FORMAT_ERROR);
  assert.equal(quantityError('1K'), QUANTITY_SUFFIX_ERROR);
  assert.equal(
    QUANTITY_FORMAT_ERROR,
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  );
});

test('parseQuantity() rounds sub-nano values up and caps BinarySI', () => {
  assert.equal(canonicalQuantity('3.001n'), '4n');
  assert.equal(canonicalQuantity('0.0000000001'), '1n');
  assert.equal(canonicalQuantity('0.00000012345'), '124n');
  assert.equal(canonicalQuantity('.000000000001Ki'), '2n');
  assert.equal(canonicalQuantity('9Ei'), '9223372036854775807');
  assert.equal(q('0.000000000001Ki').format, 'DecimalSI');
});

test('canonicalQuantity() writes Kubernetes canonical forms', () => {
  const cases: [string, string][] = [
    ['1Ki', '1Ki'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['0.5Gi', '512Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Mi', '512Ki'],
    ['1000M', '1G'],
    ['1.5', '1500m'],
    ['100M', '100M'],
    ['500m', '500m'],
    ['1e3', '1e3'],
    ['1.2e3', '1200'],
    ['0.5e-2', '5e-3'],
    ['1.1Ki', '1126400m'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['512Ki', '512Ki'],
    ['1025Ki', '1025Ki'],
    ['100Ti', '100Ti'],
    ['0', '0'],
    ['0Gi', '0'],
    ['-0', '0'],
    ['-1024Mi', '-1Gi'],
    ['-1.5', '-1500m'],
    ['10.0350M', '10035k'],
    ['6.9876543210G', '6987654321'],
    ['12E', '12E'],
    ['1.01E', '1010P'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalQuantity(input), want, input);
});

test('canonicalQuantity() keeps input text where the Kubernetes fast path does', () => {
  assert.equal(canonicalQuantity('+1Gi'), '+1Gi');
  assert.equal(canonicalQuantity('1E3'), '1E3');
  assert.equal(canonicalQuantity('8Gi'), '8Gi');
  assert.equal(canonicalQuantity('10.035M'), '10.035M');
  assert.equal(canonicalQuantity('1.500'), '1.500');
  assert.equal(canonicalQuantity('1.000'), '1');
  assert.equal(canonicalQuantity('01Gi'), '01Gi');
});

test('canonicalQuantity() throws Kubernetes text on invalid input', () => {
  assert.throws(() => canonicalQuantity('abc'), { message: QUANTITY_FORMAT_ERROR });
});

test('canonicalQuantity() reads JSON numbers', () => {
  assert.equal(canonicalQuantity(1.5), '1500m');
  assert.equal(canonicalQuantity(1000), '1k');
});

test('compareQuantity() compares exactly across formats', () => {
  assert.equal(compareQuantity(q('1Gi'), q('1024Mi')), 0);
  assert.equal(compareQuantity(q('1G'), q('1Gi')), -1);
  assert.equal(compareQuantity(q('10000T'), q('100Gi')), 1);
  assert.equal(compareQuantity(q('50m'), q('100m')), -1);
  assert.equal(compareQuantity(q('1e3'), q('1k')), 0);
  assert.equal(compareQuantity(q('0'), q('0Gi')), 0);
  assert.equal(compareQuantity(q('-1'), q('0')), -1);
});

test('quantityToNumber() gives the nearest float', () => {
  assert.equal(quantityToNumber(q('1.1Ki')), 1126.4);
  assert.equal(quantityToNumber(q('2Gi')), 2147483648);
  assert.equal(quantityToNumber(q('500m')), 0.5);
});

test('compareQuantity() handles huge exponents without expanding them', () => {
  assert.equal(compareQuantity(q('1e999999999'), q('1Ei')), 1);
  assert.equal(compareQuantity(q('-1e999999999'), q('0')), -1);
  assert.equal(compareQuantity(q('1e-999999999'), q('1n')), 0, 'rounded up to 1n');
  assert.equal(canonicalQuantity('1e999999999'), '1e999999999');
  assert.equal(canonicalQuantity('2e-999999999'), '1e-9');
});

test('quantityKey() is equal for equal values in any format', () => {
  assert.equal(quantityKey(q('1Gi')), quantityKey(q('1073741824')));
  assert.equal(quantityKey(q('1k')), quantityKey(q('1e3')));
  assert.notEqual(quantityKey(q('1k')), quantityKey(q('1Ki')));
  assert.equal(quantityKey(q('0')), quantityKey(q('0Mi')));
});
