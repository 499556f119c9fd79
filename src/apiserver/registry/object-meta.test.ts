import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatedName } from './object-meta.js';

test('generatedName() cuts the base to 58 characters and adds 5 safe random characters', () => {
  const long = 'a'.repeat(70);
  const n = generatedName(long);
  assert.equal(n.length, 63);
  assert.ok(n.startsWith('a'.repeat(58)));
  assert.match(generatedName('web-'), /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});
