// Response encoding: content negotiation from the Accept header (plain JSON, meta.k8s.io Table,
// PartialObjectMetadata[List]) and the builders for each shape. Objects are written from the watch
// cache's serialized bytes; only tables and metadata views are built per request.

import type { KObject, ResourceDef, TableColumn } from '../api/resource.js';
import { badRequest, notAcceptable } from '../api/errors.js';
import type { CachedObject } from './watch-cache.js';

export type OutputKind =
  | { as: 'json' }
  | { as: 'Table'; version: 'v1' | 'v1beta1' }
  | { as: 'PartialObjectMetadata'; version: 'v1' | 'v1beta1' };

interface MediaType {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string): MediaType[] {
  return accept
    .split(',')
    .map((part) => {
      const [type, ...rest] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of rest) {
        const i = p.indexOf('=');
        if (i > 0) params[p.slice(0, i).trim()] = p.slice(i + 1).trim();
      }
      return { type: type.toLowerCase(), params };
    })
    .filter((m) => m.type);
}

/** Picks the first acceptable representation in the client's order. */
export function negotiate(accept: string | undefined): OutputKind {
  if (!accept) return { as: 'json' };
  const types = parseAccept(accept);
  for (const m of types) {
    const jsonish = m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*';
    if (!jsonish) continue;
    const as = m.params.as;
    if (!as) return { as: 'json' };
    if (m.params.g !== 'meta.k8s.io') continue;
    const v = m.params.v === 'v1beta1' ? 'v1beta1' : m.params.v === 'v1' ? 'v1' : undefined;
    if (!v) continue;
    if (as === 'Table') return { as: 'Table', version: v };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { as: 'PartialObjectMetadata', version: v };
  }
  // Protobuf-only or YAML-only clients: kube would serve them; berth speaks JSON only.
  if (types.some((m) => m.type.includes('json') || m.type === '*/*')) return { as: 'json' };
  throw notAcceptable(`only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io`);
}

export function contentTypeOf(out: OutputKind): string {
  if (out.as === 'json') return 'application/json';
  const as = out.as;
  return `application/json;as=${as};g=meta.k8s.io;v=${out.version}`;
}

export function partialMetadata(obj: KObject, version = 'v1'): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
}

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  include: IncludeObject;
  now: number;
  noHeaders?: boolean;
  resourceVersion?: string;
  continueToken?: string;
  remaining?: number;
}

/** JSON of an object's metadata, memoized on the cached version (it never changes). */
function metadataJson(c: CachedObject): string {
  return (c.metaJson ??= JSON.stringify(c.obj.metadata ?? {}));
}

/** One table row as JSON, reusing the cached serialized object or metadata. */
export function tableRowJson(def: ResourceDef, c: CachedObject, opts: TableOptions): string {
  let row = `{"cells":${JSON.stringify(def.printer.row(c.obj, { now: opts.now }))}`;
  const conds = def.printer.conditions?.(c.obj);
  if (conds) row += `,"conditions":${JSON.stringify(conds)}`;
  if (opts.include === 'Metadata') {
    row += `,"object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/${opts.version}","metadata":${metadataJson(c)}}`;
  } else if (opts.include === 'Object') {
    row += `,"object":${c.json}`;
  }
  return row + '}';
}

export function buildTable(def: ResourceDef, items: CachedObject[], opts: TableOptions): string {
  const columns: TableColumn[] = opts.noHeaders ? [] : def.printer.columns;
  const metadata: Record<string, unknown> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continueToken) metadata.continue = opts.continueToken;
  if (opts.remaining !== undefined) metadata.remainingItemCount = opts.remaining;
  const head = JSON.stringify({ kind: 'Table', apiVersion: `meta.k8s.io/${opts.version}`, metadata, columnDefinitions: columns });
  const rows: string[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) rows[i] = tableRowJson(def, items[i], opts);
  return `${head.slice(0, -1)},"rows":[${rows.join(',')}]}`;
}

/** Items per chunk when a list is streamed. */
const LIST_CHUNK = 500;

/**
 * A <Kind>List from cached serialized items, as chunks of text that concatenate to the JSON: each
 * object's bytes are reused, and a large list never becomes one giant string.
 */
export function listChunks(def: ResourceDef, items: CachedObject[], meta: Record<string, unknown>): string[] {
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  const head = JSON.stringify({ kind: `${def.kind}List`, apiVersion, metadata: meta });
  const chunks: string[] = [`${head.slice(0, -1)},"items":[`];
  for (let i = 0; i < items.length; i += LIST_CHUNK) {
    const part: string[] = [];
    for (let j = i; j < Math.min(i + LIST_CHUNK, items.length); j++) part.push(items[j].json);
    chunks.push((i ? ',' : '') + part.join(','));
  }
  chunks.push(']}');
  return chunks;
}

/** The UTF-8 length of listChunks' output, from each object's remembered length (no scan of the whole list). */
export function listByteLength(chunks: string[], items: CachedObject[]): number {
  let n = Buffer.byteLength(chunks[0]) + Buffer.byteLength(chunks[chunks.length - 1]) + Math.max(0, items.length - 1);
  for (const c of items) n += c.jsonBytes ??= Buffer.byteLength(c.json);
  return n;
}

export function buildList(def: ResourceDef, items: CachedObject[], meta: Record<string, unknown>): string {
  return listChunks(def, items, meta).join('');
}

export function buildPartialList(items: CachedObject[], meta: Record<string, unknown>, version: string): string {
  return JSON.stringify({
    kind: 'PartialObjectMetadataList',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: meta,
    items: items.map((c) => partialMetadata(c.obj, version)),
  });
}
