// Subresources with their own semantics: scale (autoscaling/v1 Scale over spec.replicas),
// pods/binding, pods/eviction, namespaces/finalize, and the node-agent streams berth does not
// serve (portforward, proxy), which answer with a clear error. exec, attach and log have their own
// handlers (pod-exec.ts, pod-logs.ts).

import type { KObject } from '../../api/resource.js';
import { badRequest, conflict, invalidObject, methodNotSupported, successStatus, OBJECT_MODIFIED } from '../../api/errors.js';
import type { ApiResponse } from '../request.js';
import { jsonResponse } from '../request.js';
import type { HandlerContext } from './context.js';
import { checkDryRun, decodeBody } from './body.js';
import { fieldManagerOf } from './write.js';
import { applyPatch, parsePatchBody } from './patch.js';
import { deleteOne, parseDeleteOptions } from './delete.js';
import { gr } from '../registry/resource-store.js';
import type { CachedObject } from '../watch-cache.js';

const SCALE_SCHEMA = 'io.k8s.api.autoscaling.v1.Scale';

function getPath(obj: KObject, path: string): unknown {
  return path.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), obj);
}

function setPath(obj: KObject, path: string, value: unknown): void {
  const parts = path.split('.');
  let o: any = obj;
  for (const k of parts.slice(0, -1)) o = o[k] ??= {};
  o[parts[parts.length - 1]] = value;
}

function scaleOf(ctx: HandlerContext, c: { obj: KObject; rv: number }): KObject {
  const s = ctx.def.scale!;
  const m = c.obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: String(c.rv), creationTimestamp: m.creationTimestamp },
    spec: { replicas: (getPath(c.obj, s.specReplicasPath) as number) ?? 0 },
    status: { replicas: (getPath(c.obj, s.statusReplicasPath) as number) ?? 0, selector: s.selector(c.obj) },
  };
}

function scaleResponse(ctx: HandlerContext, c: CachedObject): ApiResponse {
  return jsonResponse(200, JSON.stringify(scaleOf(ctx, c)));
}

function validateReplicas(ctx: HandlerContext, scale: KObject): number {
  const r = scale.spec?.replicas;
  if (r === undefined || r === null) return 0;
  if (!Number.isInteger(r) || r < 0) {
    throw invalidObject('Scale', 'autoscaling', ctx.name!, [
      { type: 'FieldValueInvalid', field: 'spec.replicas', badValue: r, detail: 'must be greater than or equal to 0' },
    ]);
  }
  return r;
}

export async function scaleHandler(ctx: HandlerContext): Promise<ApiResponse> {
  if (!ctx.def.scale) throw methodNotSupported(gr(ctx.def), 'scale');
  const method = ctx.req.method;
  if (method === 'GET') return scaleResponse(ctx, ctx.rs.get(ctx.namespace, ctx.name!));
  if (method !== 'PUT' && method !== 'PATCH') throw methodNotSupported(gr(ctx.def), method.toLowerCase());
  const dryRun = checkDryRun(ctx.req.query);
  const scaleSchema = ctx.server.schema(SCALE_SCHEMA);
  const put = method === 'PUT' ? decodeBody(ctx, { kind: 'Scale', apiVersion: 'autoscaling/v1', schemaName: SCALE_SCHEMA }).obj : undefined;
  const patch = method === 'PATCH' ? parsePatchBody(ctx) : undefined;
  if (patch?.type === 'apply') throw badRequest('server-side apply is not supported on the scale subresource');
  const specPath = ctx.def.scale.specReplicasPath;
  const updated = await ctx.rs.guaranteedUpdate(
    ctx.namespace,
    ctx.name!,
    (current) => {
      const curScale = scaleOf(ctx, { obj: current, rv: Number(current.metadata?.resourceVersion) });
      const next = put ?? applyPatch(curScale, patch!, scaleSchema);
      const want = next.metadata?.resourceVersion;
      if (want && want !== curScale.metadata!.resourceVersion) throw conflict(gr(ctx.def), ctx.name!, OBJECT_MODIFIED);
      setPath(current, specPath, validateReplicas(ctx, next));
      return current;
    },
    { dryRun, fieldManager: fieldManagerOf(ctx, 'unknown') },
  );
  return scaleResponse(ctx, updated);
}

