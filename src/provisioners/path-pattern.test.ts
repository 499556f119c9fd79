import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandPathPattern, PathPatternError } from './path-pattern.js';

const claim = {
  metadata: {
    name: 'data-web-0',
    namespace: 'shop',
    labels: { app: 'web', tier: 'db' },
    annotations: { 'nfs.io/storage-path': 'orders', evil: '../../etc', abs: '/etc' },
  },
};
const input = { claim, pvName: 'pvc-1234' };

test('expandPathPattern() expands the nfs-subdir .PVC variables', () => {
  assert.equal(expandPathPattern('${.PVC.namespace}-${.PVC.name}', input), 'shop-data-web-0');
  assert.equal(expandPathPattern('${.PVC.namespace}/${.PVC.annotations.nfs.io/storage-path}', input), 'shop/orders');
  assert.equal(expandPathPattern('${.PVC.labels.app}/${.PVC.labels.tier}', input), 'web/db');
});

test('expandPathPattern() expands the short names used by the default patterns', () => {
  assert.equal(expandPathPattern('${namespace}-${pvcName}-${pvName}', input), 'shop-data-web-0-pvc-1234');
  assert.equal(expandPathPattern('${pvName}_${namespace}_${pvcName}', input), 'pvc-1234_shop_data-web-0');
});

test('expandPathPattern() expands a missing label or annotation to "" and cleans the empty segment', () => {
  assert.equal(expandPathPattern('${.PVC.namespace}/${.PVC.annotations.missing}/x', input), 'shop/x');
  assert.equal(expandPathPattern('./${.PVC.name}/', input), 'data-web-0');
});

test('expandPathPattern() rejects an unknown variable by name', () => {
  assert.throws(() => expandPathPattern('${.PVC.uid}', input), (e: Error) => e instanceof PathPatternError && e.message.includes('unknown variable "${.PVC.uid}"'));
  assert.throws(() => expandPathPattern('${node}', input), /unknown variable "\$\{node\}"/);
  assert.throws(() => expandPathPattern('${namespace', input), /not closed/);
});

test('expandPathPattern() rejects results that escape or are the base directory', () => {
  assert.throws(() => expandPathPattern('../${pvName}', input), /contains "\.\." and would escape/);
  assert.throws(() => expandPathPattern('${.PVC.annotations.evil}', input), /would escape/);
  assert.throws(() => expandPathPattern('${.PVC.annotations.abs}', input), /absolute path/);
  assert.throws(() => expandPathPattern('/srv/${pvName}', input), /absolute path/);
  assert.throws(() => expandPathPattern('${.PVC.annotations.missing}', input), /names no directory/);
  assert.throws(() => expandPathPattern('', input), /names no directory/);
  assert.throws(() => expandPathPattern('./.', input), /names no directory/);
});

test('expandPathPattern() keeps literal text and dots that are not a ".." segment', () => {
  assert.equal(expandPathPattern('vol..${pvName}.d', input), 'vol..pvc-1234.d');
  assert.equal(expandPathPattern('$pvName', input), '$pvName');
});
