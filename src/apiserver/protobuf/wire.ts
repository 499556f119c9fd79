// A minimal reader of the protocol buffers wire format, as Kubernetes' gogo-generated messages write
// it: tags, varints (64-bit ones exact through BigInt), length-delimited fields, fixed32/fixed64 and
// packed repeated scalars. Every read is bounds-checked; malformed input raises a 400 BadRequest
// Status with the Go decoder's wording (`unexpected EOF`, `proto: integer overflow`), never anything
// else. Deliberately absent: writing, groups (wire types 3 and 4, unused by Kubernetes), zigzag
// (sint) decoding, and any knowledge of messages (decode-protobuf.ts owns that).

import { badRequest } from '../../api/errors.js';
import type { ApiError } from '../../api/errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export interface Tag {
  field: number;
  wire: number;
}

/** The 400 every malformed body gets. */
export function malformed(message: string): ApiError {
  return badRequest(message);
}

/** Reads one message's bytes, from `start` to `end` of `buf`. */
export class WireReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly buf: Uint8Array,
    range: { start?: number; end?: number } = {},
  ) {
    this.pos = range.start ?? 0;
    this.end = range.end ?? buf.length;
  }

  /** Whether every byte has been read. */
  done(): boolean {
    return this.pos >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): Tag {
    const v = this.varint();
    const field = Math.floor(v / 8);
    const wire = v % 8;
    if (field <= 0 || field > 0x1fffffff) throw malformed(`proto: illegal tag ${field} (wire type ${wire})`);
    return { field, wire };
  }

  /** An unsigned varint as a number; exact below 2^53, else 400 (use bigVarint for 64-bit values). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed('unexpected EOF');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) throw malformed('proto: integer overflow');
        return result;
      }
      scale *= 128;
    }
    throw malformed('proto: integer overflow');
  }

  /** A varint as an unsigned 64-bit BigInt (bits past 64 are dropped, as Go's decoders do). */
  bigVarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed('unexpected EOF');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw malformed('proto: integer overflow');
  }

  /** A length-delimited field's bounds, checked against the message's end. */
  delimited(): { start: number; end: number } {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw malformed('unexpected EOF');
    this.pos = start + len;
    return { start, end: start + len };
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const { start, end } = this.delimited();
    return this.buf.subarray(start, end);
  }

  /** A reader over a length-delimited field (an embedded message or a packed run). */
  sub(): WireReader {
    return new WireReader(this.buf, this.delimited());
  }

  /** A packed run of scalars (one length-delimited field), each read by `read`. */
  packed<T>(read: (r: WireReader) => T): T[] {
    const run = this.sub();
    const out: T[] = [];
    while (!run.done()) out.push(read(run));
    return out;
  }

  /** Four little-endian bytes, unsigned. */
  fixed32(): number {
    const p = this.take(4);
    return (this.buf[p]! | (this.buf[p + 1]! << 8) | (this.buf[p + 2]! << 16)) + this.buf[p + 3]! * 2 ** 24;
  }

  /** Eight little-endian bytes, unsigned. */
  fixed64(): bigint {
    const lo = this.fixed32();
    const hi = this.fixed32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  double(): number {
    const p = this.take(8);
    return new DataView(this.buf.buffer, this.buf.byteOffset + p, 8).getFloat64(0, true);
  }

  float(): number {
    const p = this.take(4);
    return new DataView(this.buf.buffer, this.buf.byteOffset + p, 4).getFloat32(0, true);
  }

  /** Skips one field's value of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.bigVarint();
        return;
      case WIRE_FIXED64:
        this.take(8);
        return;
      case WIRE_BYTES:
        this.delimited();
        return;
      case WIRE_FIXED32:
        this.take(4);
        return;
      default:
        throw malformed(`proto: illegal wireType ${wire}`);
    }
  }

  /**
   * Whether the value about to be read (of this wire type) is the type's zero: a 0 varint or fixed
   * value, or an empty length-delimited field. Does not move the reader.
   */
  peekZero(wire: number): boolean {
    const probe = new WireReader(this.buf, { start: this.pos, end: this.end });
    switch (wire) {
      case WIRE_VARINT:
        return probe.bigVarint() === 0n;
      case WIRE_FIXED64:
        return probe.fixed64() === 0n;
      case WIRE_FIXED32:
        return probe.fixed32() === 0;
      case WIRE_BYTES: {
        const { start, end } = probe.delimited();
        return start === end;
      }
      default:
        throw malformed(`proto: illegal wireType ${wire}`);
    }
  }

  private take(n: number): number {
    if (n > this.end - this.pos) throw malformed('unexpected EOF');
    const p = this.pos;
    this.pos += n;
    return p;
  }
}

/** A varint's 64 bits as Go's int64 would hold them, as a number (exact within ±2^53). */
export function asInt64(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

/** A varint's low 32 bits as Go's int32 would hold them. */
export function asInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}
