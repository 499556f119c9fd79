// System-owned metadata: what the server sets on create and carries over on update
// (k8s.io/apiserver/pkg/registry/rest BeforeCreate/BeforeUpdate), and the generation rule.

import { randomUUID, randomBytes } from 'node:crypto';
import type { KObject, ResourceDef } from '../../api/resource.js';
import { isDeepStrictEqual } from 'node:util';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** The 5-character suffix of generateName, from the same alphabet as Kubernetes. */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[bytes[i] % ALPHANUMS.length];
  return s;
}

/** ObjectMeta's omitempty collections: Kubernetes never stores them empty. */
const OMIT_EMPTY = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;

function dropEmptyCollections(meta: Record<string, any>): void {
  for (const k of OMIT_EMPTY) {
    const v = meta[k];
    if (v !== null && typeof v === 'object' && Object.keys(v).length === 0) delete meta[k];
  }
}

/** names.SimpleNameGenerator: the base cut to 58 characters, then 5 random safe characters. */
export function generatedName(base: string): string {
  return base.slice(0, 58) + randomSuffix();
}

/** Fills system fields of a new object. */
export function fillCreateMeta(obj: KObject, def: ResourceDef, now: string): void {
  const meta = (obj.metadata ??= {});
  if (!meta.name && meta.generateName) meta.name = generatedName(meta.generateName);
  meta.uid = randomUUID();
  meta.creationTimestamp = now;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
  delete meta.selfLink;
  if (!def.namespaced) delete meta.namespace;
  if (hasGeneration(obj, def)) meta.generation = 1;
  else delete meta.generation;
  dropEmptyCollections(meta);
}

/** Objects whose spec (or, for some kinds, everything outside metadata) is versioned by metadata.generation. */
export function hasGeneration(obj: KObject, def: ResourceDef): boolean {
  return obj.spec !== undefined || def.generationWithoutSpec !== undefined;
}

/** Copies what an update may never change from the old object into the new one. */
export function carryUpdateMeta(obj: KObject, old: KObject): void {
  const meta = (obj.metadata ??= {});
  const o = old.metadata ?? {};
  if (!meta.uid) meta.uid = o.uid;
  if (o.creationTimestamp) meta.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp) meta.deletionTimestamp = o.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (o.generation !== undefined) meta.generation = o.generation;
  else delete meta.generation;
  if (!meta.namespace && o.namespace) meta.namespace = o.namespace;
  delete meta.selfLink;
  dropEmptyCollections(meta);
}

/** Everything except metadata and status: a change here bumps generation. */
function specPart(obj: KObject, ignores: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind' || ignores.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

export function bumpGenerationIfSpecChanged(obj: KObject, old: KObject, def: ResourceDef): void {
  if (old.metadata?.generation === undefined) {
    // Stored before this kind kept a generation: it starts now.
    if (def.generationWithoutSpec) obj.metadata!.generation = 1;
    return;
  }
  const ign = def.generationIgnores ?? [];
  const labelsChanged = def.generationWithoutSpec === 'labels-too' && !isDeepStrictEqual(obj.metadata?.labels ?? {}, old.metadata?.labels ?? {});
  if (labelsChanged || !isDeepStrictEqual(specPart(obj, ign), specPart(old, ign))) {
    obj.metadata!.generation = (old.metadata.generation ?? 0) + 1;
  }
}

/** Deep equality ignoring the fields that differ between any two stored versions. */
export function sameStoredContent(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => {
    const { resourceVersion: _r, managedFields: _m, ...meta } = o.metadata ?? {};
    return { ...o, metadata: meta };
  };
  return isDeepStrictEqual(strip(a), strip(b));
}
