import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { claimOwnerRefs, isClaimOwnerUpToDate } from './claim-retention.js';
import { webSet } from './sts-test-support.js';

function fixture(whenDeleted: string, whenScaled: string, replicas: number) {
  const set = webSet('web', { replicas, retention: { whenDeleted, whenScaled } });
  set.metadata!.uid = 'set-uid';
  const pod: KObject = { metadata: { name: 'web-1', uid: 'pod-uid' } };
  return { set, pod };
}

const kinds = (refs: { kind: string; controller?: boolean }[]) => refs.map((r) => `${r.kind}${r.controller ? '*' : ''}`).sort();

test('claimOwnerRefs() follows the retention policy for live and condemned ordinals', () => {
  const cases: [string, string, number, string[]][] = [
    ['Retain', 'Retain', 2, []],
    ['Delete', 'Retain', 2, ['StatefulSet*']],
    ['Delete', 'Retain', 1, ['StatefulSet*']],
    ['Retain', 'Delete', 2, []],
    ['Retain', 'Delete', 1, ['Pod*']],
    ['Delete', 'Delete', 2, ['StatefulSet*']],
    ['Delete', 'Delete', 1, ['Pod*']],
  ];
  for (const [whenDeleted, whenScaled, replicas, want] of cases) {
    const { set, pod } = fixture(whenDeleted, whenScaled, replicas);
    const claim: KObject = { metadata: { name: 'www-web-1', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'x' }] } };
    const refs = claimOwnerRefs(claim, set, pod);
    assert.deepEqual(kinds(refs.filter((r) => r.kind !== 'ConfigMap')), want, `${whenDeleted}/${whenScaled} replicas ${replicas}`);
    assert.ok(refs.some((r) => r.kind === 'ConfigMap'), 'other owners are kept');
    assert.equal(isClaimOwnerUpToDate({ metadata: { ...claim.metadata, ownerReferences: refs } }, set, pod), true);
    if (want.length) assert.equal(isClaimOwnerUpToDate(claim, set, pod), false);
  }
});

test('isClaimOwnerUpToDate() leaves claims with stale references or another controller alone', () => {
  const { set, pod } = fixture('Delete', 'Delete', 2);
  const stale: KObject = { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'old-uid', controller: true }] } };
  assert.equal(isClaimOwnerUpToDate(stale, set, pod), true);
  const foreign: KObject = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'Other', name: 'o', uid: 'o', controller: true }] } };
  assert.equal(isClaimOwnerUpToDate(foreign, set, pod), true);
  assert.deepEqual(kinds(claimOwnerRefs(foreign, set, pod)), ['Other*'], 'nothing added under another controller');
  const nonController: KObject = { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid' }] } };
  assert.equal(isClaimOwnerUpToDate(nonController, set, pod), false);
});
