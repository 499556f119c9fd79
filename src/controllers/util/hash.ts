// Stable short hashes for generated names, as Kubernetes builds them: FNV-1a 32-bit over bytes,
// rendered with rand.SafeEncodeString's alphabet (no vowels, no confusable characters), e.g. the
// `controller-revision-hash` of a ControllerRevision (`<set>-<hash>`) and a ReplicaSet's
// `pod-template-hash`.

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function fnv32a(data: string | Uint8Array, seed = 0x811c9dc5): number {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/**
 * The hash of a JSON-serializable value plus an optional collision count, encoded safely: the
 * analogue of controller.ComputeHash / history.HashControllerRevision (same alphabet and shape;
 * the bytes hashed are berth's canonical JSON, so values differ from Kubernetes').
 */
export function computeHash(value: unknown, collisionCount?: number): string {
  let h = fnv32a(canonicalJson(value));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** JSON with object keys sorted, so equal values hash equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as object)
    .filter((k) => (v as any)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`).join(',')}}`;
}
