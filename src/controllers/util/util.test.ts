import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, computeHash, fnv32a, safeEncodeString } from './hash.js';
import { isPodAvailable, isPodReady, podClaimNames } from './pods.js';
import { controllerOf, isControlledBy, newControllerRef } from './owners.js';

test('fnv32a() matches the FNV-1a reference values', () => {
  assert.equal(fnv32a(''), 0x811c9dc5);
  assert.equal(fnv32a('a'), 0xe40c292c);
  assert.equal(fnv32a('foobar'), 0xbf9cf968);
});

test('computeHash() is stable across key order, changes with the collision count, and uses the safe alphabet', () => {
  const a = computeHash({ b: 1, a: [1, { y: 2, x: 1 }] });
  assert.equal(a, computeHash({ a: [1, { x: 1, y: 2 }], b: 1 }));
  assert.notEqual(a, computeHash({ a: [1, { x: 1, y: 2 }], b: 1 }, 1));
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(safeEncodeString('0'), '4');
  assert.equal(canonicalJson({ b: undefined, a: null }), '{"a":null}');
});

test('pod helpers read readiness, availability and claims as Kubernetes does', () => {
  const t0 = '2026-01-01T00:00:00Z';
  const pod = {
    metadata: { name: 'web-0' },
    spec: { volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }, { name: 'scratch', ephemeral: {} }, { name: 'e', emptyDir: {} }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t0 }] },
  };
  assert.equal(isPodReady(pod), true);
  assert.equal(isPodAvailable(pod, 10, new Date('2026-01-01T00:00:05Z')), false);
  assert.equal(isPodAvailable(pod, 10, new Date('2026-01-01T00:00:10Z')), true);
  assert.deepEqual(podClaimNames(pod), ['www-web-0', 'web-0-scratch']);
});

test('owner helpers find the controller reference', () => {
  const owner = { metadata: { name: 'web', uid: 'u1' } };
  const ref = newControllerRef(owner, 'apps/v1', 'StatefulSet');
  const pod = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u0' }, ref] } };
  assert.equal(controllerOf(pod)?.uid, 'u1');
  assert.equal(isControlledBy(pod, owner), true);
  assert.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true });
});
