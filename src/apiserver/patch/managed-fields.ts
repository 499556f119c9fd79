// metadata.managedFields on create, update and non-apply patch, as kube-apiserver's field manager keeps
// them (k8s.io/apimachinery managedfields + structured-merge-diff Updater.Update): the fields a write
// adds or changes become the writer's, leave every other manager's set, and removed fields leave every
// set; entries are keyed by (manager, operation, apiVersion for Update, subresource), empty entries
// are dropped, more than 10 Update entries are folded into "ancient-changes", and entries are sorted
// as Kubernetes sorts them. Also the pieces apply.ts shares: decoding/encoding entries, comparing two
// objects into added/modified/removed field sets (field-walk.ts, re-exported), reset fields, and
// settling other managers' sets.
// Deliberately absent: apply itself (apply.ts), the last-applied-configuration annotation, and
// version conversion (every entry is read as the served version).

import type { SchemaNode } from '../../api/schema/node.js';
import { isJsonObject } from './json-merge.js';
import type { JsonObject } from './json-merge.js';
import { FieldPathError, FieldSet, childSchema, fieldElement } from './field-set.js';
import type { FieldPath } from './field-set.js';
import { compareObjects } from './field-walk.js';
import { createdSet } from './created-fields.js';
import { deepFreeze } from '../../api/freeze.js';
import type { Comparison } from './field-walk.js';

export { compareObjects, jsonEqual } from './field-walk.js';
export type { Comparison } from './field-walk.js';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

/** A decoded entry. */
export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** Managers by identity (managerId). */
export type Managers = Map<string, Manager>;

export interface Conflict {
  manager: Manager;
  path: FieldPath;
}

const MAX_UPDATE_MANAGERS = 10;

/** What kube-apiserver never records as owned (the strip-meta manager's set; member-wise). */
const STRIPPED = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f) => ['f:metadata', `f:${f}`],
  ),
);

export interface UpdateManagedFieldsOptions {
  /** The object before the write; undefined on create. */
  oldObj: unknown;
  newObj: unknown;
  manager: string;
  operation: 'Update';
  /** '' or undefined for the main resource, 'status' for /status. */
  subresource?: string;
  time: string | Date;
  schema: SchemaNode;
  /** Defaults to newObj.apiVersion. */
  apiVersion?: string;
  /** Field paths ('status', 'metadata.ownerReferences') this endpoint does not own; see resetFieldSet. */
  resetFields?: string[];
}

/**
 * The managedFields to store after a create, update or non-apply patch. An empty result means the
 * object carries none (an existing object that has none is not tracked, as in Kubernetes).
 */
export function updateManagedFields(o: UpdateManagedFieldsOptions): ManagedFieldsEntry[] {
  const newObj = isJsonObject(o.newObj) ? o.newObj : {};
  const apiVersion = o.apiVersion ?? String(newObj.apiVersion ?? '');
  const managers = managersOfWrite(o.oldObj, o);
  if (managers.size === 0 && o.oldObj !== undefined) return [];
  const id = { manager: o.manager || 'unknown', operation: 'Update' as const, apiVersion, subresource: o.subresource };
  const time = timeString(o.time);
  try {
    if (o.oldObj === undefined && managers.size === 0) {
      // A create that names no managers: its writer's set alone, remembered by the object's shape.
      const resetKey = `${o.subresource ?? ''}\n${o.resetFields?.join(',') ?? '*'}`;
      const set = createdSet(o.schema, resetKey, newObj, () => {
        const one: Managers = new Map();
        recordUpdate(one, { old: undefined, new: newObj, id, schema: o.schema, reset: resetFieldSet(o), time });
        return shared(one.values().next().value?.set ?? new FieldSet());
      });
      if (!set.isEmpty()) managers.set(managerId(id), { ...id, time, set });
    } else {
      recordUpdate(managers, { old: o.oldObj, new: newObj, id, schema: o.schema, reset: resetFieldSet(o), time });
    }
  } catch (err) {
    if (err instanceof FieldPathError) return []; // kube-apiserver clears managedFields rather than fail
    throw err;
  }
  capUpdateManagers(managers);
  return encodeManagedFields(managers);
}

/** The managers a write starts from: the request's own managedFields if it set any, else the live ones. */
function managersOfWrite(oldObj: unknown, o: UpdateManagedFieldsOptions): Managers {
  const live = () => decodeOrEmpty(managedFieldsOf(oldObj));
  if (o.subresource) return live();
  const requested = managedFieldsOf(o.newObj);
  if (Array.isArray(requested) && (requested.length === 0 || (requested.length === 1 && isEmptyEntry(requested[0])))) {
    return new Map();
  }
  const own = decodeOrEmpty(requested);
  return own.size > 0 ? own : live();
}

