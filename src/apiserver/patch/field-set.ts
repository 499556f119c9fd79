// Field sets: the sets of field paths that managedFields record (structured-merge-diff's fieldpath.Set)
// and their fieldsV1 JSON form (`{"f:spec":{"f:containers":{"k:{\"name\":\"a\"}":{".":{},"f:image":{}}}}}`),
// plus the schema reading that decides what a path element is: `f:` a field or map key, `k:` an item of
// an associative list (listMapKeys, or patchMergeKey for a merge list), `v:` a member of a set, and a
// whole atomic list or map is one leaf. Also fieldSetOf (typed.ToFieldSet) and the human form of a path
// used in conflict messages (`.spec.containers[name="nginx"].image`).
// Deliberately absent: comparing, merging and pruning objects (managed-fields.ts, apply.ts); `i:`
// elements are parsed and printed but never produced, since berth treats non-associative lists as atomic.

import type { SchemaNode } from '../../api/schema/node.js';
import { isJsonObject } from './json-merge.js';
import type { JsonObject } from './json-merge.js';
import { canonicalElement, canonicalJson, sortElements } from './path-elements.js';

export { canonicalJson } from './path-elements.js';

/** One path step as written in fieldsV1: `f:<name>`, `k:<json>`, `v:<json>` or `i:<index>`. */
export type PathElement = string;
export type FieldPath = PathElement[];
type Node = SchemaNode | undefined;

/**
 * A set of field paths as a tree. A set is not changed once built (insert, addMember and childOrNew are
 * for building a new one): operations share the unchanged subtrees of their operands. No child is empty.
 */
export class FieldSet {
  private readonly members = new Set<PathElement>();
  private readonly children = new Map<PathElement, FieldSet>();

  static of(...paths: FieldPath[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (the empty path is ignored, as in structured-merge-diff). */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let s: FieldSet = this;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) {
      const pe = path[i]!;
      let c = s.children.get(pe);
      if (!c) s.children.set(pe, (c = new FieldSet()));
      s = c;
    }
    s.members.add(path[last]!);
    return this;
  }

  /** Adds one member at this level (while building a new set). */
  addMember(pe: PathElement): void {
    this.members.add(pe);
  }

  /** The child below pe, made when absent (while building a new set; the caller puts a member in it). */
  childOrNew(pe: PathElement): FieldSet {
    let c = this.children.get(pe);
    if (!c) this.children.set(pe, (c = new FieldSet()));
    return c;
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    const parent = path.length === 1 ? this : this.at(path.slice(0, -1));
    return parent?.members.has(path[path.length - 1]!) ?? false;
  }

  /** The subset below a path prefix (paths relative to it), if any. */
  at(prefix: FieldPath): FieldSet | undefined {
    let s: FieldSet | undefined = this;
    for (const pe of prefix) s = s?.children.get(pe);
    return s;
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(pe);
  }

  child(pe: PathElement): FieldSet | undefined {
    return this.children.get(pe);
  }

  childElements(): PathElement[] {
    return [...this.children.keys()];
  }

