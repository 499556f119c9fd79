// GET of one object and LIST of a collection, served from the watch cache: selectors,
// resourceVersion semantics (unset = consistent, "0" = any, N = not older than N, Exact via the
// store), limit/continue pagination, and JSON / Table / PartialObjectMetadata output.

import type { KObject } from '../../api/resource.js';
import { badRequest, expired, invalidObject, notSupported, timeout } from '../../api/errors.js';
import type { ApiResponse } from '../request.js';
import { jsonResponse } from '../request.js';
import type { CachedObject } from '../watch-cache.js';
import { buildList, buildPartialList, listByteLength, listChunks, buildTable, contentTypeOf, includeObjectParam, negotiate, partialMetadata } from '../output.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, pinnedName } from '../selectors.js';
import type { FieldRequirement, LabelSelector } from '../selectors.js';
import type { HandlerContext } from './context.js';
import { keyFor, prefixFor } from '../registry/resource-store.js';
import type { ResourceDef } from '../../api/resource.js';
import { CompactedError } from '../../store/store.js';

export function getObject(ctx: HandlerContext): ApiResponse {
  const c = ctx.rs.get(ctx.namespace, ctx.name!);
  return renderOne(ctx, c);
}

export function renderOne(ctx: HandlerContext, c: CachedObject, status = 200): ApiResponse {
  const out = negotiate(ctx.req.headers.accept);
  if (out.as === 'Table') {
    const body = buildTable(ctx.def, [c], {
      version: out.version,
      include: includeObjectParam(ctx.req.query),
      now: ctx.server.now().getTime(),
      resourceVersion: String(c.rv),
    });
    return { status, headers: { 'content-type': contentTypeOf(out) }, body };
  }
  if (out.as === 'PartialObjectMetadata') {
    return { status, headers: { 'content-type': contentTypeOf(out) }, body: JSON.stringify(partialMetadata(c.obj, out.version)) };
  }
  return jsonResponse(status, c.json);
}

export interface Filter {
  labels: LabelSelector;
  fields: FieldRequirement[];
}

export function fieldGetter(def: ResourceDef, obj: KObject): (f: string) => string {
  return (f) => {
    if (f === 'metadata.name') return obj.metadata?.name ?? '';
    if (f === 'metadata.namespace') return obj.metadata?.namespace ?? '';
    const fn = def.fieldSelectors?.[f];
    return fn ? fn(obj) : '';
  };
}

export function parseFilter(ctx: HandlerContext): Filter {
  const supported = ['metadata.name', 'metadata.namespace', ...Object.keys(ctx.def.fieldSelectors ?? {})];
  return {
    labels: parseLabelSelector(ctx.req.query.get('labelSelector')),
    fields: parseFieldSelector(ctx.req.query.get('fieldSelector'), supported),
  };
}

