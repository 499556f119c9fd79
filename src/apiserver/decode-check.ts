// Checks a decoded body against its schema the way Kubernetes' typed Go decoding would see it:
// fields the type does not have (reported as paths like spec.containers[0].foo, for strict field
// validation) and values Go could not unmarshal, with Go's own error text
// (`json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container`;
// Quantity, IntOrString, Time and []byte with their own decoders' texts). Go type names are derived
// from definition names, so named string types (v1.PullPolicy) read as `string`.
// Deliberately absent: semantic validation (api/<group> validators), defaulting, error policy
// (decode.ts decides Strict/Warn/Ignore), and recursion: the walk uses an explicit stack.

import type { SchemaNode } from '../api/schema/node.js';
import type { FormattedSchemaNode } from '../api/schema/schemas.js';
import { quantityError, QUANTITY_FORMAT_ERROR } from '../api/quantity.js';
import { goBase64Error, goTimeError } from './decode-go.js';

export interface FieldReport {
  /** Paths of fields the schema does not know, in document order. */
  unknown: string[];
  /** Go decoder error texts, in document order; Kubernetes reports the first. */
  typeErrors: string[];
}

const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT32 = 2 ** 31;
const INT64 = 2 ** 63;

interface Item {
  value: unknown;
  /** Undefined for a field the schema lacks: reported when popped, so reports keep document order. */
  node: SchemaNode | undefined;
  /** The item holding this value, and the key or index it is under (paths are built only when reported). */
  parent: Item | undefined;
  key: string | number;
  /** Whether `key` names a struct field (rather than a map key or list index). */
  isField: boolean;
}

export interface CheckOptions {
  /**
   * Also remove, in place, the unknown fields and the struct fields set to null: what decoding into
   * Go structs leaves of a body (unknown fields have nowhere to go, null leaves the zero value).
   */
  prune?: boolean;
}

/** Walks `obj` against `schema`; see FieldReport. Values under unknown or mistyped fields are not visited. */
export function checkFields(obj: unknown, schema: SchemaNode, options: CheckOptions = {}): FieldReport {
  const prune = options.prune === true;
  const report: FieldReport = { unknown: [], typeErrors: [] };
  const work: Item[] = [{ value: obj, node: schema, parent: undefined, key: '', isField: false }];
  while (work.length) {
    const item = work.pop()!;
    const { value, node } = item;
    if (!node || value === null) {
      if (!node) report.unknown.push(displayPath(item));
      if (prune && item.isField) delete (item.parent!.value as Record<string, unknown>)[item.key];
      continue;
    }
    if (value === undefined) continue;
    switch (node.kind) {
      case 'object':
      case 'map': {
        if (!isPlainObject(value)) {
          report.typeErrors.push(mismatch(item));
          break;
        }
        const isField = node.kind === 'object';
        const elem = isField ? undefined : node.elem();
        if (!isField && !elem) break;
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i]!;
          work.push({ value: value[key], node: isField ? node.field(key) : elem, parent: item, key, isField });
        }
        break;
      }
      case 'list': {
        if (!Array.isArray(value)) {
          report.typeErrors.push(mismatch(item));
          break;
        }
        const elem = node.elem();
        if (!elem) break;
        for (let i = value.length - 1; i >= 0; i--) work.push({ value: value[i], node: elem, parent: item, key: i, isField: false });
        break;
      }
      case 'scalar': {
        const err = scalarError(item);
        if (err) report.typeErrors.push(err);
        break;
      }
      case 'any':
        break;
    }
  }
  return report;
}

/** spec.containers[0].image (map keys as .key). */
function displayPath(item: Item): string {
  const parts: string[] = [];
  for (let it: Item | undefined = item; it?.parent; it = it.parent) {
    parts.push(typeof it.key === 'number' ? `[${it.key}]` : `.${it.key}`);
  }
  return parts.reverse().join('').replace(/^\./, '');
}

/** Go's error context: the innermost struct holding the value, and the path of struct field names. */
function goContext(item: Item): { struct: string; path: string } {
  const names: string[] = [];
  let struct = '';
  for (let it: Item | undefined = item; it?.parent; it = it.parent) {
    if (!it.isField) continue;
    names.push(it.key as string);
    if (!struct) struct = shortName(it.parent.node?.name);
  }
  return { struct, path: names.reverse().join('.') };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON kind of a value as Go's UnmarshalTypeError names it. */
function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

function mismatch(item: Item, valueText = jsonKind(item.value)): string {
  const type = goType(item.node!);
  const { struct, path } = goContext(item);
  if (!struct || !path) return `json: cannot unmarshal ${valueText} into Go value of type ${type}`;
  return `json: cannot unmarshal ${valueText} into Go struct field ${struct}.${path} of type ${type}`;
}

function scalarError(item: Item): string | undefined {
  const { value } = item;
  const node = item.node!;
  const format = (node as FormattedSchemaNode).format;
  switch (node.scalar) {
    case 'string':
      if (node.name === TIME || node.name === MICRO_TIME) {
        if (typeof value !== 'string') return `json: cannot unmarshal ${jsonKind(value)} into Go value of type string`;
        return goTimeError(value, node.name === MICRO_TIME);
      }
      if (typeof value !== 'string') return mismatch(item);
      return format === 'byte' ? goBase64Error(value) : undefined;
    case 'integer': {
      if (typeof value !== 'number') return mismatch(item);
      const limit = format === 'int64' ? INT64 : INT32;
      if (!Number.isInteger(value) || value >= limit || value < -limit) return mismatch(item, `number ${String(value)}`);
      return undefined;
    }
    case 'number':
      return typeof value === 'number' ? undefined : mismatch(item);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : mismatch(item);
    case 'int-or-string':
      if (typeof value === 'string') return undefined;
      if (typeof value === 'number' && Number.isInteger(value) && value < INT32 && value >= -INT32) return undefined;
      return `json: cannot unmarshal ${typeof value === 'number' ? `number ${String(value)}` : jsonKind(value)} into Go value of type int32`;
    case 'quantity':
      if (typeof value === 'string') return quantityError(value.trim()) ?? undefined;
      if (typeof value === 'number') return quantityError(String(value)) ?? undefined;
      return QUANTITY_FORMAT_ERROR;
    default:
      return undefined;
  }
}

/** Go's name for a definition: io.k8s.api.core.v1.Container → v1.Container. */
function goNamed(name: string): string {
  const parts = name.split('.');
  return parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : name;
}

function shortName(name: string | undefined): string {
  return name ? name.slice(name.lastIndexOf('.') + 1) : '';
}

/** The Go type a schema node decodes into, as reflect.Type.String() prints it. */
export function goType(node: SchemaNode): string {
  if (node.name) return goNamed(node.name);
  const format = (node as FormattedSchemaNode).format;
  switch (node.kind) {
    case 'list': {
      const elem = node.elem();
      return `[]${elem ? goType(elem) : 'interface {}'}`;
    }
    case 'map': {
      const elem = node.elem();
      if (elem?.name === QUANTITY) return 'v1.ResourceList';
      return `map[string]${elem ? goType(elem) : 'interface {}'}`;
    }
    case 'scalar':
      switch (node.scalar) {
        case 'string':
          return format === 'byte' ? '[]uint8' : 'string';
        case 'integer':
          return format === 'int64' ? 'int64' : 'int32';
        case 'number':
          return 'float64';
        case 'boolean':
          return 'bool';
        case 'int-or-string':
          return 'intstr.IntOrString';
        case 'quantity':
          return 'resource.Quantity';
        default:
          return 'interface {}';
      }
    default:
      return 'interface {}';
  }
}
