// Strategic merge patch (`application/strategic-merge-patch+json`: `kubectl patch`, client-side
// `kubectl apply`, `kubectl edit`), applied the way kube-apiserver applies it
// (apimachinery strategicpatch, server side: parallel lists merged, unmatched nulls ignored).
// Maps merge recursively and `null` deletes; lists whose schema says patchStrategy "merge" are merged
// by patchMergeKey (lists of primitives as sets); other lists are replaced. Directives: `$patch`
// (replace|delete|merge on maps; delete|replace as list elements), `$retainKeys`,
// `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`. New list items are placed the way
// kube-apiserver places them (before the server-only items that follow them), which is why kubectl
// always sends `$setElementOrder`. Where the schema knows nothing (unknown fields, free-form JSON) the
// value is merged as RFC 7386 JSON merge patch. Never mutates its inputs.
// Deliberately different from kube-apiserver: an unknown `$`-directive is rejected instead of becoming
// an unknown field, `$patch: merge` on a map is accepted as the default, and malformed directives are
// 400 BadRequest rather than 500. Deliberately absent: decoding, field validation, defaulting.

import type { SchemaNode } from '../../api/schema/node.js';
import { ApiError, badRequest, patchRejected } from '../../api/errors.js';
import { cloneJson, isJsonObject, mergePatch } from './json-merge.js';
import type { JsonObject } from './json-merge.js';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM = '$deleteFromPrimitiveList';
const SET_ORDER = '$setElementOrder';

type Node = SchemaNode | undefined;
interface At {
  node: Node;
  /** Dotted path of the value being merged, for error messages. */
  path: string;
}

/** Applies `patch` to `original` under `schema` (the object's definition) and returns the new object. */
export function strategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode): unknown {
  if (!isJsonObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  }
  const doc = isJsonObject(original) ? cloneJson(original) : {};
  return mergeMap(doc, patch, { node: schema, path: '' });
}

// ---- maps -----------------------------------------------------------------------------------------

/** Merges `patch` into `orig`, which is a private copy this module may change. */
function mergeMap(orig: JsonObject, patch: JsonObject, at: At): JsonObject {
  if (isFreeForm(at.node)) return mergePatch(orig, patch) as JsonObject;
  if (PATCH in patch) {
    const directive = patch[PATCH];
    if (directive === 'replace') return mergeMap({}, without(patch, PATCH), at);
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw unknownPatchType(directive, patch);
  }
  for (const key of Object.keys(patch)) checkDirectiveKey(key, at);
  applyRetainKeys(orig, patch);
  const done = new Set([PATCH, RETAIN_KEYS]);
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const listKey = directiveTarget(key, SET_ORDER, 'invalid patch format of setElementOrder list');
    applyElementOrder(orig, patch, { node: at.node, path: at.path, key: listKey });
    done.add(key).add(listKey);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (done.has(key) || key.startsWith(DELETE_FROM)) continue;
    mergeField(orig, key, { value, node: childOf(at.node, key), path: join(at.path, key) });
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM)) deleteFromPrimitiveList(orig, key, value);
  }
  return orig;
}

function mergeField(orig: JsonObject, key: string, p: { value: unknown; node: Node; path: string }): void {
  const { value, node, path } = p;
  if (value === null) {
    delete orig[key];
    return;
  }
  if (!(key in orig) || shapeOf(orig[key]) !== shapeOf(value)) {
    // kube-apiserver drops a new map that is only a directive ({"$patch":"delete"}).
    if (isJsonObject(value) && PATCH in value && value[PATCH] === 'delete') {
      delete orig[key];
      return;
    }
    orig[key] = fresh(value, { node, path });
    return;
  }
  const current = orig[key];
  if (isJsonObject(value)) {
    if (isFreeForm(node)) orig[key] = mergePatch(current, value);
    else if (strategiesOf(node).includes('replace')) orig[key] = fresh(value, { node, path });
    else orig[key] = mergeMap(current as JsonObject, value, { node, path });
  } else if (Array.isArray(value)) {
    orig[key] = mergeList(current as unknown[], value, { node, path });
  } else {
    orig[key] = value;
  }
}

/** A patch value with no original counterpart: directives resolved, nulls dropped. */
function fresh(value: unknown, at: At): unknown {
  if (isJsonObject(value)) return mergeMap({}, value, at);
  if (Array.isArray(value)) return mergeList([], value, at);
  return value;
}

