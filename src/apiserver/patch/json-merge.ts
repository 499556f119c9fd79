// RFC 7386 JSON merge patch (`application/merge-patch+json`, what `kubectl patch --type merge`, `label`,
// `annotate` and `scale` send): objects merge recursively, `null` deletes a key, anything else replaces.
// Also the fallback of the strategic merge patcher where the schema knows nothing. Never mutates its
// inputs; the result shares no objects with them. Deliberately absent: schema awareness (lists are
// always replaced) and decoding, which the request handler does.

export type JsonObject = { [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy of a JSON value. */
export function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => cloneJson(x)) as T;
  if (isJsonObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) out[k] = cloneJson(x);
    return out as T;
  }
  return v;
}

/** Applies `patch` to `original` per RFC 7386 and returns the new document. */
export function mergePatch(original: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: JsonObject = isJsonObject(original) ? { ...original } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  // Untouched keys still reference the original; copy them so callers may mutate the result.
  for (const key of Object.keys(out)) {
    if (!(key in patch)) out[key] = cloneJson(out[key]);
  }
  return out;
}
