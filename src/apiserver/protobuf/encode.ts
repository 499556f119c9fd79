// A small protocol buffers writer: one message at a time, fields appended in the order the caller
// writes them (callers write in field-number order, as protoc-generated Go marshals). Scalar
// helpers follow proto3 implicit presence and skip the type's zero value unless `explicit` is set
// (oneof members and optional fields are written even when zero); repeated scalars are packed by
// default (proto3's rule for numeric types) or one tag per value with the `repeated*` helpers.
// Negative int32/int64 values are written as ten-byte two's complement varints, as Go does.
// Deliberately absent: knowledge of any message, groups (wire types 3 and 4), and reading
// (wire.ts reads).

import { WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './wire.js';

const utf8 = new TextEncoder();

/** Appends the varint form of `v` (taken as an unsigned 64-bit value) to `out`. */
function pushVarint(out: number[], v: number | bigint): void {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
    return;
  }
  if (typeof v === 'number' && !Number.isInteger(v)) throw new RangeError(`protobuf: varint of non-integer ${v}`);
  let n = BigInt.asUintN(64, BigInt(v));
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
}

/** The varint bytes of `v` (unsigned 64-bit; negatives as two's complement). */
export function varintBytes(v: number | bigint): Uint8Array {
  const out: number[] = [];
  pushVarint(out, v);
  return Uint8Array.from(out);
}

/** ZigZag form of a signed value (sint32/sint64). */
export function zigzag(v: number | bigint): bigint {
  const n = BigInt.asIntN(64, BigInt(v));
  return BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
}

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.size + this.pending.length;
  }

  /** A field's key: number and wire type. */
  tag(field: number, wire: number): this {
    if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`protobuf: bad field number ${field}`);
    pushVarint(this.pending, field * 8 + wire);
    return this;
  }

  /** A varint field (int32, int64, uint32, uint64, enum). */
  int(field: number, v: number | bigint, explicit = false): this {
    if (!explicit && (v === 0 || v === 0n)) return this;
    this.tag(field, WIRE_VARINT);
    pushVarint(this.pending, v);
    return this;
  }

  /** A zigzag varint field (sint32, sint64). */
  sint(field: number, v: number | bigint, explicit = false): this {
    if (!explicit && (v === 0 || v === 0n)) return this;
    this.tag(field, WIRE_VARINT);
    pushVarint(this.pending, zigzag(v));
    return this;
  }

  bool(field: number, v: boolean, explicit = false): this {
    if (!v && !explicit) return this;
    this.tag(field, WIRE_VARINT);
    this.pending.push(v ? 1 : 0);
    return this;
  }

  /** A double field (fixed64 wire type). Zero is skipped unless explicit (-0 is written, as Go does). */
  double(field: number, v: number, explicit = false): this {
    if (!explicit && v === 0 && !Object.is(v, -0)) return this;
    this.tag(field, WIRE_FIXED64);
    this.raw(doubleBytes(v));
    return this;
  }

  float(field: number, v: number, explicit = false): this {
    if (!explicit && v === 0 && !Object.is(v, -0)) return this;
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.raw(b);
    return this;
  }

  fixed32(field: number, v: number, explicit = false): this {
    if (!explicit && v === 0) return this;
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.raw(b);
    return this;
  }

  fixed64(field: number, v: bigint, explicit = false): this {
    if (!explicit && v === 0n) return this;
    this.tag(field, WIRE_FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.raw(b);
    return this;
  }

  /** A string field, UTF-8. The empty string is skipped unless explicit. */
  string(field: number, s: string, explicit = false): this {
    if (!explicit && s === '') return this;
    return this.bytes(field, utf8.encode(s), true);
  }

  /** A bytes field. Empty is skipped unless explicit. */
  bytes(field: number, b: Uint8Array, explicit = false): this {
    if (!explicit && b.length === 0) return this;
    this.tag(field, WIRE_BYTES);
    pushVarint(this.pending, b.length);
    this.raw(b);
    return this;
  }

  /**
   * An embedded message field. Always written when called, even empty: a set message field has
   * presence in proto3 (Go writes a non-nil empty message as tag + zero length).
   */
  message(field: number, m: ProtoWriter | Uint8Array): this {
    return this.bytes(field, m instanceof ProtoWriter ? m.finish() : m, true);
  }

  /** One tag per string (repeated string; never packed). Empty strings are kept. */
  repeatedString(field: number, values: Iterable<string>): this {
    for (const s of values) this.string(field, s, true);
    return this;
  }

  /** One tag per value (a non-packed repeated varint field). */
  repeatedInt(field: number, values: Iterable<number | bigint>): this {
    for (const v of values) this.int(field, v, true);
    return this;
  }

  /** One tag per value (a non-packed repeated double field). */
  repeatedDouble(field: number, values: Iterable<number>): this {
    for (const v of values) this.double(field, v, true);
    return this;
  }

  /** A packed repeated varint field (int32, int64, uint*, enum, bool as 0/1). Empty: nothing. */
  packedInt(field: number, values: readonly (number | bigint | boolean)[]): this {
    if (values.length === 0) return this;
    const run: number[] = [];
    for (const v of values) pushVarint(run, typeof v === 'boolean' ? (v ? 1 : 0) : v);
    return this.bytes(field, Uint8Array.from(run), true);
  }

  /** A packed repeated zigzag field (sint32, sint64). */
  packedSint(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const run: number[] = [];
    for (const v of values) pushVarint(run, zigzag(v));
    return this.bytes(field, Uint8Array.from(run), true);
  }

  /** A packed repeated double field. */
  packedDouble(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const run = new Uint8Array(values.length * 8);
    const view = new DataView(run.buffer);
    values.forEach((v, i) => view.setFloat64(i * 8, v, true));
    return this.bytes(field, run, true);
  }

  /** A packed repeated float field. */
  packedFloat(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const run = new Uint8Array(values.length * 4);
    const view = new DataView(run.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, run, true);
  }

  /** Appends already-encoded bytes (whole fields, or a value after its tag). */
  raw(b: Uint8Array): this {
    if (b.length < 64) {
      for (const x of b) this.pending.push(x);
      return this;
    }
    this.flush();
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }

  /** The message's bytes. The writer may go on being used; later writes append. */
  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.chunks.length = 0;
    this.chunks.push(out);
    return out;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(Uint8Array.from(this.pending));
    this.size += this.pending.length;
    this.pending = [];
  }
}

function doubleBytes(v: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return b;
}
