// Test-only: the FieldSet of managed fields as it was before the single-walk rewrite (field-set.ts), kept
// verbatim as the reference that managed-fields-equivalence.test.ts compares the fast code against.
// Deliberately absent: anything not needed by managed-fields-reference.ts.

import { isJsonObject } from './json-merge.js';
import type { JsonObject } from './json-merge.js';
import { canonicalJson } from './field-set.js';
import type { FieldPath, PathElement } from './field-set.js';

export class RefFieldSet {
  private readonly members = new Set<PathElement>();
  private readonly children = new Map<PathElement, RefFieldSet>();

  static of(...paths: FieldPath[]): RefFieldSet {
    const s = new RefFieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (the empty path is ignored, as in structured-merge-diff). */
  insert(path: FieldPath): this {
    if (path.length === 0) return this;
    let s: RefFieldSet = this;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) {
      const pe = path[i]!;
      let c = s.children.get(pe);
      if (!c) s.children.set(pe, (c = new RefFieldSet()));
      s = c;
    }
    s.members.add(path[last]!);
    return this;
  }

  has(path: FieldPath): boolean {
    if (path.length === 0) return false;
    const parent = path.length === 1 ? this : this.at(path.slice(0, -1));
    return parent?.members.has(path[path.length - 1]!) ?? false;
  }

  /** The subset below a path prefix (paths relative to it), if any. */
  at(prefix: FieldPath): RefFieldSet | undefined {
    let s: RefFieldSet | undefined = this;
    for (const pe of prefix) s = s?.children.get(pe);
    return s;
  }

  hasMember(pe: PathElement): boolean {
    return this.members.has(pe);
  }

  child(pe: PathElement): RefFieldSet | undefined {
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

  union(other: RefFieldSet): RefFieldSet {
    return this.combine(other, { members: (a, b) => a || b, keepLeft: true, keepRight: true });
  }

  intersection(other: RefFieldSet): RefFieldSet {
    return this.combine(other, { members: (a, b) => a && b, keepLeft: false, keepRight: false });
  }

  /** Paths of this set that are not paths of other (member-wise, like fieldpath.Set.Difference). */
  difference(other: RefFieldSet): RefFieldSet {
    return this.combine(other, { members: (a, b) => a && !b, keepLeft: true, keepRight: false });
  }

  /** Like difference, but a member of other also removes everything below it. */
  recursiveDifference(other: RefFieldSet): RefFieldSet {
    const out = new RefFieldSet();
    for (const m of this.members) if (!other.members.has(m)) out.members.add(m);
    for (const [pe, c] of this.children) {
      if (other.members.has(pe)) continue;
      const o = other.children.get(pe);
      const d = o ? c.recursiveDifference(o) : c.clone();
      if (!d.isEmpty()) out.children.set(pe, d);
    }
    return out;
  }

  clone(): RefFieldSet {
    return new RefFieldSet().union(this);
  }

  equals(other: RefFieldSet): boolean {
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
    const out: JsonObject = {};
    const keys = [...this.members];
    for (const pe of this.children.keys()) if (!this.members.has(pe)) keys.push(pe);
    for (const pe of sortElements(keys)) {
      const c = this.children.get(pe);
      if (!c || c.isEmpty()) {
        out[pe] = {};
      } else if (this.members.has(pe)) {
        out[pe] = { '.': {}, ...c.toFieldsV1() };
      } else {
        out[pe] = c.toFieldsV1();
      }
    }
    return out;
  }

  /** Parses fieldsV1 JSON; throws on a malformed document. Unknown element kinds are ignored. */
  static fromFieldsV1(json: unknown): RefFieldSet {
    if (!isJsonObject(json)) throw new Error('fieldsV1 must be an object');
    const out = new RefFieldSet();
    for (const [key, value] of Object.entries(json)) {
      if (key === '.') continue;
      const pe = canonicalElement(key);
      if (!pe) continue;
      if (!isJsonObject(value)) throw new Error(`fieldsV1 entry ${key} must be an object`);
      const keys = Object.keys(value);
      if (keys.length === 0 || '.' in value) out.members.add(pe);
      if (keys.some((k) => k !== '.')) {
        const c = RefFieldSet.fromFieldsV1(value);
        if (!c.isEmpty()) out.children.set(pe, c);
      }
    }
    return out;
  }

  private combine(
    other: RefFieldSet,
    rule: { members: (a: boolean, b: boolean) => boolean; keepLeft: boolean; keepRight: boolean },
  ): RefFieldSet {
    // Hot on every write (managedFields): iterate both sides instead of building merged key sets.
    const out = new RefFieldSet();
    for (const m of this.members) if (rule.members(true, other.members.has(m))) out.members.add(m);
    for (const m of other.members) if (!this.members.has(m) && rule.members(false, true)) out.members.add(m);
    for (const [pe, a] of this.children) {
      const b = other.children.get(pe);
      const c = b ? a.combine(b, rule) : rule.keepLeft ? a.clone() : undefined;
      if (c && !c.isEmpty()) out.children.set(pe, c);
    }
    if (rule.keepRight) {
      for (const [pe, b] of other.children) {
        if (this.children.has(pe)) continue;
        const c = b.clone();
        if (!c.isEmpty()) out.children.set(pe, c);
      }
    }
    return out;
  }
}

// ---- path elements ------------------------------------------------------------------------------

function canonicalElement(key: string): PathElement | undefined {
  const kind = key.slice(0, 2);
  const rest = key.slice(2);
  if (kind === 'f:') return key;
  if (kind === 'i:') return `i:${Number.parseInt(rest, 10)}`;
  if (kind === 'k:' || kind === 'v:') return `${kind}${canonicalJson(JSON.parse(rest))}`;
  return undefined;
}

const KIND_ORDER: Record<string, number> = { 'f:': 0, 'k:': 1, 'v:': 2, 'i:': 3 };

function sortElements(pes: PathElement[]): PathElement[] {
  return pes.sort((a, b) => {
    const ka = KIND_ORDER[a.slice(0, 2)] ?? 4;
    const kb = KIND_ORDER[b.slice(0, 2)] ?? 4;
    if (ka !== kb) return ka - kb;
    if (ka === 3) return Number(a.slice(2)) - Number(b.slice(2));
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

