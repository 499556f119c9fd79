import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64ErrorIndex, isConfigMapKey, isEnvVarName, isValidPortName, parseIPFamily, validateKubeFinalizerName } from './field-validators.js';

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