export async function bindingHandler(ctx: HandlerContext): Promise<ApiResponse> {
  if (ctx.req.method !== 'POST') throw methodNotSupported(gr(ctx.def), ctx.req.method.toLowerCase());
  const dryRun = checkDryRun(ctx.req.query);
  const { obj: binding } = decodeBody(ctx, { kind: 'Binding', apiVersion: 'v1', schemaName: 'io.k8s.api.core.v1.Binding' });
  const target = binding.target;
  if (!target?.name) {
    throw invalidObject('Binding', '', binding.metadata?.name ?? ctx.name!, [{ type: 'FieldValueRequired', field: 'target.name' }]);
  }
  if (target.kind && target.kind !== 'Node') {
    throw invalidObject('Binding', '', ctx.name!, [{ type: 'FieldValueNotSupported', field: 'target.kind', badValue: target.kind, detail: 'supported values: "Node"' }]);
  }
  const now = ctx.rs.nowString();
  await ctx.rs.systemUpdate(
    ctx.namespace,
    ctx.name!,
    (pod) => {
      // A binding for a pod that was deleted and recreated under the same name must not land.
      const uid = binding.metadata?.uid;
      if (uid && uid !== pod.metadata?.uid) {
        throw conflict(gr(ctx.def), ctx.name!, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid}`);
      }
      if (pod.metadata?.deletionTimestamp) throw conflict(gr(ctx.def), ctx.name!, 'pod is being deleted, cannot be assigned to a host');
      if (pod.spec?.nodeName) throw conflict(gr(ctx.def), ctx.name!, `pod ${ctx.name} is already assigned to node "${pod.spec.nodeName}"`);
      pod.spec = { ...pod.spec, nodeName: target.name };
      // The binding's annotations are copied onto the pod (setPodHostAndAnnotations).
      const ann = binding.metadata?.annotations;
      if (ann && Object.keys(ann).length) pod.metadata = { ...pod.metadata, annotations: { ...pod.metadata?.annotations, ...ann } };
      const conds = (pod.status?.conditions ?? []).filter((c: any) => c.type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      pod.status = { ...pod.status, conditions: conds };
      return pod;
    },
    { dryRun },
  );
  return jsonResponse(201, JSON.stringify({ ...successStatus(), code: 201 }));
}

export async function evictionHandler(ctx: HandlerContext): Promise<ApiResponse> {
  if (ctx.req.method !== 'POST') throw methodNotSupported(gr(ctx.def), ctx.req.method.toLowerCase());
  const { obj: eviction } = decodeBody(ctx, { kind: 'Eviction', apiVersion: 'policy/v1', schemaName: 'io.k8s.api.policy.v1.Eviction' });
  const opts = parseDeleteOptions({ ...ctx, req: { ...ctx.req, body: Buffer.from(JSON.stringify(eviction.deleteOptions ?? {})) } });
  // No PodDisruptionBudgets exist in berth yet, so every eviction is allowed.
  await deleteOne(ctx, ctx.name!, opts);
  return jsonResponse(201, JSON.stringify({ ...successStatus(), code: 201 }));
}

export async function finalizeHandler(ctx: HandlerContext): Promise<ApiResponse> {
  if (ctx.req.method !== 'PUT') throw methodNotSupported(gr(ctx.def), ctx.req.method.toLowerCase());
  const { obj } = decodeBody(ctx);
  const finalizers: string[] = obj.spec?.finalizers ?? [];
  const res = await ctx.rs.systemUpdate(undefined, ctx.name!, (ns) => {
    ns.spec = { ...ns.spec, finalizers };
    if (!finalizers.length) delete ns.spec.finalizers;
    return ns;
  });
  return jsonResponse(200, res.c.json);
}

export function nodeStreamHandler(ctx: HandlerContext): ApiResponse {
  const pod = ctx.rs.get(ctx.namespace, ctx.name!);
  throw badRequest(`${ctx.subresource} is not supported for pod "${pod.obj.metadata?.name}": berth's node agents serve exec and logs only`);
}
