// Server-side apply (`kubectl apply --server-side`, application/apply-patch+yaml) as structured-merge-diff
// does it for kube-apiserver: the applied configuration is merged into the live object (maps by key,
// associative lists by item key, sets by value, atomic values replaced); the manager's Apply entry
// becomes exactly the fields it applied; fields it applied last time but no longer applies are removed
// unless another manager owns them; changing a field another manager owns is a conflict (409, worded
// as Kubernetes words it) unless forced, when ownership moves. Creating is applying to nothing.
// Deliberately absent: decoding YAML, defaulting and validating the result, the version check, the
// last-applied-configuration annotation, and rejecting metadata.managedFields in the body (ignored).

import type { SchemaNode } from '../../api/schema/node.js';
import { ApiError, applyConflict, badRequest } from '../../api/errors.js';
import { cloneJson, isJsonObject } from './json-merge.js';
import type { JsonObject } from './json-merge.js';
import {
  FieldPathError,
  FieldSet,
  childSchema,
  ensureNamedFieldsAreMembers,
  fieldElement,
  fieldSetOf,
  isElement,
  itemElement,
  listKindOf,
  pathString,
  shapeOf,
} from './field-set.js';
import type { ListKind, PathElement } from './field-set.js';
import {
  compareObjects,
  decodeOrEmpty,
  encodeManagedFields,
  filterComparison,
  jsonEqual,
  managerId,
  recordUpdate,
  resetFieldSet,
  settleOtherManagers,
  stripMeta,
  timeString,
  withoutManagedFields,
} from './managed-fields.js';
import type { Conflict, ManagedFieldsEntry, Managers } from './managed-fields.js';

export interface ServerSideApplyOptions {
  /** The live object; undefined when apply creates it. */
  live: unknown;
  /** The applied configuration (decoded body). */
  applied: unknown;
  manager: string;
  force: boolean;
  schema: SchemaNode;
  time: string | Date;
  /** The served apiVersion (group/version) the entry records. */
  apiVersion: string;
  /** '' or undefined for the main resource, 'status' for /status. */
  subresource?: string;
  /** Field paths this endpoint does not own; defaults as in resetFieldSet. */
  resetFields?: string[];
}

