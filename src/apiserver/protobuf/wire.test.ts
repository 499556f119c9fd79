import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { ApiError } from '../../api/errors.js';
import { WireReader, asInt32, asInt64 } from './wire.js';
import { double, int, packed, rawTag, str } from './test-encoder.js';

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (isApiError(e)) return e;
    throw e;
  }
  assert.fail('expected an ApiError');
}

const reader = (...bytes: number[]) => new WireReader(Uint8Array.from(bytes));

test('varint() reads one- and multi-byte values', () => {
  assert.equal(reader(0x00).varint(), 0);
  assert.equal(reader(0x7f).varint(), 127);
  assert.equal(reader(0xac, 0x02).varint(), 300);
  assert.equal(new WireReader(int(1, 2 ** 40).subarray(1)).varint(), 2 ** 40);
});

test('bigVarint() reads full 64-bit values and asInt64/asInt32 give Go signed values', () => {
  const minusOne = int(1, -1).subarray(1);
  assert.equal(minusOne.length, 10);
  const v = new WireReader(minusOne).bigVarint();
  assert.equal(v, 2n ** 64n - 1n);
  assert.equal(asInt64(v), -1);
  assert.equal(asInt32(v), -1);
  assert.equal(asInt64(new WireReader(int(1, 2n ** 62n).subarray(1)).bigVarint()), 2 ** 62);
});

test('tag() splits field number and wire type and rejects field 0', () => {
  assert.deepEqual(new WireReader(str(17, 'x')).tag(), { field: 17, wire: 2 });
  assert.match(apiError(() => reader(0x00).tag()).message, /^proto: illegal tag 0/);
});

test('truncated and overlong varints are 400', () => {
  for (const r of [reader(), reader(0x80), reader(0xff, 0xff)]) {
    const err = apiError(() => r.varint());
    assert.equal(err.code, 400);
    assert.equal(err.message, 'unexpected EOF');
  }
  assert.equal(apiError(() => reader(...Array(10).fill(0xff), 0x01).bigVarint()).message, 'proto: integer overflow');
  assert.equal(apiError(() => reader(...Array(9).fill(0xff), 0x01).varint()).message, 'proto: integer overflow');
});

test('delimited fields past the end of the message are 400', () => {
  const r = reader(0x0a, 0x05, 0x61, 0x62);
  r.tag();
  assert.equal(apiError(() => r.bytes()).message, 'unexpected EOF');
  // A sub-reader is bounded by its own length, not by the buffer.
  const outer = new WireReader(Uint8Array.from([0x0a, 0x02, 0x08, 0x96, 0x01]));
  outer.tag();
  const inner = outer.sub();
  inner.tag();
  assert.equal(apiError(() => inner.varint()).message, 'unexpected EOF');
});

test('fixed32, fixed64 and double are little-endian', () => {
  assert.equal(reader(0x01, 0x00, 0x00, 0x80).fixed32(), 2 ** 31 + 1);
  assert.equal(reader(0x01, 0, 0, 0, 0, 0, 0, 0x80).fixed64(), 2n ** 63n + 1n);
  const d = new WireReader(double(1, 1.5));
  d.tag();
  assert.equal(d.double(), 1.5);
  assert.equal(apiError(() => reader(0x01, 0x02).fixed32()).message, 'unexpected EOF');
});

test('skip() passes over each wire type and rejects groups', () => {
  const r = new WireReader(Buffer.concat([int(1, 300), str(2, 'abc'), double(3, 2), int(4, 7)]));
  for (let i = 0; i < 3; i++) r.skip(r.tag().wire);
  r.tag();
  assert.equal(r.varint(), 7);
  assert.ok(r.done());
  const g = new WireReader(rawTag(1, 3));
  assert.equal(apiError(() => g.skip(g.tag().wire)).message, 'proto: illegal wireType 3');
});

test('packed() reads a run of varints', () => {
  const r = new WireReader(packed(4, [1, 300, -1]));
  r.tag();
  assert.deepEqual(r.packed((run) => asInt64(run.bigVarint())), [1, 300, -1]);
});

test('peekZero() tells zero values without moving the reader', () => {
  const r = new WireReader(Buffer.concat([int(1, 0), str(2, ''), str(3, 'x')]));
  r.tag();
  assert.equal(r.peekZero(0), true);
  r.skip(0);
  r.tag();
  assert.equal(r.peekZero(2), true);
  r.skip(2);
  r.tag();
  assert.equal(r.peekZero(2), false);
  assert.deepEqual([...r.bytes()], [0x78]);
});