  memberElements(): PathElement[] {
    return [...this.members];
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  union(other: FieldSet): FieldSet {
    return this.combine(other, { members: (a, b) => a || b, keepLeft: true, keepRight: true });
  }

  intersection(other: FieldSet): FieldSet {
    return this.combine(other, { members: (a, b) => a && b, keepLeft: false, keepRight: false });
  }

  /** Paths of this set that are not paths of other (member-wise, like fieldpath.Set.Difference). */
  difference(other: FieldSet): FieldSet {
    return this.combine(other, { members: (a, b) => a && !b, keepLeft: true, keepRight: false });
  }

  /** Like difference, but a member of other also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      if (other.members.has(pe)) continue;
      const o = other.children.get(pe);
      const d = o ? c.recursiveDifference(o) : c;
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  /** A deep copy. */
  clone(): FieldSet {
    const out = new FieldSet();
    for (const m of this.members) out.members.add(m);
    for (const [pe, c] of this.children) out.children.set(pe, c.clone());
    return out;
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Every path of the set, in fieldsV1 order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    for (const pe of sortElements([...new Set([...this.members, ...this.children.keys()])])) {
      if (this.members.has(pe)) out.push([pe]);
      for (const p of this.children.get(pe)?.paths() ?? []) out.push([pe, ...p]);
    }
    return out;
  }

  toFieldsV1(): JsonObject {
    return this.writeFieldsV1({});
  }

  /** Writes this set's fieldsV1 keys into out (after any key out already has) and returns out. */
  private writeFieldsV1(out: JsonObject): JsonObject {
    const keys = [...this.members];
    const children = this.children;
    if (children.size > 0) for (const pe of children.keys()) if (!this.members.has(pe)) keys.push(pe);
    for (const pe of sortElements(keys)) {
      const c = children.size > 0 ? children.get(pe) : undefined;
      if (!c || c.isEmpty()) {
        out[pe] = {};
      } else if (this.members.has(pe)) {
        out[pe] = c.writeFieldsV1({ '.': {} });
      } else {
        out[pe] = c.writeFieldsV1({});
      }
    }
    return out;
  }

  /** Parses fieldsV1 JSON; throws on a malformed document. Unknown element kinds are ignored. */
  static fromFieldsV1(json: unknown): FieldSet {
    if (!isJsonObject(json)) throw new Error('fieldsV1 must be an object');
    const out = new FieldSet();
    for (const key of Object.keys(json)) {
      if (key === '.') continue;
      const pe = canonicalElement(key);
      if (!pe) continue;
      const value = json[key];
      if (!isJsonObject(value)) throw new Error(`fieldsV1 entry ${key} must be an object`);
      const keys = Object.keys(value);
      if (keys.length === 0 || '.' in value) out.members.add(pe);
      if (keys.length > 1 || (keys.length === 1 && keys[0] !== '.')) {
        const c = FieldSet.fromFieldsV1(value);
        if (!c.isEmpty()) out.children.set(pe, c);
      }
    }
    return out;
  }

  private combine(
    other: FieldSet,
    rule: { members: (a: boolean, b: boolean) => boolean; keepLeft: boolean; keepRight: boolean },
  ): FieldSet {
    // Hot on every write (managedFields): iterate both sides instead of building merged key sets.
    const out = new FieldSet();
    for (const m of this.members) if (rule.members(true, other.members.has(m))) out.members.add(m);
    for (const m of other.members) if (!this.members.has(m) && rule.members(false, true)) out.members.add(m);
    for (const [pe, a] of this.children) {
      const b = other.children.get(pe);
      const c = b ? a.combine(b, rule) : rule.keepLeft ? a : undefined;
      if (c && !c.isEmpty()) out.children.set(pe, c);
    }
    if (rule.keepRight) {
      for (const [pe, b] of other.children) {
        if (this.children.has(pe)) continue;
        if (!b.isEmpty()) out.children.set(pe, b);
      }
    }
    return out;
  }
}

// ---- path elements --------------------------------------------------------------------------------

export const fieldElement = (name: string): PathElement => `f:${name}`;
export const valueElement = (v: unknown): PathElement => `v:${canonicalJson(v)}`;
export const keyElement = (fields: Record<string, unknown>): PathElement => `k:${canonicalJson(fields)}`;

/** `.spec.containers[name="nginx"].image`, as structured-merge-diff prints paths. */
export function pathString(path: FieldPath): string {
  return path.map(elementString).join('');
}

function elementString(pe: PathElement): string {
  const rest = pe.slice(2);
  switch (pe.slice(0, 2)) {
    case 'f:':
      return `.${rest}`;
    case 'k:': {
      const fields = JSON.parse(rest) as JsonObject;
      return `[${Object.keys(fields).sort().map((k) => `${k}=${valueString(fields[k])}`).join(',')}]`;
    }
    case 'v:':
      return `[=${valueString(JSON.parse(rest))}]`;
    default:
      return `[${rest}]`;
  }
}

function valueString(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  if (isJsonObject(v)) return Object.entries(v).map(([k, x]) => `${k}=${valueString(x)}`).join('');
  return String(v);
}

// ---- reading the schema ---------------------------------------------------------------------------

export type ListKind = { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] };

/** How apply sees a list: x-kubernetes-list-type first, else a merge patchStrategy, else atomic. */
export function listKindOf(node: Node): ListKind {
  if (!node || node.kind !== 'list') return { type: 'atomic' };
  if (node.listType === 'map') {
    const keys = node.listMapKeys?.length ? node.listMapKeys : node.patchMergeKey ? [node.patchMergeKey] : [];
    return keys.length ? { type: 'map', keys } : { type: 'atomic' };
  }
  if (node.listType === 'set') return { type: 'set' };
  if (node.listType === 'atomic') return { type: 'atomic' };
  const strategies = (node.patchStrategy ?? '').split(',').map((s) => s.trim());
  if (!strategies.includes('merge')) return { type: 'atomic' };
  return node.patchMergeKey ? { type: 'map', keys: [node.patchMergeKey] } : { type: 'set' };
}

