// PATCH of an object or its status: JSON patch, JSON merge patch, strategic merge patch and
// server-side apply (which creates the object when it does not exist). The patch is re-applied
// to the fresh object on every compare-and-swap retry, as kube-apiserver does.

import type { KObject } from '../../api/resource.js';
import { badRequest, conflict, invalidObject, unsupportedMediaType, OBJECT_MODIFIED } from '../../api/errors.js';
import type { ApiResponse } from '../request.js';
import type { HandlerContext } from './context.js';
import { apiVersionOf } from './context.js';
import { checkDryRun, checkTypeMeta, fieldValidationOf } from './body.js';
import { fieldManagerOf, withWarnings } from './write.js';
import { renderOne } from './read.js';
import { gr } from '../registry/resource-store.js';
import { parseJsonStrict, parseYaml, checkFields } from '../decode.js';
import { strategicMergePatch } from '../patch/strategic-merge.js';
import { mergePatch } from '../patch/json-merge.js';
import { jsonPatch } from '../patch/json-patch.js';
import type { SchemaNode } from '../../api/schema/node.js';
import { serverSideApplyHandler } from './apply.js';
import { parseBool } from '../query.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const base = (contentType ?? '').split(';')[0].trim().toLowerCase();
  switch (base) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw unsupportedMediaType(contentType ?? '');
  }
}

export interface ParsedPatch {
  type: PatchType;
  body: unknown;
  duplicates: string[];
}

export function parsePatchBody(ctx: HandlerContext): ParsedPatch {
  const type = patchTypeOf(ctx.req.headers['content-type']);
  const text = ctx.req.bodyText ?? (ctx.req.body ?? Buffer.alloc(0)).toString('utf8');
  if (!text.trim()) throw badRequest('the body of the request was empty');
  if (type === 'apply') {
    const { value, duplicates } = parseYaml(text);
    return { type, body: value, duplicates };
  }
  const { value, duplicates } = parseJsonStrict(text);
  if (type === 'json' && !Array.isArray(value)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  if (type !== 'json' && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type map[string]interface {}`);
  }
  return { type, body: value, duplicates };
}

/** Applies a non-apply patch to a private copy of the current object. */
export function applyPatch(current: KObject, p: ParsedPatch, schema: SchemaNode | undefined): KObject {
  switch (p.type) {
    case 'json':
      return jsonPatch(current, p.body as any[]) as KObject;
    case 'merge':
      return mergePatch(current, p.body) as KObject;
    case 'strategic':
      if (!schema) throw unsupportedMediaType('application/strategic-merge-patch+json');
      return strategicMergePatch(current, p.body, schema) as KObject;
    default:
      throw badRequest(`unexpected patch type ${p.type}`);
  }
}

/**
 * Unknown and duplicate fields of a patched object, as Strict/Warn field validation reports them.
 * With `prune`, the unknown fields (and struct fields set to null) are also removed from obj, as
 * decoding the patched document into its Go type drops them: only Strict refuses them.
 */
export function fieldProblems(obj: KObject, duplicates: string[], ctx: HandlerContext, schema: SchemaNode | undefined, opts: { prune?: boolean } = {}): string[] {
  const probs = duplicates.map((d) => `duplicate field "${d}"`);
  if (schema) {
    const { unknown, typeErrors } = checkFields(obj, schema, { prune: opts.prune });
    if (typeErrors.length) {
      throw badRequest(`${ctx.def.kind} in version "${ctx.def.version}" cannot be handled as a ${ctx.def.kind}: ${typeErrors[0]}`);
    }
    probs.push(...unknown.map((u) => `unknown field "${u}"`));
  }
  return probs;
}

export function reportFields(ctx: HandlerContext, probs: string[]): string[] {
  const mode = fieldValidationOf(ctx.req.query);
  if (!probs.length || mode === 'Ignore') return [];
  if (mode === 'Strict') {
    throw badRequest(`${ctx.def.kind} in version "${ctx.def.version}" cannot be handled as a ${ctx.def.kind}: strict decoding error: ${probs.join(', ')}`);
  }
  return probs;
}

export async function patchObject(ctx: HandlerContext): Promise<ApiResponse> {
  const q = ctx.req.query;
  const dryRun = checkDryRun(q);
  const p = parsePatchBody(ctx);
  const force = q.get('force');
  if (force !== null && p.type !== 'apply') {
    throw invalidObject('PatchOptions', 'meta.k8s.io', '', [
      { type: 'FieldValueForbidden', field: 'force', detail: 'may not be specified for non-apply patch' },
    ]);
  }
  const subresource = ctx.subresource === 'status' ? 'status' : '';
  const schema = ctx.server.schema(ctx.def.schemaName);
  if (p.type === 'apply') {
    return serverSideApplyHandler(ctx, p.body as KObject, { force: parseBool(force), dryRun, subresource, schema });
  }
  const name = ctx.name!;
  const manager = fieldManagerOf(ctx, 'unknown');
  // Kept across conflict retries: pruning may have taken the unknown fields out of the shared patch.
  const warnings = new Set<string>();
  const updated = await ctx.rs.guaranteedUpdate(
    ctx.namespace,
    name,
    (current) => {
      const currentRv = current.metadata?.resourceVersion;
      const patched = applyPatch(current, p, schema);
      const wantRv = patched.metadata?.resourceVersion;
      if (wantRv && wantRv !== currentRv) throw conflict(gr(ctx.def), name, OBJECT_MODIFIED);
      for (const w of reportFields(ctx, fieldProblems(patched, p.duplicates, ctx, schema, { prune: true }))) warnings.add(w);
      checkTypeMeta(patched, ctx.def.kind, apiVersionOf(ctx.def));
      if (patched.metadata?.name !== name) {
        throw badRequest(`the name of the object (${patched.metadata?.name}) does not match the name on the URL (${name})`);
      }
      return patched;
    },
    { dryRun, subresource, fieldManager: manager },
  );
  return withWarnings(renderOne(ctx, updated), [...warnings]);
}

