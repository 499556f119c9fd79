// Decoding a request body into an object of the endpoint's kind: content type, size, strict
// field validation (Strict/Warn/Ignore), apiVersion/kind checks and name checks.

import type { KObject, ResourceDef } from '../../api/resource.js';
import { badRequest, invalidObject, notSupported } from '../../api/errors.js';
import { decodeObject } from '../decode.js';
import type { HandlerContext } from './context.js';
import { apiVersionOf } from './context.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Invalid value: ${JSON.stringify(v)}: must be one of Ignore, Warn, or Strict`);
}

export function checkDryRun(q: URLSearchParams): boolean {
  const vals = q.getAll('dryRun');
  for (const v of vals) {
    if (v !== 'All') throw invalidObject('CreateOptions', 'meta.k8s.io', '', [notSupported('dryRun', v, ['All'])]);
  }
  return vals.length > 0;
}

export interface Decoded {
  obj: KObject;
  warnings: string[];
}

/** Decodes the body as an object of `def`'s kind (or another kind when `expect` names one). */
export function decodeBody(ctx: HandlerContext, expect?: { kind: string; apiVersion: string; schemaName: string }): Decoded {
  const def: ResourceDef = ctx.def;
  const kind = expect?.kind ?? def.kind;
  const apiVersion = expect?.apiVersion ?? apiVersionOf(def);
  const schemaName = expect?.schemaName ?? def.schemaName;
  const schema = ctx.server.schema(schemaName);
  if (!schema) throw new Error(`no OpenAPI schema for ${schemaName}`);
  const body = ctx.req.bodyText ?? ctx.req.body ?? Buffer.alloc(0);
  if (body.length === 0) throw badRequest('the body of the request was empty');
  const { obj, warnings } = decodeObject({
    body,
    canonical: ctx.req.bodyText !== undefined,
    contentType: ctx.req.headers['content-type'] ?? 'application/json',
    kind,
    apiVersion,
    schema,
    fieldValidation: fieldValidationOf(ctx.req.query),
  });
  checkTypeMeta(obj, kind, apiVersion);
  return { obj, warnings };
}

/** Empty apiVersion/kind are filled in; different ones are rejected as kube-apiserver does. */
export function checkTypeMeta(obj: KObject, kind: string, apiVersion: string): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw badRequest(`${kind} in version "${apiVersion.split('/').pop()}" cannot be handled as a ${kind}: the object provided is not a JSON object`);
  }
  if (obj.apiVersion && obj.apiVersion !== apiVersion) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
  }
  if (obj.kind && obj.kind !== kind) {
    throw badRequest(`${kind} in version "${apiVersion.split('/').pop()}" cannot be handled as a ${kind}: the kind in the data (${obj.kind}) does not match the expected kind (${kind})`);
  }
  obj.apiVersion = apiVersion;
  obj.kind = kind;
}