function applyRetainKeys(orig: JsonObject, patch: JsonObject): void {
  if (!(RETAIN_KEYS in patch)) return;
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep)) throw badRequest('invalid patch format of retainKeys');
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k === RETAIN_KEYS || k.startsWith(DELETE_FROM) || k.startsWith(SET_ORDER)) continue;
    if (!keep.includes(k)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(orig)) if (!keep.includes(k)) delete orig[k];
}

function deleteFromPrimitiveList(orig: JsonObject, key: string, value: unknown): void {
  const target = directiveTarget(key, DELETE_FROM, 'invalid patch format of primitive list');
  if (!(target in orig)) return;
  if (value === null) {
    delete orig[target];
    return;
  }
  if (!Array.isArray(value) || !Array.isArray(orig[target])) throw badRequest('invalid patch format of primitive list');
  orig[target] = (orig[target] as unknown[]).filter((item) => !value.includes(item));
}

function checkDirectiveKey(key: string, at: At): void {
  if (!key.startsWith('$') || key === PATCH || key === RETAIN_KEYS) return;
  if (key.startsWith(SET_ORDER) || key.startsWith(DELETE_FROM)) return;
  throw badRequest(`unknown patch directive "${key}"${at.path ? ` in ${at.path}` : ''}`);
}

function directiveTarget(key: string, prefix: string, malformed: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw badRequest(malformed);
  return key.slice(slash + 1);
}

// ---- lists ----------------------------------------------------------------------------------------

function mergeList(orig: unknown[], patch: unknown[], at: At): unknown[] {
  const elem = at.node?.elem();
  const itemAt = { node: elem, path: `${at.path}[]` };
  if (!strategiesOf(at.node).includes('merge')) return replaceItems(patch, itemAt);
  if (orig.length === 0 && patch.length === 0) return [];
  if ([...orig, ...patch].some(Array.isArray)) throw listsOfLists();
  if (![...orig, ...patch].some(isJsonObject)) {
    const merged = dedupe([...orig, ...patch]);
    return orderLike(merged, { patch, original: orig, identity: (v) => v });
  }
  const key = at.node?.patchMergeKey;
  if (!key) return replaceItems(patch, itemAt);
  const identity = (v: unknown) => (isJsonObject(v) ? v[key] : undefined);

  let base = [...orig];
  const items: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!isJsonObject(item)) throw badRequest(`expected a map[string]interface {}, but received a ${goType(item)}`);
    if (!(PATCH in item)) {
      items.push(item);
      continue;
    }
    const directive = item[PATCH];
    if (directive === 'delete') {
      if (!(key in item)) throw noMergeKey(item, key);
      base = base.filter((o) => identity(o) !== item[key]);
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badRequest('merging lists cannot yet be specified in the patch');
    } else {
      throw unknownPatchType(directive, item);
    }
  }
  if (replace) return items.map((item) => mergeMap({}, item, itemAt));

  const merged = [...base];
  for (const item of items) {
    if (!(key in item)) throw noMergeKey(item, key);
    const i = merged.findIndex((o) => isJsonObject(o) && o[key] === item[key]);
    if (i >= 0) merged[i] = mergeMap(merged[i] as JsonObject, item, itemAt);
    else merged.push(mergeMap({}, item, itemAt));
  }
  return orderLike(merged, { patch: items, original: base, identity });
}

/** A replaced list: elements that are only directives are dropped, maps have their directives resolved. */
function replaceItems(patch: unknown[], at: At): unknown[] {
  const out: unknown[] = [];
  for (const item of patch) {
    if (isJsonObject(item) && PATCH in item) continue;
    out.push(isJsonObject(item) && !isFreeForm(at.node) ? mergeMap({}, item, at) : cloneJson(item));
  }
  return out;
}

interface Ordering {
  /** The order the patch gives (the patch list, or $setElementOrder). */
  patch: unknown[];
  /** The order of the live list. */
  original: unknown[];
  identity: (v: unknown) => unknown;
}

/**
 * kube-apiserver's order for a merged list: items named by the patch in patch order, server-only items
 * in live order, interleaved by walking both and letting a server-only item go first only when the
 * live list has it before the next patch item.
 */
