// POST (create) and PUT (replace) of objects and of their status, with dry-run, field managers
// and field-validation warnings.

import { badRequest, notFound } from '../../api/errors.js';
import type { KObject } from '../../api/resource.js';
import type { ApiResponse } from '../request.js';
import { warningHeaders } from '../request.js';
import type { HandlerContext } from './context.js';
import { checkDryRun, decodeBody } from './body.js';
import { renderOne } from './read.js';
import { gr } from '../registry/resource-store.js';

export function fieldManagerOf(ctx: HandlerContext, fallback: string): string {
  const m = ctx.req.query.get('fieldManager');
  if (m !== null && m.length > 128) throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
  if (m) return m;
  // Kubernetes derives the manager from the user agent's program name.
  const ua = ctx.req.headers['user-agent'] ?? '';
  return ua.split('/')[0] || fallback;
}

export function withWarnings(res: ApiResponse, warnings: string[]): ApiResponse {
  if (!warnings.length) return res;
  return { ...res, headers: { ...res.headers, ...warningHeaders(warnings) } };
}

export async function createObject(ctx: HandlerContext): Promise<ApiResponse> {
  const dryRun = checkDryRun(ctx.req.query);
  const { obj, warnings } = decodeBody(ctx);
  if (ctx.def.namespaced && !ctx.namespace) {
    throw badRequest(`the server does not allow this method on the requested resource`);
  }
  const created = await ctx.rs.create(obj, ctx.namespace, { dryRun, fieldManager: fieldManagerOf(ctx, 'unknown') });
  return withWarnings(renderOne(ctx, created, 201), warnings);
}

export async function replaceObject(ctx: HandlerContext): Promise<ApiResponse> {
  const dryRun = checkDryRun(ctx.req.query);
  const { obj, warnings } = decodeBody(ctx);
  const name = ctx.name!;
  if (obj.metadata?.name && obj.metadata.name !== name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (ctx.def.namespaced && obj.metadata?.namespace && obj.metadata.namespace !== ctx.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata = { ...obj.metadata, name, ...(ctx.def.namespaced ? { namespace: ctx.namespace } : {}) };
  if (!ctx.rs.tryGet(ctx.namespace, name)) throw notFound(gr(ctx.def), name);
  const subresource = ctx.subresource === 'status' ? 'status' : '';
  const expectRv = obj.metadata.resourceVersion || undefined;
  // With a precondition there is one attempt, so the decoded body itself becomes the new object;
  // an unconditional update retries on conflict, each attempt from a pristine copy.
  const pristine = expectRv ? undefined : JSON.stringify(obj);
  let attempts = 0;
  const replacement = () => (attempts++ === 0 ? obj : (JSON.parse(pristine!) as KObject));
  const updated = await ctx.rs.guaranteedUpdate(ctx.namespace, name, replacement, {
    dryRun,
    expectRv,
    subresource,
    fieldManager: fieldManagerOf(ctx, 'unknown'),
    replaces: true,
  });
  return withWarnings(renderOne(ctx, updated), warnings);
}

