// DELETE of one object and of a collection: DeleteOptions (body or query), preconditions,
// graceful deletion of pods, finalizers (including the orphan/foreground propagation finalizers),
// namespaces entering Terminating, and the response kube-apiserver gives in each case.

import type { KObject, ResourceDef } from '../../api/resource.js';
import { badRequest, conflict, invalidObject, notSupported, successStatus } from '../../api/errors.js';
import type { ApiResponse } from '../request.js';
import { jsonResponse } from '../request.js';
import type { HandlerContext } from './context.js';
import { checkDryRun } from './body.js';
import { parseBool } from '../query.js';
import { decodeProtobufObject, isProtobufContentType } from '../protobuf/decode-protobuf.js';
import { parseFilter, matches, renderOne } from './read.js';
import { buildList } from '../output.js';
import { gr } from '../registry/resource-store.js';
import type { CachedObject } from '../watch-cache.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

const POLICIES = ['Orphan', 'Background', 'Foreground'];

export function parseDeleteOptions(ctx: HandlerContext): DeleteOptions {
  const q = ctx.req.query;
  let body: any = {};
  const raw = ctx.req.body;
  if (raw && raw.length) {
    if (isProtobufContentType(ctx.req.headers['content-type'] ?? '')) {
      // Go clients built on the typed clientset send DeleteOptions as protobuf.
      body = decodeProtobufObject(raw, { kind: 'DeleteOptions', apiVersion: 'v1', schemaName: 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions' });
    } else {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw badRequest(`unable to decode DeleteOptions: ${(e as Error).message}`);
      }
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('DeleteOptions must be a JSON object');
  }
  const opts: DeleteOptions = { dryRun: checkDryRun(q) || (Array.isArray(body.dryRun) && body.dryRun.includes('All')) };
  const g = body.gracePeriodSeconds ?? (q.get('gracePeriodSeconds') !== null ? Number(q.get('gracePeriodSeconds')) : undefined);
  if (g !== undefined) {
    if (!Number.isInteger(g)) throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(g)}: must be an integer`);
    opts.gracePeriodSeconds = g;
  }
  const p = body.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  if (p !== undefined && p !== null) {
    if (!POLICIES.includes(p)) {
      throw invalidObject('DeleteOptions', 'meta.k8s.io', '', [notSupported('propagationPolicy', p, POLICIES)]);
    }
    opts.propagationPolicy = p;
  }
  const o = body.orphanDependents ?? (q.get('orphanDependents') !== null ? parseBool(q.get('orphanDependents')) : undefined);
  if (o !== undefined) {
    if (opts.propagationPolicy) {
      throw invalidObject('DeleteOptions', 'meta.k8s.io', '', [
        { type: 'FieldValueInvalid', field: 'propagationPolicy', badValue: opts.propagationPolicy, detail: 'orphanDependents and deletionPropagation cannot be both set' },
      ]);
    }
    opts.orphanDependents = !!o;
  }
  if (body.preconditions) opts.preconditions = body.preconditions;
  return opts;
}

const GC_FINALIZERS = ['orphan', 'foregroundDeletion'];

/**
 * deletionFinalizersForGarbageCollection: the finalizers after this DELETE. An explicit policy
 * (orphanDependents, then propagationPolicy) replaces whichever GC finalizer the object has; with
 * none, the object's own GC finalizer stays (the default policy of every served kind is Background).
 */
function finalizersAfterDelete(current: string[], opts: DeleteOptions): string[] {
  const has = (f: string) => current.includes(f);
  let orphan: boolean;
  let foreground: boolean;
  if (opts.orphanDependents !== undefined) {
    orphan = opts.orphanDependents;
    foreground = false;
  } else if (opts.propagationPolicy) {
    orphan = opts.propagationPolicy === 'Orphan';
    foreground = opts.propagationPolicy === 'Foreground';
  } else {
    const first = current.find((f) => GC_FINALIZERS.includes(f));
    orphan = first === 'orphan';
    foreground = first === 'foregroundDeletion';
  }
  const next = current.filter((f) => !GC_FINALIZERS.includes(f));
  if (orphan) next.push('orphan');
  if (foreground) next.push('foregroundDeletion');
  const same = next.length === current.length && next.every(has);
  return same ? current : next;
}

function isoAfter(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface DeleteResult {
  c: CachedObject;
  removed: boolean;
}

export async function deleteOne(ctx: HandlerContext, name: string, opts: DeleteOptions): Promise<DeleteResult> {
  const def = ctx.def;
  const cur = ctx.rs.get(ctx.namespace, name);
  const pre = opts.preconditions;
  if (pre?.uid && pre.uid !== cur.obj.metadata?.uid) {
    throw conflict(gr(def), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.obj.metadata?.uid}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== String(cur.rv)) {
    throw conflict(gr(def), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.rv}`);
  }
  const expectRv = pre?.resourceVersion ? cur.rv : undefined;
  await ctx.rs.admitDelete(cur.obj, opts.dryRun);
  const now = ctx.server.now();
  return ctx.rs.systemUpdate(
    ctx.namespace,
    name,
    (obj) => {
      const meta = (obj.metadata ??= {});
      const grace = def.deletion?.gracePeriod?.(obj, opts.gracePeriodSeconds) ?? 0;
      if (meta.deletionTimestamp) {
        const remaining = meta.deletionGracePeriodSeconds ?? 0;
        if (remaining > 0) {
          // A graceful deletion is pending: only a shorter grace period changes anything.
          if (!def.deletion?.gracePeriod || grace >= remaining) return undefined;
          meta.deletionGracePeriodSeconds = grace;
          meta.deletionTimestamp = isoAfter(now, grace);
          return obj;
        }
        // Held by finalizers: a new DELETE may still change the propagation policy.
        const finalizers = finalizersAfterDelete(meta.finalizers ?? [], opts);
        if (finalizers === meta.finalizers || (finalizers.length === 0 && !meta.finalizers)) return undefined;
        meta.finalizers = finalizers;
        return obj;
      }
      const finalizers = finalizersAfterDelete(meta.finalizers ?? [], opts);
      if (finalizers.length) meta.finalizers = finalizers;
      else delete meta.finalizers;
      meta.deletionTimestamp = isoAfter(now, grace);
      meta.deletionGracePeriodSeconds = grace;
      def.deletion?.markTerminating?.(obj);
      return obj;
    },
    { dryRun: opts.dryRun, expectRv },
  );
}

