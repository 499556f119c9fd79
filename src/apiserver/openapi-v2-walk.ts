// The mapping machinery behind openapi-v2-proto.ts: a message is a table from JSON keys to field
// numbers and kinds (Spec), written in field-number order as Go marshals; `x-` keys become
// gnostic's NamedAny vendor extensions whose Any.yaml holds the value as YAML text; keys and values
// the table does not take are reported by JSON path in `unmapped` and left out. gnostic's message
// tables themselves are in openapi-v2-proto.ts.
// Deliberately absent: any knowledge of swagger's own messages (openapi-v2-proto.ts has them).

import { ProtoWriter } from './protobuf/encode.js';
import { gnosticYaml } from './gnostic-yaml.js';

export type J = Record<string, unknown>;

export interface Ctx {
  unmapped: string[];
}

/** How one JSON key becomes a field. */
export type Kind =
  | 'string'
  | 'bool'
  | 'double'
  | 'int64'
  | 'strings'
  | 'any'
  | 'anys'
  | { msg: Encode }
  | { msgs: Encode };

export type Encode = (v: unknown, path: string, cx: Ctx) => ProtoWriter | undefined;

export interface Spec {
  /** JSON key → [field number, kind]. */
  fields: Record<string, readonly [number, Kind]>;
  /** The `repeated NamedAny vendor_extension` field that takes `x-` keys. */
  ext?: number;
}

export const isObject = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Writes an object's keys as the spec's fields, in field-number order (as Go marshals). */
export function encodeWith(spec: Spec, obj: J, path: string, cx: Ctx): ProtoWriter {
  const w = new ProtoWriter();
  const present: { field: number; write: () => void }[] = [];
  const ext: [string, unknown][] = [];
  for (const [key, value] of Object.entries(obj)) {
    const f = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
    if (f) {
      const [field, kind] = f;
      present.push({ field, write: () => writeField(w, field, kind, value, `${path}.${key}`, cx) });
    } else if (spec.ext !== undefined && key.startsWith('x-')) {
      ext.push([key, value]);
    } else {
      cx.unmapped.push(`${path}.${key}`);
    }
  }
  if (ext.length) {
    present.push({ field: spec.ext!, write: () => writeExtensions(w, spec.ext!, ext) });
  }
  present.sort((a, b) => a.field - b.field);
  for (const p of present) p.write();
  return w;
}

function writeField(w: ProtoWriter, field: number, kind: Kind, v: unknown, path: string, cx: Ctx): void {
  const bad = () => cx.unmapped.push(path);
  switch (kind) {
    case 'string':
      if (typeof v === 'string') w.string(field, v);
      else bad();
      return;
    case 'bool':
      if (typeof v === 'boolean') w.bool(field, v);
      else bad();
      return;
    case 'double':
      if (typeof v === 'number') w.double(field, v);
      else bad();
      return;
    case 'int64':
      if (Number.isInteger(v)) w.int(field, v as number);
      else bad();
      return;
    case 'strings':
      if (Array.isArray(v) && v.every((s) => typeof s === 'string')) w.repeatedString(field, v as string[]);
      else bad();
      return;
    case 'any':
      w.message(field, anyMessage(v));
      return;
    case 'anys':
      if (Array.isArray(v)) for (const item of v) w.message(field, anyMessage(item));
      else bad();
      return;
  }
  if ('msg' in kind) {
    const m = kind.msg(v, path, cx);
    if (m) w.message(field, m);
    return;
  }
  if (!Array.isArray(v)) return void bad();
  v.forEach((item, i) => {
    const m = kind.msgs(item, `${path}[${i}]`, cx);
    if (m) w.message(field, m);
  });
}

/** openapi_v2.Any{yaml = 2}: the value as yaml.v3 writes it. */
function anyMessage(v: unknown): ProtoWriter {
  return new ProtoWriter().string(2, gnosticYaml(v));
}

/** `repeated NamedAny vendor_extension`: NamedAny{name = 1, value = 2}. */
export function writeExtensions(w: ProtoWriter, field: number, ext: [string, unknown][]): void {
  for (const [name, value] of ext) w.message(field, new ProtoWriter().string(1, name).message(2, anyMessage(value)));
}

/** A message from an object by its spec; a non-object is reported and left out. */
export const object =
  (spec: () => Spec): Encode =>
  (v, path, cx) => {
    if (!isObject(v)) {
      cx.unmapped.push(path);
      return undefined;
    }
    return encodeWith(spec(), v, path, cx);
  };

/**
 * A map-shaped message (Definitions, Properties, ParameterDefinitions...): one `Named*{name = 1,
 * value = 2}` per key, in document order, in field `field`.
 */
export const named =
  (value: Encode, field = 1): Encode =>
  (v, path, cx) => {
    if (!isObject(v)) {
      cx.unmapped.push(path);
      return undefined;
    }
    const w = new ProtoWriter();
    for (const [name, item] of Object.entries(v)) {
      const m = value(item, `${path}.${name}`, cx);
      const entry = new ProtoWriter().string(1, name);
      if (m) entry.message(2, m);
      w.message(field, entry);
    }
    return w;
  };
