import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand } from './expansion.js';

test('$(VAR) expansion follows Kubernetes: defined names expand, others stay, $$ escapes', () => {
  const vars = new Map([
    ['A', 'x'],
    ['EMPTY', ''],
  ]);
  const cases: [string, string][] = [
    ['$(A)', 'x'],
    ['pre-$(A)-post', 'pre-x-post'],
    ['$(A)$(A)', 'xx'],
    ['$(EMPTY)', ''],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$x'],
    ['$$$$', '$$'],
    ['$A', '$A'],
    ['$(A', '$(A'],
    ['$', '$'],
    ['a$', 'a$'],
    ['${A}', '${A}'],
    ['$()', '$()'],
  ];
  for (const [input, want] of cases) assert.equal(expand(input, vars), want, input);
});
