// Decodes Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`, what client-go's
// typed clients send) into the plain JSON-shaped object the JSON path would produce from the same Go
// object: the `k8s\0` envelope and its runtime.Unknown (typeMeta, raw), then the raw message walked
// with field-numbers.ts for names and the OpenAPI schema for types. Well-known wrappers become their
// JSON forms: Time/MicroTime → RFC 3339 strings, Quantity → string, IntOrString → number or string,
// RawExtension/FieldsV1 → parsed JSON, bytes → base64. gogo writes every non-pointer field even when
// zero, so written zero scalars are dropped unless Go's JSON would show them (pointers, fields
// without omitempty: the table's `&` marker); empty messages stay (Go's JSON shows `{}` for them
// too, and a pointer's `emptyDir: {}` means something), except a zero Time, which Go shows as null.
// Deliberately absent: strict-field policy and schema type checks (decode.ts runs checkFields on the
// result, as for JSON), encoding, and content encodings of the raw message (gzip): rejected with 400.

import type { SchemaNode } from '../../api/schema/node.js';
import type { FormattedSchemaNode } from '../../api/schema/schemas.js';
import { schemaNode } from '../../api/schema/schemas.js';
import { badRequest, isApiError, unsupportedMediaType } from '../../api/errors.js';
import { parseJsonStrict } from '../decode-parse.js';
import { messageFields } from './field-numbers.js';
import type { FieldSpec } from './field-numbers.js';
import { WireReader, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, asInt32, asInt64, malformed } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** `k8s\0`: the prefix of every Kubernetes protobuf body. */
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

/** Whether a Content-Type header names Kubernetes protobuf (parameters ignored). */
export function isProtobufContentType(ct: string): boolean {
  return ct.split(';')[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

export interface ProtobufDecodeOptions {
  /** The endpoint's kind and apiVersion: the envelope may omit them, not contradict them. */
  kind: string;
  apiVersion: string;
  /** OpenAPI definition of the body's message: io.k8s.api.core.v1.ConfigMap. */
  schemaName: string;
  /** Its schema, when the caller already holds it (tests build small ones); default schemaNode(schemaName). */
  schema?: SchemaNode;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
}

/**
 * Decodes one protobuf body into a plain object (kind and apiVersion from the envelope when it has
 * them). Malformed input → 400; a message berth has no field table for → 415.
 */
export function decodeProtobufObject(body: Buffer, opts: ProtobufDecodeOptions): Record<string, unknown> {
  const { kind, apiVersion, schemaName } = opts;
  const env = rewrap(() => readEnvelope(body), `the object provided is unrecognized (must be of type ${kind}): `);
  if (env.apiVersion && env.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${env.apiVersion}) does not match the expected API version (${apiVersion})`);
  }
  if (env.kind && env.kind !== kind) throw badRequest(`the kind in the data (${env.kind}) does not match the expected kind (${kind})`);
  const fields = messageFields(schemaName);
  if (!fields) throw unsupportedMediaType(PROTOBUF_MEDIA_TYPE);
  const node = opts.schema ?? schemaNode(schemaName);
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  const obj: Record<string, unknown> = {};
  if (env.kind) obj.kind = env.kind;
  if (env.apiVersion) obj.apiVersion = env.apiVersion;
  rewrap(
    () => decodeMessage(new WireReader(env.raw), { message: schemaName, fields, node, target: obj, path: '' }),
    `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: `,
  );
  return obj;
}

/** Runs `fn`, prefixing the message of any 400 it raises (wire errors carry Go's bare texts). */
function rewrap<T>(fn: () => T, prefix: string): T {
  try {
    return fn();
  } catch (e) {
    if (isApiError(e) && e.code === 400) throw badRequest(prefix + e.message);
    throw e;
  }
}

function readEnvelope(body: Uint8Array): Envelope {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    throw malformed(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(' ')}]`);
  }
  if (body.length === MAGIC.length) throw malformed('empty body');
  const env: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '' };
  const r = new WireReader(body, { start: MAGIC.length });
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) {
      const tm = r.sub();
      while (!tm.done()) {
        const t = tm.tag();
        if (t.field === 1 && t.wire === WIRE_BYTES) env.apiVersion = text(tm.bytes());
        else if (t.field === 2 && t.wire === WIRE_BYTES) env.kind = text(tm.bytes());
        else tm.skip(t.wire);
      }
    } else if (field === 2 && wire === WIRE_BYTES) env.raw = r.bytes();
    else if (field === 3 && wire === WIRE_BYTES) env.contentEncoding = text(r.bytes());
    else r.skip(wire); // 4 contentType: the raw message is protobuf whatever it says, as in Go
  }
  if (env.contentEncoding) throw malformed(`unsupported content encoding ${JSON.stringify(env.contentEncoding)}`);
  return env;
}

interface Frame {
  message: string;
  fields: ReadonlyMap<number, FieldSpec>;
  node: SchemaNode;
  target: Record<string, unknown>;
  /** JSON path of `target`, for error messages. */
  path: string;
}

