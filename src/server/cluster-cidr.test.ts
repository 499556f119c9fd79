import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CANDIDATES, defaultClusterCidr, freeClusterCidr, hostRoutes } from './cluster-cidr.js';
import { parseCidr } from '../util/ipv4.js';

// /proc/net/route as Linux writes it: little-endian hex, a header line, a default route.
const TABLE = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
  'b1a2b3-node-1\t0000F40A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
].join('\n');

test('hostRoutes reads /proc/net/route: addresses and masks, without the default route', () => {
  assert.deepEqual(hostRoutes(TABLE), [parseCidr('192.0.2.0/24'), parseCidr('10.244.0.0/24')]);
  assert.deepEqual(hostRoutes(''), []);
});

test('freeClusterCidr takes the first candidate no route overlaps', () => {
  assert.equal(freeClusterCidr([]), '10.244.0.0/14');
  assert.equal(freeClusterCidr(hostRoutes(TABLE)), '10.248.0.0/14', "another cluster's node-1 bridge is on 10.244.0.0/24");
  assert.equal(freeClusterCidr([parseCidr('10.0.0.0/8')!]), CANDIDATES[0], 'all taken: the usual default');
  assert.equal(freeClusterCidr([parseCidr('10.247.255.0/24')!]), '10.248.0.0/14', 'the last /24 of 10.244.0.0/14 counts');
});

test('defaultClusterCidr chooses once per data dir and keeps it; an existing data dir keeps the old default', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cidr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const taken = () => hostRoutes(TABLE);
  assert.deepEqual(defaultClusterCidr(dir, { existing: false, routes: taken }), { cidr: '10.248.0.0/14', chosenNow: true });
  assert.equal(readFileSync(join(dir, 'cluster-cidr'), 'utf8'), '10.248.0.0/14\n');
  // Later starts keep it, whatever the routes are then (its own bridges are among them).
  assert.deepEqual(defaultClusterCidr(dir, { existing: true, routes: () => [] }), { cidr: '10.248.0.0/14', chosenNow: false });

  const old = mkdtempSync(join(tmpdir(), 'berth-cidr-'));
  t.after(() => rmSync(old, { recursive: true, force: true }));
  assert.deepEqual(defaultClusterCidr(old, { existing: true, routes: taken }), { cidr: '10.244.0.0/14', chosenNow: true });
  // A damaged file is chosen again.
  writeFileSync(join(old, 'cluster-cidr'), 'nonsense');
  assert.equal(defaultClusterCidr(old, { existing: false, routes: () => [] }).cidr, '10.244.0.0/14');
});
