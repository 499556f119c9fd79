// Deep freezing of shared objects: the watch cache's parsed object versions are handed by
// reference to every in-process watcher, so nothing may change them; frozen, a stray mutation
// throws where it happens (ESM is strict) instead of corrupting what other readers see.
// Runs once per stored object version, so it walks without allocating.

export function deepFreeze<T>(o: T): T {
  if (typeof o !== 'object' || o === null || Object.isFrozen(o)) return o;
  Object.freeze(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const v = o[i];
      if (typeof v === 'object' && v !== null) deepFreeze(v);
    }
  } else {
    for (const k in o) {
      const v = (o as Record<string, unknown>)[k];
      if (typeof v === 'object' && v !== null) deepFreeze(v);
    }
  }
  return o;
}
