// The field selectors both Event APIs declare on the object an event is about: core/v1
// `involvedObject.*` and events.k8s.io/v1 `regarding.*`, one per ObjectReference field (kind,
// namespace, name, uid, apiVersion, resourceVersion, fieldPath), each the field's value or "".
// Deliberately absent: each API's other selectors (reason, type, ...), declared in its own file.

import type { KObject } from '../resource.js';

const REFERENCE_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'];

/** `<field>.kind`, `<field>.namespace`, ... selectors for the ObjectReference at `field`. */
export function eventReferenceSelectors(field: 'involvedObject' | 'regarding'): Record<string, (ev: KObject) => string> {
  const selectors: Record<string, (ev: KObject) => string> = {};
  for (const part of REFERENCE_FIELDS) selectors[`${field}.${part}`] = (ev) => ev[field]?.[part] ?? '';
  return selectors;
}
