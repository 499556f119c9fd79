import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter, varintBytes, zigzag } from './encode.js';
import { WireReader, asInt64, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './wire.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('varints match the protobuf encoding of known values', () => {
  assert.equal(hex(varintBytes(0)), '00');
  assert.equal(hex(varintBytes(1)), '01');
  assert.equal(hex(varintBytes(127)), '7f');
  assert.equal(hex(varintBytes(128)), '8001');
  assert.equal(hex(varintBytes(300)), 'ac02');
  assert.equal(hex(varintBytes(2 ** 53 + 2)), hex(varintBytes(2n ** 53n + 2n)));
  // Negative int32/int64: ten bytes of two's complement, as Go writes them.
  assert.equal(hex(varintBytes(-1)), 'ffffffffffffffffff01');
  assert.throws(() => varintBytes(1.5), RangeError);
});

test('zigzag maps signed values as sint64 does', () => {
  assert.deepEqual([0, -1, 1, -2, 2].map((v) => zigzag(v)), [0n, 1n, 2n, 3n, 4n]);
  assert.equal(zigzag(-(2n ** 63n)), 2n ** 64n - 1n);
});

test('scalar fields round-trip through the wire reader, in write order', () => {
  const w = new ProtoWriter()
    .int(1, 150)
    .int(2, -5)
    .bool(3, true)
    .double(4, 2.5)
    .string(5, 'héllo')
    .fixed32(6, 0xdeadbeef)
    .fixed64(7, 2n ** 60n + 3n)
    .float(8, 0.5)
    .sint(9, -3);
  const r = new WireReader(w.finish());
  assert.deepEqual(r.tag(), { field: 1, wire: WIRE_VARINT });
  assert.equal(r.varint(), 150);
  assert.deepEqual(r.tag(), { field: 2, wire: WIRE_VARINT });
  assert.equal(asInt64(r.bigVarint()), -5);
  assert.deepEqual(r.tag(), { field: 3, wire: WIRE_VARINT });
  assert.equal(r.varint(), 1);
  assert.deepEqual(r.tag(), { field: 4, wire: WIRE_FIXED64 });
  assert.equal(r.double(), 2.5);
  assert.deepEqual(r.tag(), { field: 5, wire: WIRE_BYTES });
  assert.equal(Buffer.from(r.bytes()).toString('utf8'), 'héllo');
  assert.deepEqual(r.tag(), { field: 6, wire: WIRE_FIXED32 });
  assert.equal(r.fixed32(), 0xdeadbeef);
  assert.deepEqual(r.tag(), { field: 7, wire: WIRE_FIXED64 });
  assert.equal(r.fixed64(), 2n ** 60n + 3n);
  assert.deepEqual(r.tag(), { field: 8, wire: WIRE_FIXED32 });
  assert.equal(r.float(), 0.5);
  assert.deepEqual(r.tag(), { field: 9, wire: WIRE_VARINT });
  assert.equal(r.varint(), 5);
  assert.ok(r.done());
});

test('proto3 zero values are skipped unless explicit', () => {
  const w = new ProtoWriter().int(1, 0).bool(2, false).double(3, 0).string(4, '').bytes(5, new Uint8Array()).fixed32(6, 0).fixed64(7, 0n);
  assert.equal(w.finish().length, 0);
  const e = new ProtoWriter().int(1, 0, true).bool(2, false, true).double(3, 0, true).string(4, '', true);
  assert.equal(hex(e.finish()), '0800' + '1000' + '19' + '0000000000000000' + '2200');
  // -0 is not the zero value of a double on the wire (its bits differ), so it is written.
  assert.equal(new ProtoWriter().double(1, -0).finish().length, 9);
});

test('embedded messages carry a length, and an empty one is still present', () => {
  const inner = new ProtoWriter().string(1, 'x');
  const w = new ProtoWriter().message(2, inner).message(3, new ProtoWriter());
  assert.equal(hex(w.finish()), '1203' + '0a0178' + '1a00');
  const r = new WireReader(w.finish());
  assert.deepEqual(r.tag(), { field: 2, wire: WIRE_BYTES });
  const sub = r.sub();
  assert.deepEqual(sub.tag(), { field: 1, wire: WIRE_BYTES });
  assert.equal(Buffer.from(sub.bytes()).toString(), 'x');
  assert.deepEqual(r.tag(), { field: 3, wire: WIRE_BYTES });
  assert.ok(r.sub().done());
});

test('packed repeated fields are one length-delimited run; non-packed repeat the tag', () => {
  const w = new ProtoWriter().packedInt(4, [3, 270, 86942]).packedDouble(5, [1, -2.5]).packedSint(6, [-1, 1]).packedInt(7, []);
  // The protobuf documentation's example: field 4, packed [3, 270, 86942].
  assert.equal(hex(w.finish()).slice(0, 16), '2206038e029ea705');
  const r = new WireReader(w.finish());
  r.tag();
  assert.deepEqual(r.packed((x) => x.varint()), [3, 270, 86942]);
  assert.deepEqual(r.tag(), { field: 5, wire: WIRE_BYTES });
  assert.deepEqual(r.packed((x) => x.double()), [1, -2.5]);
  r.tag();
  assert.deepEqual(r.packed((x) => x.varint()), [1, 2]);
  assert.ok(r.done());

  const n = new ProtoWriter().repeatedInt(1, [1, 0]).repeatedString(2, ['a', '']).repeatedDouble(3, [0]);
  assert.equal(hex(n.finish()), '0801' + '0800' + '120161' + '1200' + '19' + '0000000000000000');
});

test('large payloads and many small fields concatenate in order', () => {
  const big = new Uint8Array(1000).fill(7);
  const w = new ProtoWriter();
  for (let i = 0; i < 100; i++) w.int(1, i, true);
  w.bytes(2, big);
  w.int(3, 9);
  const r = new WireReader(w.finish());
  for (let i = 0; i < 100; i++) {
    r.tag();
    assert.equal(r.varint(), i);
  }
  r.tag();
  assert.deepEqual(r.bytes(), big);
  r.tag();
  assert.equal(r.varint(), 9);
  assert.ok(r.done());
  assert.equal(w.length, w.finish().length);
});

test('field numbers outside the valid range are rejected', () => {
  assert.throws(() => new ProtoWriter().int(0, 1), RangeError);
  assert.throws(() => new ProtoWriter().int(2 ** 29, 1), RangeError);
});
