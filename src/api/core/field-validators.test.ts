import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import {
  base64ErrorIndex,
  isConfigMapKey,
  isEnvVarName,
  isValidPortName,
  parseIPFamily,
  validateAppProtocol,
  validateImmutable,
  validateKubeFinalizerName,
  validatePortNum,
  validateProtocol,
  validateSemanticImmutable,
} from './field-validators.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

test('base64ErrorIndex() reports the first bad input byte as Go does', () => {
  assert.equal(base64ErrorIndex('aGVsbG8='), -1);
  assert.equal(base64ErrorIndex('aGVs\nbG8='), -1);
  assert.equal(base64ErrorIndex(''), -1);
  assert.equal(base64ErrorIndex('abc'), 0);
  assert.equal(base64ErrorIndex('aGVsbG8'), 4);
  assert.equal(base64ErrorIndex('ab$d'), 2);
  assert.equal(base64ErrorIndex('a==='), 1);
  assert.equal(base64ErrorIndex('ab=c'), 2);
  assert.equal(base64ErrorIndex('ab='), 3);
  assert.equal(base64ErrorIndex('ab==abcd'), 4);
});

test('isEnvVarName() accepts C-ish names with dots and dashes', () => {
  assert.deepEqual(isEnvVarName('MY_VAR.name-1'), []);
  assert.equal(isEnvVarName('1ABC').length, 1);
  assert.deepEqual(isEnvVarName('..x'), ["must not start with '..'"]);
});

test('isConfigMapKey() and isValidPortName() use Kubernetes\' rules', () => {
  assert.deepEqual(isConfigMapKey('.env'), []);
  assert.deepEqual(isConfigMapKey('.'), ["must not be '.'"]);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('123'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must contain consecutive hyphens'.replace('must', 'must not')]);
  assert.deepEqual(isValidPortName('very-long-port-name'), ['must be no more than 15 characters']);
});

test('parseIPFamily() accepts IPv4 with leading zeros and IPv6', () => {
  assert.equal(parseIPFamily('010.0.0.1'), 4);
  assert.equal(parseIPFamily('fd00::1'), 6);
  assert.equal(parseIPFamily('10.0.0.256'), 0);
  assert.equal(parseIPFamily('None'), 0);
});

test('validateKubeFinalizerName() accepts the standard names and qualified ones', () => {
  assert.deepEqual(validateKubeFinalizerName('kubernetes', 'f'), []);
  assert.deepEqual(validateKubeFinalizerName('example.com/x', 'f'), []);
  assert.equal(validateKubeFinalizerName('custom', 'f').length, 1);
});

test('validatePortNum() reports a missing port as 0', () => {
  assert.deepEqual(validatePortNum(80, 'port'), []);
  assert.deepEqual(texts(validatePortNum(undefined, 'port')), ['port: Invalid value: 0: must be between 1 and 65535, inclusive']);
  assert.deepEqual(texts(validatePortNum(70000, 'port')), ['port: Invalid value: 70000: must be between 1 and 65535, inclusive']);
});

test('validateProtocol() requires one of SCTP, TCP, UDP', () => {
  assert.deepEqual(validateProtocol('UDP', 'p'), []);
  assert.deepEqual(texts(validateProtocol('', 'p')), ['p: Required value']);
  assert.deepEqual(texts(validateProtocol('HTTP', 'p')), ['p: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']);
});

test('validateAppProtocol() checks a set value as a qualified name', () => {
  assert.deepEqual(validateAppProtocol(undefined, 'a'), []);
  assert.deepEqual(validateAppProtocol(null, 'a'), []);
  assert.deepEqual(validateAppProtocol('kubernetes.io/h2c', 'a'), []);
  assert.equal(validateAppProtocol('a/b/c', 'a').length, 1);
});

test('validateSemanticImmutable() treats nil and empty alike; validateImmutable() does not', () => {
  assert.deepEqual(validateSemanticImmutable('f', { next: [], old: undefined }), []);
  assert.deepEqual(validateSemanticImmutable('f', { next: { a: 1, b: 2 }, old: { b: 2, a: 1 } }), []);
  assert.deepEqual(texts(validateSemanticImmutable('f', { next: 'x', old: 'y' })), ['f: Invalid value: "x": field is immutable']);
  assert.deepEqual(texts(validateSemanticImmutable('f', { next: undefined, old: 'y' })), ['f: Invalid value: null: field is immutable']);
  assert.equal(validateImmutable('f', { next: [], old: undefined }).length, 1);
});
