// Comparing two objects into the field sets added, modified and removed between them (structured-merge-
// diff's typed.Compare), for managed fields on every write and for server-side apply. Hot on every
// create and update, so it walks both objects once and writes straight into the three set trees: a
// cursor per map or list remembers where it is, a set node is made only when something is recorded
// below it, and the path of a node is spelled out only for an error message.
// Deliberately absent: what the comparison means for managers (managed-fields.ts), merging (apply.ts).

import type { SchemaNode } from '../../api/schema/node.js';
import { isJsonObject } from './json-merge.js';
import type { JsonObject } from './json-merge.js';
import { FieldPathError, FieldSet, childSchema, fieldElement, isElement, itemElement, pathString, shapeOf } from './field-set.js';
import type { FieldPath, ListKind, PathElement } from './field-set.js';

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

type Node = SchemaNode | undefined;
type Which = 'added' | 'modified' | 'removed';
type AssociativeList = Exclude<ListKind, { type: 'atomic' }>;

/** Where the walk is: the path element below `up`, and this node's sets once something is recorded. */
class At {
  added?: FieldSet;
  modified?: FieldSet;
  removed?: FieldSet;
  constructor(
    readonly up: At | undefined,
    readonly pe: PathElement,
  ) {}

  /** This node's set in the comparison `w`, made (and hung below the parent's) on first use. */
  set(w: Which): FieldSet {
    let s = this[w];
    if (!s) s = this[w] = this.up!.set(w).childOrNew(this.pe);
    return s;
  }

  path(): FieldPath {
    const out: FieldPath = [];
    for (let a: At | undefined = this; a?.up; a = a.up) out.unshift(a.pe);
    return out;
  }
}

/** An empty object whose missing keys read as the original's `{}[k]` did (inherited names included). */
const NONE: JsonObject = {};
const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** The field paths added, modified and removed from lhs to rhs (typed.Compare). */
export function compareObjects(lhs: unknown, rhs: unknown, schema: SchemaNode): Comparison {
  const root = new At(undefined, '');
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  root.added = c.added;
  root.modified = c.modified;
  root.removed = c.removed;
  compareAt(lhs, rhs, schema, root);
  return c;
}

/** Records `w` for the path (up, pe); the empty path (the root itself) is not recorded. */
function record(up: At | undefined, pe: PathElement, w: Which): void {
  if (up) up.set(w).addMember(pe);
}

/** Compares l and r at `here` (`up`/`pe` name it within its parent's sets). */
function compareAt(l: unknown, r: unknown, node: Node, here: At): void {
  const sl = l === undefined ? undefined : shapeOf(l, node);
  const sr = r === undefined ? undefined : shapeOf(r, node);
  const shape = sr ?? sl!;
  if ((sl && sr && sl.kind !== sr.kind) || shape.kind === 'leaf') return leaf(l, r, here.up, here.pe);
  if (shape.kind === 'map') {
    const lm = isJsonObject(l) ? l : NONE;
    const rm = isJsonObject(r) ? r : NONE;
    const lk = Object.keys(lm);
    const rk = Object.keys(rm);
    if (lk.length === 0 && rk.length === 0) return leaf(l, r, here.up, here.pe);
    for (const k of lk) child(lm[k], rm[k], childSchema(shape.node, k), here, fieldElement(k));
    for (const k of rk) if (!hasOwn(lm, k)) child(lm[k], rm[k], childSchema(shape.node, k), here, fieldElement(k));
  } else {
    const ll = Array.isArray(l) ? l : [];
    const rl = Array.isArray(r) ? r : [];
    if (ll.length === 0 && rl.length === 0) return leaf(l, r, here.up, here.pe);
    compareItems(ll, rl, shape.list, shape.elem, here);
  }
  if (l === undefined) record(here.up, here.pe, 'added');
  else if (r === undefined) record(here.up, here.pe, 'removed');
}

function leaf(l: unknown, r: unknown, up: At | undefined, pe: PathElement): void {
  if (l === undefined) record(up, pe, 'added');
  else if (r === undefined) record(up, pe, 'removed');
  else if (!jsonEqual(l, r)) record(up, pe, 'modified');
}

/**
 * One child of a map or list: a value only one side has takes the one-sided walk, two scalars are a
 * leaf whatever the schema says, and the rest goes through compareAt. A key both sides hold as
 * undefined (an object built in code, e.g. `status: undefined`) is absent from both: nothing.
 */
function child(l: unknown, r: unknown, node: Node, up: At, pe: PathElement): void {
  // The same object on both sides (versions share unchanged subtrees, e.g. the spec of a status
  // write) has nothing added, modified or removed below it: no walk.
  if (l === r && (l === undefined || (l !== null && typeof l === 'object'))) return;
  if (l === undefined) {
    return oneSided(r, node, up, pe, 'added');
  } else if (r === undefined) {
    return oneSided(l, node, up, pe, 'removed');
  } else if ((l === null || typeof l !== 'object') && (r === null || typeof r !== 'object')) {
    return leaf(l, r, up, pe);
  }
  compareAt(l, r, node, new At(up, pe));
}

/** compareAt with the other side undefined: v and everything below it are `w` (added or removed). */
function oneSided(v: unknown, node: Node, up: At, pe: PathElement, w: Which): void {
  const shape = shapeOf(v, node);
  if (shape.kind === 'map') {
    const m = v as JsonObject;
    const keys = Object.keys(m);
    if (keys.length > 0) {
      const here = new At(up, pe);
      for (const k of keys) {
        const x = m[k];
        const absent = NONE[k]; // what the missing side reads: undefined but for inherited names
        if (x !== undefined && absent === undefined) oneSided(x, childSchema(shape.node, k), here, fieldElement(k), w);
        else if (w === 'added') compareAt(absent, x, childSchema(shape.node, k), new At(here, fieldElement(k)));
        else compareAt(x, absent, childSchema(shape.node, k), new At(here, fieldElement(k)));
      }
    }
  } else if (shape.kind === 'list') {
    const items = v as unknown[];
    if (items.length > 0) {
      const here = new At(up, pe);
      if (w === 'added') compareItems([], items, shape.list, shape.elem, here);
      else compareItems(items, [], shape.list, shape.elem, here);
    }
  }
  up.set(w).addMember(pe);
}

/** The items of both sides that share one path element. */
class Group {
  ls: unknown[] = [];
  rs: unknown[] = [];
}

function compareItems(l: unknown[], r: unknown[], list: AssociativeList, elem: Node, here: At): void {
  const groups = new Map<PathElement, Group>();
  const index = (items: unknown[], side: 'ls' | 'rs') => {
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const pe = itemElement(item, list);
      if (!isElement(pe)) throw new FieldPathError(`${pathString(here.path())}: element ${i}: ${pe}`);
      let g = groups.get(pe);
      if (!g) groups.set(pe, (g = new Group()));
      g[side].push(item);
    }
  };
  index(l, 'ls');
  index(r, 'rs');
  for (const [pe, { ls, rs }] of groups) {
    if (ls.length <= 1 && rs.length <= 1) child(ls[0], rs[0], elem, here, pe);
    else if (ls.length >= 2 && rs.length >= 2) {
      if (!jsonEqual(ls, rs)) here.set('modified').addMember(pe);
    } else if (ls.length >= 2) {
      if (rs.length) child(undefined, rs[0], elem, here, pe);
      here.set('removed').addMember(pe);
    } else {
      if (ls.length) child(ls[0], undefined, elem, here, pe);
      here.set('added').addMember(pe);
    }
  }
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}
