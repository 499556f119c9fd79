import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLinkLocalMulticast, isLinkLocalUnicast, isLoopback, isUnspecified, parseIP } from './ip-address.js';

test('parseIP() parses IPv4, including octets with leading zeros', () => {
  assert.equal(parseIP('10.0.0.1')?.is4, true);
  assert.equal(parseIP('010.000.0.1')?.is4, true);
  for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '', 'a.b.c.d', '1.2.3.-4']) assert.equal(parseIP(bad), null, bad);
});

test('parseIP() parses IPv6 forms and treats IPv4-mapped addresses as IPv4', () => {
  for (const ok of ['::', '::1', 'fe80::1', '2001:db8::ffff', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::ffff:1.2.3.4', '64:ff9b::1.2.3.4']) {
    assert.notEqual(parseIP(ok), null, ok);
  }
  assert.equal(parseIP('2001:db8::1')?.is4, false);
  assert.equal(parseIP('::ffff:10.0.0.1')?.is4, true);
  for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '1.2.3.4::', 'fe80::1%eth0', '12345::', ':1', '1:', '1:2:3:4:5:6:7:8::']) {
    assert.equal(parseIP(bad), null, bad);
  }
});

test('parseIP() classifies special addresses as Go does', () => {
  const ip = (s: string) => parseIP(s)!;
  assert.equal(isUnspecified(ip('0.0.0.0')), true);
  assert.equal(isUnspecified(ip('::')), true);
  assert.equal(isLoopback(ip('127.1.2.3')), true);
  assert.equal(isLoopback(ip('::1')), true);
  assert.equal(isLoopback(ip('::2')), false);
  assert.equal(isLinkLocalUnicast(ip('169.254.169.254')), true);
  assert.equal(isLinkLocalUnicast(ip('fe80::abcd')), true);
  assert.equal(isLinkLocalMulticast(ip('224.0.0.251')), true);
  assert.equal(isLinkLocalMulticast(ip('224.0.1.1')), false);
  assert.equal(isLinkLocalMulticast(ip('ff02::fb')), true);
  assert.equal(isLoopback(ip('10.0.0.1')), false);
});