/** One Update by `id`: other sets lose what changed, the writer gains it (strip-meta and reset applied). */
export function recordUpdate(
  managers: Managers,
  w: { old: unknown; new: unknown; id: Omit<Manager, 'set' | 'time'>; schema: SchemaNode; reset: FieldSet; time: string },
): void {
  const before = w.old === undefined ? createBaseline(w.new, w.schema) : withoutManagedFields(w.old);
  const cmp = filterComparison(compareObjects(before, withoutManagedFields(w.new), w.schema), w.reset);
  if (managers.size > 0) settleOtherManagers(managers, cmp, { self: '', force: true });
  const set = (cmp.modified.isEmpty() ? cmp.added : cmp.modified.union(cmp.added)).difference(STRIPPED);
  if (set.isEmpty()) return;
  const id = managerId(w.id);
  const prev = managers.get(id);
  managers.set(id, { ...w.id, time: w.time, set: prev ? set.union(prev.set) : set });
}

/**
 * Removes from every manager but `self` the fields that changed (conflicts) and were removed.
 * Without force, returns the conflicts and changes nothing when there are any.
 */
export function settleOtherManagers(managers: Managers, cmp: Comparison, opts: { self: string; force: boolean }): Conflict[] {
  const changed = cmp.modified.union(cmp.added);
  const conflicts: Conflict[] = [];
  const owned = new Map<string, FieldSet>();
  for (const [id, m] of managers) {
    if (id === opts.self) continue;
    const c = m.set.intersection(changed);
    if (!c.isEmpty()) {
      owned.set(id, c);
      for (const path of c.paths()) conflicts.push({ manager: m, path });
    }
  }
  if (conflicts.length > 0 && !opts.force) return conflicts;
  for (const [id, m] of managers) {
    if (id === opts.self) continue;
    const mine = owned.get(id);
    let rest = mine ? m.set.difference(mine) : m.set;
    if (!cmp.removed.isEmpty()) rest = rest.difference(cmp.removed);
    if (rest.isEmpty()) managers.delete(id);
    else if (rest !== m.set) managers.set(id, { ...m, set: rest });
  }
  return conflicts;
}

/** Removes what kube-apiserver never records as owned from one manager's set. */
export function stripMeta(set: FieldSet): FieldSet {
  return set.difference(STRIPPED);
}

// ---- entries --------------------------------------------------------------------------------------

/** The identity of an entry: Apply entries do not include the apiVersion. */
export function managerId(m: { manager: string; operation: string; apiVersion: string; subresource?: string }): string {
  const id: Record<string, string> = { manager: m.manager, operation: m.operation };
  if (m.operation !== 'Apply') id.apiVersion = m.apiVersion;
  if (m.subresource) id.subresource = m.subresource;
  return JSON.stringify(id);
}

