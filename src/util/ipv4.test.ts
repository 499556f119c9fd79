import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intToIp, ipToInt, overlaps, parseCidr, parsePodRange } from './ipv4.js';

test('ipToInt and intToIp are inverses over the whole range', () => {
  for (const ip of ['0.0.0.0', '10.244.3.1', '192.168.255.254', '255.255.255.255']) assert.equal(intToIp(ipToInt(ip)), ip);
  assert.equal(ipToInt('10.0.0.1'), 167772161);
});

test('parseCidr takes a.b.c.d/n and nothing else', () => {
  assert.deepEqual(parseCidr('10.244.0.0/14'), { base: ipToInt('10.244.0.0'), bits: 14 });
  for (const bad of ['10.244.0.0', '10.244.0.0/33', '10.256.0.0/16', 'fd00::/64', '']) assert.equal(parseCidr(bad), undefined, bad);
});

test('overlaps: containment either way, neighbours not', () => {
  const r = (c: string) => parseCidr(c)!;
  assert.equal(overlaps(r('10.244.0.0/14'), r('10.245.7.0/24')), true);
  assert.equal(overlaps(r('10.245.7.0/24'), r('10.244.0.0/14')), true);
  assert.equal(overlaps(r('10.244.0.0/14'), r('10.248.0.0/14')), false);
  assert.equal(overlaps(r('10.244.0.0/14'), r('10.243.255.0/24')), false);
  assert.equal(overlaps(r('0.0.0.0/0'), r('192.168.1.0/24')), true);
});

test('parsePodRange: aligned /8 to /23 only', () => {
  assert.deepEqual(parsePodRange('10.244.0.0/14'), parseCidr('10.244.0.0/14'));
  assert.deepEqual(parsePodRange('10.238.0.0/16'), parseCidr('10.238.0.0/16'));
  for (const bad of ['10.244.1.0/14', '10.0.0.0/7', '10.244.0.0/24', '10.300.0.0/16', 'x']) assert.equal(parsePodRange(bad), undefined, bad);
});