/** Reads the fields of one message into `f.target` (merging, as protobuf does for repeated occurrences). */
function decodeMessage(r: WireReader, f: Frame): void {
  while (!r.done()) {
    const { field, wire } = r.tag();
    const spec = f.fields.get(field);
    if (!spec) throw malformed(`proto: unknown field number ${field} (wire type ${wire}) in ${f.message}${at(f.path)}`);
    if (spec.inline) {
      expectWire(wire, WIRE_BYTES, spec.name);
      const fields = messageFields(spec.inline);
      if (!fields) throw malformed(`proto: no field table for ${spec.inline}`);
      decodeMessage(r.sub(), { ...f, message: spec.inline, fields });
      continue;
    }
    const node = f.node.field(spec.name);
    const path = f.path ? `${f.path}.${spec.name}` : spec.name;
    if (!node) {
      // A field berth's schema lacks (newer than its OpenAPI): a written zero is gogo's non-pointer
      // default and says nothing; anything else is kept as a marker so checkFields reports it by name.
      const zero = r.peekZero(wire);
      r.skip(wire);
      if (!zero) f.target[spec.name] = true;
      continue;
    }
    if (node.kind === 'list') {
      const list = Array.isArray(f.target[spec.name]) ? (f.target[spec.name] as unknown[]) : [];
      f.target[spec.name] = list;
      readListItems(r, { wire, node, list, path: `${path}[${list.length}]` });
    } else if (node.kind === 'map') {
      const existing = f.target[spec.name];
      const map = isPlainObject(existing) ? existing : {};
      f.target[spec.name] = map;
      readMapEntry(r, { wire, node, map, path });
    } else if (node.kind === 'object') {
      expectWire(wire, WIRE_BYTES, spec.name);
      const existing = f.target[spec.name];
      const obj = isPlainObject(existing) ? existing : {};
      f.target[spec.name] = obj;
      decodeMessage(r.sub(), { message: messageName(node, path), fields: fieldsOf(node, path), node, target: obj, path });
    } else {
      const v = readValue(r, { wire, node, path });
      if (v === undefined || (!spec.showsZero && isDroppableZero(v, node))) delete f.target[spec.name];
      else f.target[spec.name] = v;
    }
  }
}

interface ValueContext {
  wire: number;
  node: SchemaNode;
  path: string;
}

/** One occurrence of a repeated field: one element, or a packed run of numbers or booleans. */
function readListItems(r: WireReader, c: ValueContext & { list: unknown[] }): void {
  const elem = c.node.elem();
  if (!elem) throw malformed(`proto: no element schema for ${c.path}`);
  const packable = elem.kind === 'scalar' && (elem.scalar === 'integer' || elem.scalar === 'number' || elem.scalar === 'boolean');
  if (packable && c.wire === WIRE_BYTES) {
    const wire = elem.scalar === 'boolean' || elem.scalar === 'integer' ? WIRE_VARINT : (elem as FormattedSchemaNode).format === 'float' ? WIRE_FIXED32 : WIRE_FIXED64;
    c.list.push(...r.packed((run) => readValue(run, { wire, node: elem, path: c.path })));
    return;
  }
  const v = readValue(r, { wire: c.wire, node: elem, path: c.path });
  c.list.push(v === undefined ? null : v);
}

/** One map entry: key = 1 (string), value = 2; a missing value is its type's zero, as in Go. */
function readMapEntry(r: WireReader, c: ValueContext & { map: Record<string, unknown> }): void {
  expectWire(c.wire, WIRE_BYTES, c.path);
  const elem = c.node.elem();
  if (!elem) throw malformed(`proto: no element schema for ${c.path}`);
  const entry = r.sub();
  let key = '';
  let value: unknown;
  while (!entry.done()) {
    const { field, wire } = entry.tag();
    if (field === 1) {
      expectWire(wire, WIRE_BYTES, `${c.path} key`);
      key = text(entry.bytes());
    } else if (field === 2) {
      value = readValue(entry, { wire, node: elem, path: `${c.path}.value` });
    } else {
      throw malformed(`proto: unknown field number ${field} in a map entry${at(c.path)}`);
    }
  }
  c.map[key] = value ?? zeroOf(elem);
}

/** A single value of any schema kind but list and map (those only occur as struct fields). */
function readValue(r: WireReader, c: ValueContext): unknown {
  const { wire, node, path } = c;
  switch (node.kind) {
    case 'object': {
      expectWire(wire, WIRE_BYTES, path);
      const obj: Record<string, unknown> = {};
      decodeMessage(r.sub(), { message: messageName(node, path), fields: fieldsOf(node, path), node, target: obj, path });
      return obj;
    }
    case 'any':
      expectWire(wire, WIRE_BYTES, path);
      return readRawJson(r.sub());
    case 'scalar':
      return readScalar(r, c);
    default:
      throw malformed(`proto: nested ${node.kind} values are not supported${at(path)}`);
  }
}

