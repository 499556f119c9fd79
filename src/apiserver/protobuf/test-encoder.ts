// Test-only protobuf writer: builds Kubernetes protobuf bodies field by field, so decoder tests state
// exactly what is on the wire (including the zero fields gogo writes). Each helper returns one
// encoded field; `msg` nests fields into a length-delimited one; `envelope` adds `k8s\0` and
// runtime.Unknown. Deliberately absent: any knowledge of Kubernetes messages, and use outside tests.

const enc = new TextEncoder();

function varint(v: number | bigint): number[] {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return out;
}

function tag(field: number, wire: number): number[] {
  return varint(field * 8 + wire);
}

function delimited(field: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(tag(field, 2)), Buffer.from(varint(payload.length)), payload]);
}

/** A string field. */
export function str(field: number, s: string): Buffer {
  return delimited(field, enc.encode(s));
}

/** A bytes field. */
export function bytes(field: number, b: Uint8Array | string): Buffer {
  return delimited(field, typeof b === 'string' ? enc.encode(b) : b);
}

/** A varint field (int32, int64, bool as 0/1); negatives are written as 64-bit two's complement, as Go does. */
export function int(field: number, v: number | bigint): Buffer {
  return Buffer.from([...tag(field, 0), ...varint(v)]);
}

export function bool(field: number, b: boolean): Buffer {
  return int(field, b ? 1 : 0);
}

/** An embedded message field made of the given fields (none: an empty message). */
export function msg(field: number, ...parts: Uint8Array[]): Buffer {
  return delimited(field, Buffer.concat(parts));
}

/** Entries of a map<string,string> field. */
export function strMap(field: number, m: Record<string, string>): Buffer {
  return Buffer.concat(Object.entries(m).map(([k, v]) => msg(field, str(1, k), str(2, v))));
}

/** Entries of a map<string,bytes> field. */
export function bytesMap(field: number, m: Record<string, Uint8Array | string>): Buffer {
  return Buffer.concat(Object.entries(m).map(([k, v]) => msg(field, str(1, k), bytes(2, v))));
}

/** Entries of a map<string,Quantity> field. */
export function quantityMap(field: number, m: Record<string, string>): Buffer {
  return Buffer.concat(Object.entries(m).map(([k, v]) => msg(field, str(1, k), msg(2, str(1, v)))));
}

/** A packed repeated varint field. */
export function packed(field: number, values: (number | bigint)[]): Buffer {
  return delimited(field, Buffer.from(values.flatMap((v) => varint(v))));
}

/** A fixed64 field holding a double. */
export function double(field: number, x: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x, 0);
  return Buffer.concat([Buffer.from(tag(field, 1)), b]);
}

/** An IntOrString field, as gogo writes it (all three fields). */
export function intOrString(field: number, v: number | string): Buffer {
  return typeof v === 'number' ? msg(field, int(1, 0), int(2, v), str(3, '')) : msg(field, int(1, 1), int(2, 0), str(3, v));
}

/** A Time/MicroTime field; no arguments gives Go's zero time (an empty message). */
export function time(field: number, seconds?: number, nanos = 0): Buffer {
  return seconds === undefined ? msg(field) : msg(field, int(1, seconds), int(2, nanos));
}

/** A raw field tag with any wire type, for malformed-input tests. */
export function rawTag(field: number, wire: number): Buffer {
  return Buffer.from(tag(field, wire));
}

/** The whole body: `k8s\0` + runtime.Unknown{typeMeta{apiVersion, kind}, raw}. */
export function envelope(typeMeta: { apiVersion?: string; kind?: string }, raw: Uint8Array, extra: Uint8Array[] = []): Buffer {
  const tm: Buffer[] = [];
  if (typeMeta.apiVersion !== undefined) tm.push(str(1, typeMeta.apiVersion));
  if (typeMeta.kind !== undefined) tm.push(str(2, typeMeta.kind));
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), msg(1, ...tm), bytes(2, raw), ...extra]);
}

/** Concatenates fields into one message body. */
export function fields(...parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}