export interface ApplyResult {
  /** The merged object, carrying the new managedFields (none when the list is empty). */
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

type Node = SchemaNode | undefined;

/** Merges o.applied into o.live; the caller has refused undeclared fields (checkAppliedFields). */
export function serverSideApply(o: ServerSideApplyOptions): ApplyResult {
  const config = withoutManagedFields(o.applied);
  if (!isJsonObject(config)) throw badRequest('the applied configuration must be an object');
  const live = (o.live === undefined ? {} : withoutManagedFields(o.live)) as JsonObject;
  const time = timeString(o.time);
  const reset = resetFieldSet(o);
  const managers = decodeOrEmpty(isJsonObject(o.live) && isJsonObject(o.live.metadata) ? o.live.metadata.managedFields : undefined);
  try {
    if (o.live !== undefined && managers.size === 0) {
      // Kubernetes attributes an untracked object's fields to one Update entry before the first apply.
      const id = { manager: 'before-first-apply', operation: 'Update' as const, apiVersion: o.apiVersion, subresource: o.subresource };
      recordUpdate(managers, { old: undefined, new: live, id, schema: o.schema, reset, time });
    }
    const id = managerId({ manager: o.manager, operation: 'Apply', apiVersion: o.apiVersion, subresource: o.subresource });
    const previous = managers.get(id);
    managers.set(id, {
      manager: o.manager,
      operation: 'Apply',
      apiVersion: o.apiVersion,
      ...(o.subresource ? { subresource: o.subresource } : {}),
      ...(previous?.time ? { time: previous.time } : {}),
      set: fieldSetOf(config, o.schema).recursiveDifference(reset),
    });
    let merged = mergeValue(live, config, { node: o.schema }) as JsonObject;
    if (previous) merged = prune(merged, { managers, lastSet: previous.set, schema: o.schema });
    const cmp = filterComparison(compareObjects(live, merged, o.schema), reset);
    const conflicts = settleOtherManagers(managers, cmp, { self: id, force: o.force });
    if (conflicts.length > 0 && !o.force) throw applyConflicts(conflicts);
    const mine = managers.get(id)!;
    const set = stripMeta(mine.set);
    if (set.isEmpty()) managers.delete(id);
    else managers.set(id, { ...mine, set, time: jsonEqual(live, merged) && mine.time ? mine.time : time });
    const managedFields = encodeManagedFields(managers);
    const metadata = isJsonObject(merged.metadata) ? { ...merged.metadata } : {};
    if (managedFields.length > 0) metadata.managedFields = managedFields;
    return { object: { ...merged, metadata }, managedFields };
  } catch (err) {
    if (err instanceof FieldPathError) throw typedPatchError(config, err.message);
    throw err;
  }
}

/**
 * Refuses an applied configuration with fields its schema does not declare. structured-merge-diff
 * types the configuration before anything else, so this holds whatever fieldValidation says.
 */
export function checkAppliedFields(config: unknown, schema: SchemaNode): void {
  if (!isJsonObject(config)) return;
  const undeclared = undeclaredFields(config, schema).map((p) => `${pathString(p)}: field not declared in schema`);
  if (undeclared.length) throw typedPatchError(config, undeclared.length === 1 ? undeclared[0]! : ['errors:', ...undeclared.map((u) => `  ${u}`)].join('\n'));
}

/**
 * Kubernetes' text for an applied configuration it cannot type (`failed to create typed patch object
 * (default/web; apps/v1, Kind=StatefulSet): .spec.foo: field not declared in schema`), as a
 * BadRequest: kube-apiserver 1.32 answers 500 for this client error.
 */
function typedPatchError(config: JsonObject, detail: string): ApiError {
  const meta = isJsonObject(config.metadata) ? config.metadata : {};
  const apiVersion = String(config.apiVersion ?? '');
  const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
  return badRequest(`failed to create typed patch object (${String(meta.namespace ?? '')}/${String(meta.name ?? '')}; ${gv}, Kind=${String(config.kind ?? '')}): ${detail}`);
}

/** The paths of struct fields the schema does not declare, in document order (typed validation). */
function undeclaredFields(value: unknown, node: Node, path: PathElement[] = [], out: PathElement[][] = []): PathElement[][] {
  if (!node || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    if (node.kind !== 'list') return out;
    const list = listKindOf(node);
    value.forEach((item, i) => {
      const pe = list.type === 'atomic' ? `i:${i}` : itemElement(item, list);
      if (isElement(pe)) undeclaredFields(item, node.elem(), [...path, pe], out);
    });
    return out;
  }
  if (node.kind !== 'object' && node.kind !== 'map') return out;
  for (const k of Object.keys(value)) {
    const child = childSchema(node, k);
    if (node.kind === 'object' && !child) out.push([...path, fieldElement(k)]);
    else undeclaredFields((value as JsonObject)[k], child, [...path, fieldElement(k)], out);
  }
  return out;
}

// ---- merging --------------------------------------------------------------------------------------

/** typed.Merge: the applied value wins at leaves; maps and associative lists merge. A null drops the key. */
function mergeValue(l: unknown, r: unknown, at: { node: Node }): unknown {
  const node = at.node;
  if (r === undefined) return l === undefined ? undefined : cloneJson(l);
  if (r === null) return undefined;
  if (l === undefined || l === null) return freshValue(r, node);
  const sl = shapeOf(l, node);
  const sr = shapeOf(r, node);
  if (sl.kind !== sr.kind || sr.kind === 'leaf') return freshValue(r, node);
  if (sr.kind === 'map') {
    const lm = l as JsonObject;
    const rm = r as JsonObject;
    if (Object.keys(lm).length === 0 && Object.keys(rm).length === 0) return {};
    const out: JsonObject = {};
    for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
      const v = mergeValue(lm[k], rm[k], { node: childSchema(sr.node, k) });
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  const ll = l as unknown[];
  const rl = r as unknown[];
  if (ll.length === 0 && rl.length === 0) return [];
  return mergeItems(ll, rl, { list: sr.list, elem: sr.elem });
}

/** An applied value with nothing live under it: a copy without nulls. */
function freshValue(r: unknown, node: Node): unknown {
  if (r === null) return undefined;
  if (Array.isArray(r)) return r.map((x) => freshValue(x, node?.elem()) ?? null);
  if (isJsonObject(r)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(r)) {
      const x = freshValue(v, childSchema(node, k));
      if (x !== undefined) out[k] = x;
    }
    return out;
  }
  return r;
}

/** Associative list merge, keeping structured-merge-diff's order (applied order for shared items). */
function mergeItems(l: unknown[], r: unknown[], s: { list: Exclude<ListKind, { type: 'atomic' }>; elem: Node }): unknown[] {
  const index = (items: unknown[], allowDuplicates: boolean) => {
    const pes: PathElement[] = [];
    const byPe = new Map<PathElement, unknown>();
    items.forEach((item, i) => {
      const pe = itemElement(item, s.list);
      if (!isElement(pe)) throw new FieldPathError(`element ${i}: ${pe}`);
      if (byPe.has(pe)) {
        if (!allowDuplicates) throw new FieldPathError(`duplicate entries for key ${pathString([pe])}`);
        return;
      }
      byPe.set(pe, item);
      pes.push(pe);
    });
    return { pes, byPe };
  };
  const rhs = index(r, false);
  const lhs = index(l, true);
  const shared = rhs.pes.filter((pe) => lhs.byPe.has(pe));
  let nextShared = shared.shift();
  const mergedRhs = new Set<PathElement>();
  const out: unknown[] = [];
  const emit = (pe: PathElement) => {
    const v = mergeValue(lhs.byPe.get(pe), rhs.byPe.get(pe), { node: s.elem });
    if (v !== undefined) out.push(v);
  };
  let li = 0;
  let ri = 0;
  while (li < lhs.pes.length || ri < rhs.pes.length) {
    if (li < lhs.pes.length && ri < rhs.pes.length) {
      const pe = lhs.pes[li]!;
      if (pe === rhs.pes[ri]) {
        mergedRhs.add(pe);
        emit(pe);
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (rhs.byPe.has(pe) && nextShared !== undefined && nextShared !== pe) {
        li++;
        continue;
      }
    }
    if (li < lhs.pes.length) {
      const pe = lhs.pes[li]!;
      if (!rhs.byPe.has(pe)) {
        emit(pe);
        li++;
        continue;
      } else if (mergedRhs.has(pe)) {
        li++;
      }
    }
    if (ri < rhs.pes.length) {
      const pe = rhs.pes[ri]!;
      mergedRhs.add(pe);
      emit(pe);
      ri++;
      if (nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

// ---- pruning --------------------------------------------------------------------------------------

/**
 * Removes what the applier owned last time, no longer applies, and nobody else owns
 * (merge.Updater.prune with addBackOwnedItems and addBackDanglingItems).
 */
function prune(merged: JsonObject, p: { managers: Managers; lastSet: FieldSet; schema: SchemaNode }): JsonObject {
  if (p.lastSet.isEmpty()) return merged;
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, p.schema);
  const setOf = (v: unknown) => named(fieldSetOf(v, p.schema));
  const last = named(p.lastSet);
  let owned = new FieldSet();
  for (const m of p.managers.values()) owned = owned.union(m.set);
  owned = named(owned);
  const all = setOf(merged);
  const pruned = removeItems(merged, { set: last, node: p.schema });
  const ownedBack = removeItems(merged, { set: all.difference(setOf(pruned).union(owned)), node: p.schema });
  const gone = all.difference(setOf(ownedBack)).intersection(last);
  return (removeItems(merged, { set: gone, node: p.schema }) ?? {}) as JsonObject;
}

/** typed.RemoveItems: drops each member path (with everything below it); emptied maps and lists go too. */
function removeItems(value: unknown, at: { set: FieldSet; node: Node }): unknown {
  const { set, node } = at;
  const shape = shapeOf(value, node);
  if (shape.kind === 'leaf') return value;
  if (shape.kind === 'map') {
    const m = value as JsonObject;
    if (Object.keys(m).length === 0) return value;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(m)) {
      const pe = fieldElement(k);
      if (set.hasMember(pe)) continue;
      const sub = set.child(pe);
      const x = sub ? removeItems(v, { set: sub, node: childSchema(shape.node, k) }) : v;
      if (x !== undefined) out[k] = x;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  const items = value as unknown[];
  if (items.length === 0) return value;
  const out: unknown[] = [];
  for (const item of items) {
    const pe = itemElement(item, shape.list);
    if (isElement(pe) && set.hasMember(pe)) continue;
    const sub = isElement(pe) ? set.child(pe) : undefined;
    const x = sub ? removeItems(item, { set: sub, node: shape.elem }) : item;
    if (x !== undefined) out.push(x);
  }
  return out.length > 0 ? out : undefined;
}

// ---- conflicts ------------------------------------------------------------------------------------

/** The 409 kube-apiserver returns for apply conflicts (managedfields NewConflictError). */
export function applyConflicts(conflicts: Conflict[]): ApiError {
  return applyConflict(conflicts.map((c) => ({ manager: managerLabel(c), field: pathString(c.path) })));
}

/** `"kubectl-client-side-apply" using v1`, `"kubelet" with subresource "status" using v1`, `"kubectl"`. */
function managerLabel(c: Conflict): string {
  let s = JSON.stringify(c.manager.manager);
  if (c.manager.subresource) s += ` with subresource ${JSON.stringify(c.manager.subresource)}`;
  if (c.manager.operation === 'Update') s += ` using ${c.manager.apiVersion}`;
  return s;
}