function readScalar(r: WireReader, c: ValueContext): unknown {
  const { wire, node, path } = c;
  if (node.name === TIME || node.name === MICRO_TIME) {
    expectWire(wire, WIRE_BYTES, path);
    return readTime(r.sub(), node.name === MICRO_TIME);
  }
  const format = (node as FormattedSchemaNode).format;
  switch (node.scalar) {
    case 'quantity':
      expectWire(wire, WIRE_BYTES, path);
      return readQuantity(r.sub());
    case 'int-or-string':
      expectWire(wire, WIRE_BYTES, path);
      return readIntOrString(r.sub());
    case 'string': {
      expectWire(wire, WIRE_BYTES, path);
      const b = r.bytes();
      return format === 'byte' ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64') : text(b);
    }
    case 'integer':
      expectWire(wire, WIRE_VARINT, path);
      return format === 'int32' ? asInt32(r.bigVarint()) : asInt64(r.bigVarint());
    case 'boolean':
      expectWire(wire, WIRE_VARINT, path);
      return r.bigVarint() !== 0n;
    case 'number':
      if (wire === WIRE_FIXED32) return r.float();
      expectWire(wire, WIRE_FIXED64, path);
      return r.double();
    default:
      throw malformed(`proto: cannot decode a ${node.scalar ?? 'free-form'} value${at(path)}`);
  }
}

/** Time and MicroTime: seconds = 1, nanos = 2; an empty message is Go's zero time, shown as null. */
function readTime(r: WireReader, micro: boolean): string | undefined {
  if (r.done()) return undefined;
  let seconds = 0;
  let nanos = 0;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_VARINT) seconds = asInt64(r.bigVarint());
    else if (field === 2 && wire === WIRE_VARINT) nanos = asInt32(r.bigVarint());
    else throw malformed(`proto: unknown field number ${field} (wire type ${wire}) in Timestamp`);
  }
  // metav1.Time keeps whole seconds only (its Unmarshal drops nanos); MicroTime keeps microseconds.
  const whole = seconds + Math.floor(nanos / 1e9);
  const frac = ((nanos % 1e9) + 1e9) % 1e9;
  const date = new Date(whole * 1000);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(date.getTime()) || year < 0 || year > 9999) throw malformed('Time.MarshalJSON: year outside of range [0,9999]');
  const base = date.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(frac / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

/** Quantity: string = 1. */
function readQuantity(r: WireReader): string {
  let s = '';
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) s = text(r.bytes());
    else throw malformed(`proto: unknown field number ${field} (wire type ${wire}) in Quantity`);
  }
  return s === '' ? '0' : s;
}

/** IntOrString: type = 1 (0 int, 1 string), intVal = 2, strVal = 3. */
function readIntOrString(r: WireReader): number | string {
  let type = 0n;
  let intVal = 0;
  let strVal = '';
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_VARINT) type = r.bigVarint();
    else if (field === 2 && wire === WIRE_VARINT) intVal = asInt32(r.bigVarint());
    else if (field === 3 && wire === WIRE_BYTES) strVal = text(r.bytes());
    else throw malformed(`proto: unknown field number ${field} (wire type ${wire}) in IntOrString`);
  }
  return type === 1n ? strVal : intVal;
}

/** RawExtension and FieldsV1: raw = 1 holds JSON; none is Go's nil, shown as null. */
function readRawJson(r: WireReader): unknown {
  let raw: Uint8Array | undefined;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) raw = r.bytes();
    else throw malformed(`proto: unknown field number ${field} (wire type ${wire}) in RawExtension`);
  }
  if (!raw || raw.length === 0) return undefined;
  return parseJsonStrict(text(raw)).value;
}

/** Go's zero scalars that omitempty hides; well-known wrappers (Quantity, IntOrString) are structs and stay. */
function isDroppableZero(v: unknown, node: SchemaNode): boolean {
  if (node.kind !== 'scalar') return false;
  if (node.scalar !== 'string' && node.scalar !== 'integer' && node.scalar !== 'number' && node.scalar !== 'boolean') return false;
  return v === '' || v === 0 || v === false;
}

/** A map value the entry left out: Go's zero of the element type. */
function zeroOf(node: SchemaNode): unknown {
  if (node.kind === 'object') return {};
  switch (node.scalar) {
    case 'integer':
    case 'number':
    case 'int-or-string':
      return 0;
    case 'boolean':
      return false;
    case 'quantity':
      return '0';
    default:
      return '';
  }
}

function messageName(node: SchemaNode, path: string): string {
  if (!node.name) throw malformed(`proto: anonymous message${at(path)}`);
  return node.name;
}

function fieldsOf(node: SchemaNode, path: string): ReadonlyMap<number, FieldSpec> {
  const name = messageName(node, path);
  const fields = messageFields(name);
  if (!fields) throw malformed(`proto: no field table for ${name}${at(path)}`);
  return fields;
}

function expectWire(wire: number, expected: number, what: string): void {
  if (wire !== expected) throw malformed(`proto: wrong wireType = ${wire} for field ${what}`);
}

function at(path: string): string {
  return path ? ` (at ${path})` : '';
}

function text(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
