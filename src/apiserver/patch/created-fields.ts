// The field set a create gives its writer depends only on the object's shape: which keys its maps
// have (at every depth), whether each value is a map, a list or a scalar, and the items of its
// lists (a list item's path element comes from its values: a key field, a set member). Creates
// repeat shapes (every pod of a template, every event of a recorder), so the set is remembered with
// an exemplar of the shape: the object's maps and lists with the values inside lists kept whole
// and every other scalar reduced to its kind. A new object with the same keys, kinds and list items
// as an exemplar has the same set, whatever its scalars outside lists hold. The remembered set (and
// the frozen fieldsV1 managed-fields.ts makes of it) is shared by every object of that shape; sets
// are never changed once built. A few exemplars are kept per schema and reset, the most recently
// used first; an object of more than MAX_NODES values is not remembered.
// Deliberately absent: updates (their sets depend on the old object too).

import type { SchemaNode } from '../../api/schema/node.js';
import type { FieldSet } from './field-set.js';

/** Exemplars kept per schema and reset. */
const MAX_SHAPES = 16;
/** Objects with more values than this (a ConfigMap of many keys) are not remembered. */
const MAX_NODES = 2000;

interface Known {
  exemplar: unknown;
  set: FieldSet;
}

/** How often a create found its shape remembered, and how often not (for tests and profiling). */
export const createdSetStats = { hits: 0, misses: 0 };

/** Exemplars by schema node, then by reset key; most recently used first. */
const memo = new WeakMap<SchemaNode, Map<string, Known[]>>();

/**
 * The set `compute` gives for a create of `obj` under `schema` with the reset fields `resetKey`
 * names: the one of an earlier create of the same shape, else computed and remembered.
 */
export function createdSet(schema: SchemaNode, resetKey: string, obj: unknown, compute: () => FieldSet): FieldSet {
  let bySchema = memo.get(schema);
  if (!bySchema) memo.set(schema, (bySchema = new Map()));
  let known = bySchema.get(resetKey);
  if (!known) bySchema.set(resetKey, (known = []));
  for (let i = 0; i < known.length; i++) {
    const k = known[i]!;
    if (!sameShape(k.exemplar, obj, false)) continue;
    if (i > 0) known.unshift(...known.splice(i, 1));
    createdSetStats.hits++;
    return k.set;
  }
  createdSetStats.misses++;
  const set = compute();
  const budget = { nodes: MAX_NODES };
  const exemplar = exemplarOf(obj, false, budget);
  if (budget.nodes >= 0) {
    known.unshift({ exemplar, set });
    if (known.length > MAX_SHAPES) known.pop();
  }
  return set;
}

/** A scalar outside lists stands for its kind: '' for any string, 0 for any number, false for any boolean. */
function kindOf(x: unknown): unknown {
  return typeof x === 'string' ? '' : typeof x === 'number' ? 0 : typeof x === 'boolean' ? false : x;
}

/** The shape of x; `budget.nodes` goes below zero when x has too many values. */
export function exemplarOf(x: unknown, inList: boolean, budget: { nodes: number }): unknown {
  if (--budget.nodes < 0) return undefined;
  if (typeof x !== 'object' || x === null) return inList ? x : kindOf(x);
  if (Array.isArray(x)) return x.map((item) => exemplarOf(item, true, budget));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x)) {
    const v = exemplarOf((x as Record<string, unknown>)[k], inList, budget);
    // Defined, a key named __proto__ is an own key like any other (assigned, it would set the prototype).
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Whether x has the shape of `exemplar` (own keys only): the same keys, kinds and list items, map key order aside. */
export function sameShape(exemplar: unknown, x: unknown, inList: boolean): boolean {
  if (typeof exemplar !== 'object' || exemplar === null) return inList ? exemplar === x : exemplar === kindOf(x);
  if (typeof x !== 'object' || x === null) return false;
  if (Array.isArray(exemplar)) {
    if (!Array.isArray(x) || x.length !== exemplar.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameShape(exemplar[i], x[i], true)) return false;
    return true;
  }
  if (Array.isArray(x)) return false;
  const e = exemplar as Record<string, unknown>;
  const o = x as Record<string, unknown>;
  let n = 0;
  for (const k in e) {
    if (!hasOwn(o, k) || !sameShape(e[k], o[k], inList)) return false;
    n++;
  }
  for (const k in o) if (hasOwn(o, k) && --n < 0) return false;
  return n === 0;
}
