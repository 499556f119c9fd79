// Kubernetes' apiequality.Semantic.DeepEqual for decoded JSON: a missing field, null, an empty list
// and an empty map are the same value (Go cannot tell nil from empty after a round trip), and
// resource quantities compare by value (`1Gi` equals `1024Mi`) when normalized with
// normalizeResourceList first. Used by the immutability checks of the storage and apps types.
// Deliberately absent: Go's zero-value folding of scalars ("" vs missing stays different, because
// for pointer fields such as storageClassName Kubernetes keeps them different too).

import { isDeepStrictEqual } from 'node:util';
import { parseQuantity, quantityKey } from '../quantity.js';

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** A copy with empty values dropped from maps (recursively), so nil and empty compare equal. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const p = prune(x);
      if (!isEmpty(p)) out[k] = p;
    }
    return out;
  }
  return v;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  const pa = prune(a);
  const pb = prune(b);
  if (isEmpty(pa) && isEmpty(pb)) return true;
  return isDeepStrictEqual(pa, pb);
}

/** A resource list whose quantities are rewritten to one exact form, so equal values compare equal. */
export function normalizeResourceList(list: unknown): unknown {
  if (!list || typeof list !== 'object' || Array.isArray(list)) return list;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(list as Record<string, unknown>)) {
    const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null;
    out[k] = q ? quantityKey(q) : v;
  }
  return out;
}
