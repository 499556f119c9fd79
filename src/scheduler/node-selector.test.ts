import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchNodeSelectorTerms, toleratesTaint, volumeNodeAffinityMatches } from './node-selector.js';

const node = { name: 'n1', labels: { size: '8', zone: 'a' } };

test('matchNodeSelectorTerms(): empty and unparsable terms match nothing; fields match the name', () => {
  assert.equal(matchNodeSelectorTerms([{}], node), false);
  assert.equal(matchNodeSelectorTerms([{ matchExpressions: [{ key: 'size', operator: 'Gt', values: ['x'] }] }], node), false);
  assert.equal(matchNodeSelectorTerms([{ matchExpressions: [{ key: 'size', operator: 'Gt', values: ['7'] }] }], node), true);
  assert.equal(matchNodeSelectorTerms([{ matchExpressions: [{ key: 'zone', operator: 'Lt', values: ['3'] }] }], node), false);
  assert.equal(matchNodeSelectorTerms([{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n2'] }] }], node), true);
  assert.equal(matchNodeSelectorTerms([{ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['n1'] }] }], node), false);
  assert.equal(matchNodeSelectorTerms([], node), false);
  assert.equal(volumeNodeAffinityMatches({ spec: {} }, node), true);
});

test('toleratesTaint(): operator, key, value and effect rules', () => {
  const taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  assert.equal(toleratesTaint({ operator: 'Exists' }, taint), true);
  assert.equal(toleratesTaint({ key: 'k', value: 'v' }, taint), true);
  assert.equal(toleratesTaint({ key: 'k', value: 'w' }, taint), false);
  assert.equal(toleratesTaint({ key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint), false);
  assert.equal(toleratesTaint({ key: 'other', operator: 'Exists' }, taint), false);
  assert.equal(toleratesTaint({ key: 'k', operator: 'Bogus' }, taint), false);
});
