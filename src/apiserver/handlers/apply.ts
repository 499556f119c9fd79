// Server-side apply (PATCH with application/apply-patch+yaml): merges the applied configuration
// into the live object with field ownership and conflicts, or creates the object when absent.

import type { KObject } from '../../api/resource.js';
import { badRequest, conflict, invalidObject, OBJECT_MODIFIED } from '../../api/errors.js';
import type { ApiResponse } from '../request.js';
import type { HandlerContext } from './context.js';
import { apiVersionOf } from './context.js';
import { checkTypeMeta } from './body.js';
import { withWarnings } from './write.js';
import { renderOne } from './read.js';
import { fieldProblems, reportFields } from './patch.js';
import { gr } from '../registry/resource-store.js';
import type { Subresource } from '../registry/resource-store.js';
import type { SchemaNode } from '../../api/schema/node.js';
import { checkAppliedFields, serverSideApply } from '../patch/apply.js';
import { withoutManagedFields } from '../patch/managed-fields.js';

function setManaged(obj: KObject, mf: unknown[]): void {
  obj.metadata ??= {};
  if (mf.length) obj.metadata.managedFields = mf;
  else delete obj.metadata.managedFields;
}

export interface ApplyOptions {
  force: boolean;
  dryRun: boolean;
  subresource: Subresource;
  schema: SchemaNode | undefined;
}

export async function serverSideApplyHandler(ctx: HandlerContext, applied: KObject, opts: ApplyOptions): Promise<ApiResponse> {
  const manager = ctx.req.query.get('fieldManager');
  if (!manager) {
    throw invalidObject('PatchOptions', 'meta.k8s.io', '', [
      { type: 'FieldValueRequired', field: 'fieldManager', detail: 'is required for apply patch' },
    ]);
  }
  const apiVersion = apiVersionOf(ctx.def);
  if (!applied || typeof applied !== 'object' || Array.isArray(applied)) throw badRequest('the applied configuration must be an object');
  if (!applied.apiVersion || !applied.kind) {
    throw badRequest(`invalid object type: ${applied.apiVersion ?? ''}, Kind=${applied.kind ?? ''}`);
  }
  checkTypeMeta(applied, ctx.def.kind, apiVersion);
  const name = ctx.name!;
  if (applied.metadata?.name && applied.metadata.name !== name) {
    throw badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
  }
  if (!opts.schema) throw badRequest(`server-side apply is not supported for ${ctx.def.plural}`);
  const schema = opts.schema;
  checkAppliedFields(withoutManagedFields(applied), schema);
  const warnings = reportFields(ctx, fieldProblems(applied, [], ctx, schema));
  const time = ctx.rs.nowString();
  const live = ctx.rs.tryGet(ctx.namespace, name);
  if (!live && opts.subresource === '') {
    const res = serverSideApply({ live: undefined, applied, manager, force: opts.force, schema, time, apiVersion, subresource: '' });
    const obj = res.object as KObject;
    obj.metadata = { ...obj.metadata, name };
    setManaged(obj, res.managedFields);
    if (ctx.def.namespaced) obj.metadata.namespace = ctx.namespace;
    const created = await ctx.rs.create(obj, ctx.namespace, { dryRun: opts.dryRun, fieldManager: manager, ownManagedFields: true });
    return withWarnings(renderOne(ctx, created, 201), warnings);
  }
  const wantRv = applied.metadata?.resourceVersion;
  const updated = await ctx.rs.guaranteedUpdate(
    ctx.namespace,
    name,
    (current) => {
      if (wantRv && wantRv !== current.metadata?.resourceVersion) throw conflict(gr(ctx.def), name, OBJECT_MODIFIED);
      const res = serverSideApply({
        live: current,
        applied,
        manager,
        force: opts.force,
        schema,
        time,
        apiVersion,
        subresource: opts.subresource,
      });
      const obj = res.object as KObject;
      setManaged(obj, res.managedFields);
      return obj;
    },
    { dryRun: opts.dryRun, subresource: opts.subresource, fieldManager: manager, ownManagedFields: true },
  );
  return withWarnings(renderOne(ctx, updated), warnings);
}