/** The schema of a field or map value; undefined when unknown (then the value is walked untyped). */
export function childSchema(node: Node, key: string): Node {
  if (!node) return undefined;
  if (node.kind === 'object') return node.field(key);
  if (node.kind === 'map') return node.elem();
  return undefined;
}

/** List-map keys that the served schemas default when absent (ContainerPort, ServicePort). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** The path element of a list item, or an error text when the item cannot be identified. */
export function itemElement(item: unknown, list: ListKind): PathElement | string {
  if (list.type === 'set') {
    if (item === null || typeof item === 'object') return 'associative list without keys has an element that is not a scalar';
    return valueElement(item);
  }
  if (list.type !== 'map') return 'invalid indexing of non-associative list';
  if (!isJsonObject(item)) return 'associative list with keys may not have non-map elements';
  const key: Record<string, unknown> = {};
  for (const k of list.keys) {
    if (item[k] !== undefined && item[k] !== null) key[k] = item[k];
    else if (k in KEY_DEFAULTS) key[k] = KEY_DEFAULTS[k];
  }
  if (Object.keys(key).length === 0) {
    return `associative list with keys has an element that omits all key fields ${JSON.stringify(list.keys)}`;
  }
  return keyElement(key);
}

export function isElement(r: PathElement | string): boolean {
  const c = r.charCodeAt(0);
  return (c === 102 || c === 107 || c === 118 || c === 105) && r.charCodeAt(1) === 58; // /^[fkvi]:/
}

/** How a value is walked: a leaf, a granular map, or an associative list. */
export type Shape =
  | { kind: 'leaf' }
  | { kind: 'map'; node: Node }
  | { kind: 'list'; list: Exclude<ListKind, { type: 'atomic' }>; elem: Node };

export function shapeOf(value: unknown, node: Node): Shape {
  if (Array.isArray(value)) {
    if (node && node.kind !== 'list') return { kind: 'leaf' };
    const list = listKindOf(node);
    return list.type === 'atomic' ? { kind: 'leaf' } : { kind: 'list', list, elem: node?.elem() };
  }
  if (isJsonObject(value)) {
    if (node && (node.kind === 'scalar' || node.kind === 'list' || node.mapType === 'atomic')) return { kind: 'leaf' };
    return { kind: 'map', node };
  }
  return { kind: 'leaf' };
}

/** Thrown when an object does not fit its schema well enough to name its fields. */
export class FieldPathError extends Error {}

/** The leaf fields of an object (typed.ToFieldSet): scalars, atomic values, list items and empty maps. */
export function fieldSetOf(obj: unknown, schema: SchemaNode): FieldSet {
  const set = new FieldSet();
  collect(obj, { node: schema, path: [], set });
  return set;
}

function collect(value: unknown, at: { node: Node; path: FieldPath; set: FieldSet }): void {
  const shape = shapeOf(value, at.node);
  if (shape.kind === 'leaf') {
    at.set.insert(at.path);
  } else if (shape.kind === 'map') {
    for (const [k, v] of Object.entries(value as JsonObject)) {
      const path = [...at.path, fieldElement(k)];
      collect(v, { node: childSchema(shape.node, k), path, set: at.set });
      const named = shape.node?.kind === 'object' && shape.node.field(k) !== undefined;
      if (v === null || (isJsonObject(v) && Object.keys(v).length === 0) || !named) at.set.insert(path);
    }
  } else {
    const items = value as unknown[];
    const seen = new Set<PathElement>();
    items.forEach((item, i) => {
      const pe = itemElement(item, shape.list);
      if (!isElement(pe)) throw new FieldPathError(`${pathString(at.path)}: element ${i}: ${pe}`);
      const path = [...at.path, pe];
      if (seen.has(pe)) return; // a duplicate is owned as a whole, as structured-merge-diff does
      seen.add(pe);
      collect(item, { node: shape.elem, path, set: at.set });
      at.set.insert(path);
    });
  }
}

/** Adds the named struct fields above each path as members (fieldpath.Set.EnsureNamedFieldsAreMembers). */
export function ensureNamedFieldsAreMembers(set: FieldSet, node: Node): FieldSet {
  const out = new FieldSet();
  const walk = (s: FieldSet, n: Node, prefix: FieldPath) => {
    for (const pe of s.memberElements()) out.insert([...prefix, pe]);
    for (const pe of s.childElements()) {
      const isField = pe.startsWith('f:');
      if (isField && n?.kind === 'object' && n.field(pe.slice(2)) !== undefined) out.insert([...prefix, pe]);
      const childNode = isField ? childSchema(n, pe.slice(2)) : n?.elem();
      walk(s.child(pe)!, childNode, [...prefix, pe]);
    }
  };
  walk(set, node, []);
  return out;
}