export function matches(def: ResourceDef, f: Filter, obj: KObject): boolean {
  if (f.labels.length && !matchLabels(f.labels, obj.metadata?.labels)) return false;
  if (f.fields.length && !matchFields(f.fields, fieldGetter(def, obj))) return false;
  return true;
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest(`continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  }
}

function parseLimit(q: URLSearchParams): number {
  const v = q.get('limit');
  if (v === null || v === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`limit: Invalid value: ${JSON.stringify(v)}: must be a non-negative integer`);
  return n;
}

/** Waits until the cache is at least as new as rv (resourceVersion=N, NotOlderThan). */
export async function waitFresh(ctx: HandlerContext, rv: number): Promise<void> {
  const cache = ctx.server.cache;
  if (rv <= cache.revision) return;
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout(`Too large resource version: ${rv}, current: ${cache.revision}`)), 3000);
  });
  try {
    await Promise.race([cache.waitFor(rv), t]);
  } finally {
    clearTimeout(timer);
  }
}

export function parseRv(v: string | null, what = 'resourceVersion'): number | undefined {
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw badRequest(`${what}: Invalid value: ${JSON.stringify(v)}: must be a non-negative integer`);
  return Number(v);
}

/** Objects of the collection in key order, as of "now" or an exact store revision. */
async function collection(ctx: HandlerContext, exactRv: number | undefined): Promise<{ items: CachedObject[]; rv: number }> {
  const cache = ctx.server.cache;
  if (exactRv === undefined) return { items: ctx.rs.list(ctx.namespace), rv: cache.revision };
  if (exactRv > cache.revision) await waitFresh(ctx, exactRv);
  const prefix = prefixFor(ctx.def, ctx.namespace);
  try {
    const res = await ctx.server.store.list(prefix, { revision: exactRv });
    const items = res.kvs.map((kv) => {
      const obj = JSON.parse(kv.value) as KObject;
      obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) };
      return { key: kv.key, rv: kv.modRevision, obj, json: JSON.stringify(obj) };
    });
    return { items, rv: exactRv };
  } catch (e) {
    if (e instanceof CompactedError) {
      throw expired(`too old resource version: ${exactRv} (${cache.oldestRevision})`);
    }
    throw e;
  }
}

export async function listObjects(ctx: HandlerContext): Promise<ApiResponse> {
  const q = ctx.req.query;
  const filter = parseFilter(ctx);
  const limit = parseLimit(q);
  const out = negotiate(ctx.req.headers.accept);
  const rvParam = parseRv(q.get('resourceVersion'));
  const match = q.get('resourceVersionMatch') ?? '';
  if (match && !['Exact', 'NotOlderThan'].includes(match)) {
    throw invalidObject('ListOptions', 'meta.k8s.io', '', [notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan'])]);
  }
  if (match && rvParam === undefined) {
    throw invalidObject('ListOptions', 'meta.k8s.io', '', [
      { type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden unless resourceVersion is provided' },
    ]);
  }
  const cont = q.get('continue');
  let token: ContinueToken | undefined;
  if (cont) {
    if (rvParam !== undefined && rvParam !== 0) {
      throw badRequest('specifying resource version is not allowed when using continue');
    }
    token = decodeContinue(cont);
  }
  if (rvParam === undefined && !token) {
    // Consistent read: see every write acknowledged before this request.
    await waitFresh(ctx, await ctx.server.store.currentRevision());
  } else if (rvParam !== undefined && rvParam > 0 && match !== 'Exact') {
    await waitFresh(ctx, rvParam);
  }
  const exact = match === 'Exact' ? rvParam : undefined;

  let items: CachedObject[];
  let listRv: number;
  const name = pinnedName(filter.fields);
  if (name !== undefined && exact === undefined && (ctx.def.namespaced ? ctx.namespace : true)) {
    const c = ctx.server.cache.get(keyFor(ctx.def, ctx.namespace, name));
    items = c ? [c] : [];
    listRv = ctx.server.cache.revision;
  } else {
    ({ items, rv: listRv } = await collection(ctx, exact));
  }
  if (token) items = items.filter((c) => c.key > token!.start);
  const selected = filter.labels.length || filter.fields.length ? items.filter((c) => matches(ctx.def, filter, c.obj)) : items;
  let page = selected;
  let next: string | undefined;
  let remaining: number | undefined;
  if (limit > 0 && selected.length > limit) {
    page = selected.slice(0, limit);
    next = encodeContinue({ rv: token?.rv ?? listRv, start: page[page.length - 1].key });
    if (!filter.labels.length && !filter.fields.length) remaining = selected.length - limit;
  }
  const meta: Record<string, unknown> = { resourceVersion: String(listRv) };
  if (next) meta.continue = next;
  if (remaining !== undefined) meta.remainingItemCount = remaining;

  if (out.as === 'Table') {
    const body = buildTable(ctx.def, page, {
      version: out.version,
      include: includeObjectParam(q),
      now: ctx.server.now().getTime(),
      resourceVersion: String(listRv),
      continueToken: next,
      remaining,
    });
    return { status: 200, headers: { 'content-type': contentTypeOf(out) }, body };
  }
  if (out.as === 'PartialObjectMetadata') {
    return { status: 200, headers: { 'content-type': contentTypeOf(out) }, body: buildPartialList(page, meta, out.version) };
  }
  if (page.length <= 1000) return jsonResponse(200, buildList(ctx.def, page, meta));
  // Large lists are written in chunks instead of one huge string, still with a content-length.
  const chunks = listChunks(ctx.def, page, meta);
  const length = listByteLength(chunks, page);
  return {
    status: 200,
    headers: { 'content-type': 'application/json', 'content-length': String(length) },
    stream: (async function* () {
      yield* chunks;
    })(),
  };
}