/** Decodes metadata.managedFields; throws on an invalid entry, as kube-apiserver's decoder does. */
export function decodeManagedFields(entries: unknown): Managers {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((e, i) => {
    if (!isJsonObject(e)) throw new Error(`managed fields entry ${i} must be an object`);
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (typeof e.apiVersion !== 'string' || !e.apiVersion) throw new Error('apiVersion must not be empty');
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${JSON.stringify(e.fieldsType ?? '')} in managed fields entry ${i}`);
    const m: Manager = {
      manager: typeof e.manager === 'string' ? e.manager : '',
      operation: e.operation,
      apiVersion: e.apiVersion,
      set: decodeFieldsV1(e.fieldsV1 ?? {}),
    };
    if (typeof e.subresource === 'string' && e.subresource) m.subresource = e.subresource;
    if (typeof e.time === 'string') m.time = e.time;
    out.set(managerId(m), m);
  });
  return out;
}

export function decodeOrEmpty(entries: unknown): Managers {
  try {
    return decodeManagedFields(entries);
  } catch {
    return new Map();
  }
}

/**
 * Stored objects are frozen (the watch cache shares them), so a frozen fieldsV1 is decoded once,
 * and a manager whose set a write leaves as it was is encoded as that same fieldsV1, not rebuilt:
 * a status write decodes and re-encodes only what it changes. Sets are never changed once built
 * (every operation returns a new one), which is what makes identity a safe key.
 */
const decodedSets = new WeakMap<object, FieldSet>();
const encodedSets = new WeakMap<FieldSet, JsonObject>();

function decodeFieldsV1(fieldsV1: unknown): FieldSet {
  const cacheable = isJsonObject(fieldsV1) && Object.isFrozen(fieldsV1);
  const known = cacheable ? decodedSets.get(fieldsV1) : undefined;
  if (known) return known;
  const set = FieldSet.fromFieldsV1(fieldsV1);
  if (cacheable) {
    decodedSets.set(fieldsV1, set);
    encodedSets.set(set, fieldsV1);
  }
  return set;
}

function encodeFieldsV1(set: FieldSet): JsonObject {
  return encodedSets.get(set) ?? set.toFieldsV1();
}

/** A set that many objects' entries will carry: its fieldsV1 made once, frozen, and known both ways. */
function shared(set: FieldSet): FieldSet {
  const fieldsV1 = deepFreeze(set.toFieldsV1());
  decodedSets.set(fieldsV1, set);
  encodedSets.set(set, fieldsV1);
  return set;
}

/** Entries in Kubernetes' order: Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagedFields(managers: Managers): ManagedFieldsEntry[] {
  const entries = [...managers.values()].map(
    (m): ManagedFieldsEntry => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time ? { time: m.time } : {}),
      fieldsType: 'FieldsV1',
      fieldsV1: encodeFieldsV1(m.set),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }),
  );
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const cmp = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

/** Folds the oldest Update entries into one "ancient-changes" entry per apiVersion beyond the cap. */
function capUpdateManagers(managers: Managers): void {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  let excess = updaters.length - MAX_UPDATE_MANAGERS;
  if (excess <= 0) return;
  const seconds = (t?: string) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || (ia < ib ? -1 : ia > ib ? 1 : 0));
  const firstOfVersion = new Map<string, string>();
  for (const [id, m] of updaters) {
    if (excess <= 0) break;
    const bucket = managerId({ manager: 'ancient-changes', operation: 'Update', apiVersion: m.apiVersion });
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, id);
      continue;
    }
    if (id === bucket) continue; // an older bucket that is not the oldest entry stays as it is
    if (!managers.has(bucket)) {
      const f = managers.get(first)!;
      managers.delete(first);
      managers.set(bucket, { ...f, manager: 'ancient-changes', subresource: undefined });
    }
    const b = managers.get(bucket)!;
    managers.set(bucket, { ...b, set: b.set.union(m.set), time: m.time });
    managers.delete(id);
    excess--;
  }
}

function isEmptyEntry(e: unknown): boolean {
  return isJsonObject(e) && Object.values(e).every((v) => v === undefined || v === '' || v === null);
}

function managedFieldsOf(obj: unknown): unknown {
  return isJsonObject(obj) && isJsonObject(obj.metadata) ? obj.metadata.managedFields : undefined;
}

export function withoutManagedFields(obj: unknown): unknown {
  if (!isJsonObject(obj) || !isJsonObject(obj.metadata) || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _m, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

export function timeString(t: string | Date): string {
  return typeof t === 'string' ? t : t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---- reset fields ---------------------------------------------------------------------------------

/**
 * The fields an endpoint does not own: the given paths, or by default `status` for the main resource
 * and every top-level field but apiVersion, kind, metadata and status for /status.
 */
export function resetFieldSet(o: { subresource?: string; schema: SchemaNode; resetFields?: string[] }): FieldSet {
  let paths = o.resetFields;
  if (!paths) {
    const keep = new Set(['apiVersion', 'kind', 'metadata', 'status']);
    paths = o.subresource === 'status' ? o.schema.fieldNames().filter((f) => !keep.has(f)) : ['status'];
  }
  return FieldSet.of(...paths.map((p) => p.split('.').map(fieldElement)));
}

export function filterComparison(c: Comparison, reset: FieldSet): Comparison {
  return {
    added: c.added.recursiveDifference(reset),
    modified: c.modified.recursiveDifference(reset),
    removed: c.removed.recursiveDifference(reset),
  };
}

/**
 * What the object is compared against on create. Kubernetes compares with an empty Go object, in which
 * non-pointer structs (metadata, spec, template, ...) already exist and so are not recorded as added
 * themselves; the schema cannot tell pointers apart, so every non-empty struct counts as existing.
 */
function createBaseline(obj: unknown, node: SchemaNode | undefined): JsonObject {
  const out: JsonObject = {};
  if (!isJsonObject(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    const child = childSchema(node, k);
    if (isJsonObject(v) && Object.keys(v).length > 0 && child?.kind === 'object' && child.mapType !== 'atomic') {
      out[k] = createBaseline(v, child);
    }
  }
  return out;
}