function deleteResponse(ctx: HandlerContext, res: DeleteResult, opts: DeleteOptions): ApiResponse {
  const def = ctx.def;
  if (!res.removed) {
    // Kubernetes answers 202 only to the legacy orphanDependents=false (changing it would break clients).
    const code = opts.orphanDependents === false ? 202 : 200;
    return renderOne(ctx, res.c, code);
  }
  if (def.deletion?.returnsObject) return renderOne(ctx, res.c);
  const status = successStatus({
    name: res.c.obj.metadata?.name,
    group: def.group,
    kind: def.plural,
    uid: res.c.obj.metadata?.uid,
  });
  return jsonResponse(200, JSON.stringify(status));
}

export async function deleteObject(ctx: HandlerContext): Promise<ApiResponse> {
  const opts = parseDeleteOptions(ctx);
  const res = await deleteOne(ctx, ctx.name!, opts);
  return deleteResponse(ctx, res, opts);
}

export async function deleteCollection(ctx: HandlerContext): Promise<ApiResponse> {
  const opts = parseDeleteOptions(ctx);
  const filter = parseFilter(ctx);
  const targets = ctx.rs.list(ctx.namespace).filter((c) => matches(ctx.def, filter, c.obj));
  const done: CachedObject[] = [];
  for (const t of targets) {
    const sub = { ...ctx, namespace: t.obj.metadata?.namespace };
    try {
      const r = await deleteOne(sub, t.obj.metadata!.name!, opts);
      done.push(r.c);
    } catch (e) {
      // Already gone is fine for a collection delete.
      if ((e as { code?: number }).code !== 404) throw e;
    }
  }
  return jsonResponse(200, buildList(ctx.def, done, { resourceVersion: String(ctx.server.cache.revision) }));
}
