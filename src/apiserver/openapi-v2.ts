// The served swagger 2.0 document (GET /openapi/v2): every served resource's paths
// (openapi-paths.ts) and the definitions they reach, in the generated (already v2) form. kubectl
// falls back to it when the v3 documents are missing; berth serves both.
// The protobuf form kubectl asks for is openapi-v2-proto.ts, and the
// paths of groups berth does not serve.

import type { ResourceDef } from '../api/resource.js';
import type { Definitions } from '../api/schema/schemas.js';
import { reachable, servedDefinitions } from './openapi-defs.js';
import type { OpSpec, ParamSpec, PathSpec } from './openapi-paths.js';
import { OPENAPI_INFO, PATCH, PATCH_MEDIA_TYPES, discoveryPath, resourcePaths } from './openapi-paths.js';

type Json = Record<string, unknown>;

const DEF_REF = '#/definitions/';

/** The swagger 2.0 document body for the served resources. */
export function buildOpenApiV2(resources: ResourceDef[], options: { definitions?: Definitions } = {}): string {
  const served = servedDefinitions(resources, options.definitions);
  const refs = new Set<string>();
  const specs: PathSpec[] = [];
  const gvs = new Set<string>();
  for (const r of resources) {
    const gv = `${r.group}/${r.version}`;
    if (!gvs.has(gv)) {
      gvs.add(gv);
      specs.push(discoveryPath(r.group, r.version));
    }
    refs.add(r.schemaName);
    refs.add(`${r.schemaName}List`);
    specs.push(...resourcePaths(r, served.findKind));
  }
  const paths: Json = {};
  for (const spec of specs.sort((a, b) => a.path.localeCompare(b.path))) paths[spec.path] = pathItemV2(spec, refs);
  const definitions: Json = {};
  for (const name of reachable(served.defs, refs)) definitions[name] = served.defs[name];
  return JSON.stringify({ swagger: '2.0', info: OPENAPI_INFO, paths, definitions });
}

function pathItemV2(spec: PathSpec, refs: Set<string>): Json {
  const item: Json = {};
  for (const op of spec.ops) item[op.method] = operationV2(op, refs);
  if (spec.params.length) item.parameters = spec.params.map(parameterV2);
  return item;
}

function parameterV2(p: ParamSpec): Json {
  const out: Json = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.in === 'path') out.required = true;
  return out;
}

function operationV2(op: OpSpec, refs: Set<string>): Json {
  const text = op.responses.some((r) => r.schema === 'string');
  const out: Json = {
    description: op.description,
    consumes: op.body?.patch ? PATCH_MEDIA_TYPES : ['*/*'],
    produces: text ? ['text/plain', 'application/json', 'application/yaml'] : ['application/json', 'application/yaml'],
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
  };
  const params: Json[] = [];
  if (op.body) {
    const schema = op.body.patch ? ref(PATCH, refs) : op.body.schema ? ref(op.body.schema, refs) : { type: 'object' };
    params.push({ name: 'body', in: 'body', required: op.body.required, schema });
  }
  params.push(...op.params.map(parameterV2));
  if (params.length) out.parameters = params;
  const responses: Json = {};
  for (const r of op.responses) {
    responses[r.code] = r.schema === 'string' ? { description: r.description, schema: { type: 'string' } } : { description: r.description, schema: r.schema ? ref(r.schema, refs) : { type: 'object' } };
  }
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

function ref(name: string, refs: Set<string>): Json {
  refs.add(name);
  return { $ref: `${DEF_REF}${name}` };
}
