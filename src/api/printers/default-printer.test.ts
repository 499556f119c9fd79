import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createdAtCell, createdAtPrinter } from './created-at-printer.js';
import { defaultPrinter } from './default-printer.js';

test('defaultPrinter prints NAME and AGE', () => {
  assert.deepEqual(defaultPrinter.columns.map((c) => c.name), ['Name', 'Age']);
  const obj = { metadata: { name: 'x', creationTimestamp: '2024-01-01T00:00:00Z' } };
  assert.deepEqual(defaultPrinter.row(obj, { now: Date.parse('2024-01-01T00:02:00Z') }), ['x', '2m']);
  assert.deepEqual(defaultPrinter.row({ metadata: { name: 'y' } }, { now: 0 }), ['y', '<unknown>']);
});

test('createdAtPrinter prints NAME and CREATED AT as a date column', () => {
  assert.deepEqual(createdAtPrinter.columns.map((c) => [c.name, c.type]), [
    ['Name', 'string'],
    ['Created At', 'date'],
  ]);
  assert.equal(createdAtCell({ metadata: { creationTimestamp: '2024-01-01T02:00:00.789+02:00' } }), '2024-01-01T00:00:00Z');
  assert.equal(createdAtCell({ metadata: {} }), '0001-01-01T00:00:00Z');
});
