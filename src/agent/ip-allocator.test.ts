import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IPAllocator } from './ip-allocator.js';

test('IPAllocator hands out .2 to the last address before broadcast, stable per uid', () => {
  const a = new IPAllocator('10.244.3.0/29');
  assert.equal(a.range, '10.244.3.2-10.244.3.6');
  assert.equal(a.allocate('u1'), '10.244.3.2');
  assert.equal(a.allocate('u1'), '10.244.3.2');
  assert.deepEqual(['u2', 'u3', 'u4', 'u5'].map((u) => a.allocate(u)), ['10.244.3.3', '10.244.3.4', '10.244.3.5', '10.244.3.6']);
  assert.throws(() => a.allocate('u6'), /^Error: no IP addresses available in range set: 10\.244\.3\.2-10\.244\.3\.6$/);
  assert.equal(a.inUse, 5);
});

test('IPAllocator.release() frees an address, reused only after the others (round-robin)', () => {
  const a = new IPAllocator('10.0.0.0/24');
  a.allocate('u1');
  a.allocate('u2');
  a.release('u1');
  assert.equal(a.ipOf('u1'), undefined);
  assert.equal(a.allocate('u3'), '10.0.0.4');
  const b = new IPAllocator('10.0.0.0/30');
  assert.equal(b.allocate('x'), '10.0.0.2');
  b.release('x');
  assert.equal(b.allocate('y'), '10.0.0.2');
});

test('IPAllocator.reserve() re-claims addresses in the range and refuses others', () => {
  const a = new IPAllocator('10.244.1.0/24');
  assert.equal(a.reserve('u1', '10.244.1.7'), true);
  assert.equal(a.reserve('u1', '10.244.1.7'), true);
  assert.equal(a.reserve('u2', '10.244.1.7'), false);
  assert.equal(a.reserve('u3', '10.244.2.7'), false);
  assert.equal(a.reserve('u4', '10.244.1.1'), false, 'the gateway');
  assert.equal(a.reserve('u5', '10.244.1.255'), false, 'broadcast');
  assert.equal(a.allocate('u6'), '10.244.1.8', 'continues after the reserved address');
});

test('IPAllocator rejects CIDRs it cannot serve', () => {
  for (const bad of ['10.0.0.0', '10.0.0.0/31', '10.0.0.0/7', 'fd00::/64', '300.0.0.0/24']) assert.throws(() => new IPAllocator(bad), /is not an IPv4 CIDR/);
  assert.equal(new IPAllocator('10.244.1.9/24').range, '10.244.1.2-10.244.1.254');
});