function orderLike(merged: unknown[], o: Ordering): unknown[] {
  const indexIn = (list: unknown[], v: unknown) => {
    const id = o.identity(v);
    return list.findIndex((x) => o.identity(x) === id);
  };
  const fromPatch = merged.filter((v) => indexIn(o.patch, v) >= 0);
  const serverOnly = merged.filter((v) => indexIn(o.patch, v) < 0);
  fromPatch.sort((a, b) => indexIn(o.patch, a) - indexIn(o.patch, b));
  serverOnly.sort((a, b) => rank(indexIn(o.original, a)) - rank(indexIn(o.original, b)));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (i >= serverOnly.length) out.push(fromPatch[j++]);
    else if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else {
      const li = indexIn(o.original, serverOnly[i]);
      const ri = indexIn(o.original, fromPatch[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(fromPatch[j++]);
    }
  }
  return out;
}

const rank = (i: number) => (i < 0 ? Number.MAX_SAFE_INTEGER : i);

/** `$setElementOrder/<key>`: merges the list named `key` (if patched) and orders it. */
function applyElementOrder(orig: JsonObject, patch: JsonObject, at: At & { key: string }): void {
  const order = patch[`${SET_ORDER}/${at.key}`];
  if (!Array.isArray(order)) throw badRequest('invalid patch format of setElementOrder list');
  const listNode = childOf(at.node, at.key);
  const path = join(at.path, at.key);
  const hasOrig = at.key in orig;
  const hasPatch = at.key in patch;
  const original = hasOrig ? orig[at.key] : undefined;
  const patched = hasPatch ? patch[at.key] : undefined;
  if ((hasOrig && !Array.isArray(original)) || (hasPatch && !Array.isArray(patched))) {
    throw badRequest('invalid patch format of setElementOrder list');
  }
  if (!hasOrig && !hasPatch) return;
  const key = listNode?.patchMergeKey;
  const isMaps = [...((original as unknown[]) ?? []), ...((patched as unknown[]) ?? []), ...order].some(isJsonObject);
  const mergeKey = isMaps ? key : undefined;
  if (isMaps && !mergeKey) throw badRequest('invalid patch format of setElementOrder list');
  const identity = (v: unknown) => (mergeKey ? (isJsonObject(v) ? v[mergeKey] : undefined) : v);
  if (mergeKey) {
    for (const v of [...order, ...((patched as unknown[]) ?? []).filter((x) => !(isJsonObject(x) && PATCH in x))]) {
      if (!isJsonObject(v) || !(mergeKey in v)) throw noMergeKey(v, mergeKey);
    }
  }
  if (hasPatch) checkOrderAgrees(patched as unknown[], { order, identity });
  let merged: unknown[];
  if (!hasPatch) merged = original as unknown[];
  else if (!hasOrig) merged = mergeList([], patched as unknown[], { node: listNode, path });
  else merged = mergeList(original as unknown[], patched as unknown[], { node: listNode, path });
  orig[at.key] = orderLike(merged, { patch: order, original: (original as unknown[]) ?? [], identity });
}

/** The patch list must list its items in the $setElementOrder order, and only items it names. */
function checkOrderAgrees(patchList: unknown[], o: { order: unknown[]; identity: (v: unknown) => unknown }): void {
  const items = patchList.filter((v) => !(isJsonObject(v) && PATCH in v));
  let p = 0;
  for (let s = 0; p < items.length && s < o.order.length; s++) {
    if (o.identity(items[p]) === o.identity(o.order[s])) p++;
  }
  if (p < items.length) {
    throw badRequest(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ORDER} list:\n${goFormat(o.order)}\n`,
    );
  }
}

// ---- helpers --------------------------------------------------------------------------------------

function isFreeForm(node: Node): boolean {
  return node === undefined || node.kind === 'any';
}

function childOf(node: Node, key: string): Node {
  if (!node) return undefined;
  if (node.kind === 'object') return node.field(key);
  if (node.kind === 'map') return node.elem();
  return undefined;
}

function strategiesOf(node: Node): string[] {
  return node?.patchStrategy ? node.patchStrategy.split(',').map((s) => s.trim()) : [];
}

function shapeOf(v: unknown): 'map' | 'list' | 'scalar' {
  return Array.isArray(v) ? 'list' : isJsonObject(v) ? 'map' : 'scalar';
}

function without(o: JsonObject, key: string): JsonObject {
  const { [key]: _dropped, ...rest } = o;
  return rest;
}

function dedupe(items: unknown[]): unknown[] {
  return items.filter((v, i) => items.indexOf(v) === i);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function unknownPatchType(directive: unknown, m: JsonObject): ApiError {
  return badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(m)}`);
}

function noMergeKey(m: unknown, key: string): ApiError {
  return badRequest(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
}

function listsOfLists(): ApiError {
  return patchRejected();
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null) return '<nil>';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Go's %v rendering of a decoded JSON value, as the messages kube-apiserver builds show them. */
function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isJsonObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return String(v);
}
