// Path elements as fieldsV1 keys: the canonical JSON inside `k:` and `v:` elements, reading a key back
// into its canonical element (memoised, as the same few keys recur on every write), and the order in
// which fieldsV1 lists elements (`f:`, then `k:`, `v:`, `i:`; by text within a kind, `i:` by number).
// Deliberately absent: the set tree (field-set.ts) and printing paths for people (pathString).

import { isJsonObject } from './json-merge.js';

type PathElement = string;

/** JSON with object keys sorted, so that equal values serialize equally. */
export function canonicalJson(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isJsonObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1) return `{${JSON.stringify(keys[0])}:${canonicalJson(v[keys[0]!])}}`;
    keys.sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Canonical forms of the `k:` and `v:` keys seen in fieldsV1 (the same few recur on every write). */
const canonicalKeys = new Map<string, PathElement>();

export function canonicalElement(key: string): PathElement | undefined {
  if (key.startsWith('f:')) return key;
  const known = canonicalKeys.get(key);
  if (known !== undefined) return known;
  const pe = parseElement(key);
  if (pe !== undefined && (key.startsWith('k:') || key.startsWith('v:'))) {
    if (canonicalKeys.size >= 10_000) canonicalKeys.clear();
    canonicalKeys.set(key, pe);
  }
  return pe;
}

function parseElement(key: string): PathElement | undefined {
  const kind = key.slice(0, 2);
  const rest = key.slice(2);
  if (kind === 'f:') return key;
  if (kind === 'i:') return `i:${Number.parseInt(rest, 10)}`;
  if (kind === 'k:' || kind === 'v:') return `${kind}${canonicalJson(JSON.parse(rest))}`;
  return undefined;
}

const KIND_ORDER: Record<string, number> = { 'f:': 0, 'k:': 1, 'v:': 2, 'i:': 3 };

/** `f:`, `k:` and `v:` elements sort as plain strings do (f < k < v); `i:` and others need the rule. */
function sortsPlainly(pes: PathElement[]): boolean {
  for (const pe of pes) {
    const c = pe.charCodeAt(0);
    if ((c !== 102 && c !== 107 && c !== 118) || pe.charCodeAt(1) !== 58) return false;
  }
  return true;
}

export function sortElements(pes: PathElement[]): PathElement[] {
  if (pes.length < 2) return pes;
  if (sortsPlainly(pes)) {
    if (pes.length > 16) return pes.sort();
    for (let i = 1; i < pes.length; i++) {
      const x = pes[i]!;
      let j = i - 1;
      for (; j >= 0 && pes[j]! > x; j--) pes[j + 1] = pes[j]!;
      pes[j + 1] = x;
    }
    return pes;
  }
  return pes.sort((a, b) => {
    const ka = KIND_ORDER[a.slice(0, 2)] ?? 4;
    const kb = KIND_ORDER[b.slice(0, 2)] ?? 4;
    if (ka !== kb) return ka - kb;
    if (ka === 3) return Number(a.slice(2)) - Number(b.slice(2));
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
