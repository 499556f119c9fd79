// The stored form of an object: JSON without metadata.resourceVersion (the store revision is the
// resourceVersion), written with apiVersion, kind and metadata first. That order lets readers add
// the resourceVersion by splicing the string instead of parsing and re-serializing the object.

import type { KObject } from '../api/resource.js';

const META = '"metadata":{';

/** Serializes obj for the store: canonical key order, no resourceVersion. */
export function toStoredJson(obj: KObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  const { apiVersion, kind, metadata: _m, ...rest } = obj;
  return JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
}

/**
 * The stored JSON with metadata.resourceVersion set to rv. The first `"metadata":{` of a stored
 * value is the top-level one: apiVersion and kind come first and their values cannot contain it.
 * Falls back to parse + stringify for values not written by toStoredJson.
 */
export function withResourceVersion(stored: string, rv: number): string {
  const head = stored.startsWith('{"apiVersion"') ? stored.indexOf(META) : -1;
  if (head < 0) {
    const obj = JSON.parse(stored) as KObject;
    obj.metadata = { ...obj.metadata, resourceVersion: String(rv) };
    return JSON.stringify(obj);
  }
  const at = head + META.length;
  const sep = stored[at] === '}' ? '' : ',';
  return `${stored.slice(0, at)}"resourceVersion":"${rv}"${sep}${stored.slice(at)}`;
}
