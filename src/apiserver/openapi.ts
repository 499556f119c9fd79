// The served OpenAPI v3 documents: one per group-version (`api/v1`, `apis/apps/v1`) with the paths
// of its resources (openapi-paths.ts) and, under components.schemas, every definition those paths
// reach, $refs rewritten to #/components/schemas and wrapped in allOf where a property adds a
// description (as Kubernetes does); plus the root index that names each document with its hash.
// kubectl needs exactly this: a PATCH operation carrying the object's GVK and a fieldValidation
// parameter (server-side validation), strategic-merge-patch+json among the PATCH body types (apply
// patch computation) and described schemas with x-kubernetes-group-version-kind (explain).
// Deliberately absent: HTTP serving and caching headers (the apiserver's handler), the non-GV
// documents (`api`, `apis`, `version`), and protobuf. buildOpenApiV2 lives in openapi-v2.ts.

import type { ResourceDef } from '../api/resource.js';
import type { Definitions, OpenApiSchema } from '../api/schema/schemas.js';
import { docHash, reachable, servedDefinitions } from './openapi-defs.js';
import type { OpSpec, ParamSpec, PathSpec, ResponseSpec } from './openapi-paths.js';
import { OPENAPI_INFO, PATCH, PATCH_MEDIA_TYPES, discoveryPath, gvPath, resourcePaths } from './openapi-paths.js';

export { buildOpenApiV2 } from './openapi-v2.js';

export interface OpenApiV3 {
  /** Body of GET /openapi/v3. */
  root: { paths: Record<string, { serverRelativeURL: string }> };
  /** Per group-version path (`api/v1`, `apis/apps/v1`): the document body and its hash. */
  docs: Map<string, { body: string; hash: string }>;
}

type Json = Record<string, unknown>;

const COMPONENT_REF = '#/components/schemas/';
const DEF_REF = '#/definitions/';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/** Builds every group-version document for the served resources, and the root index. */
export function buildOpenApiV3(resources: ResourceDef[], options: { definitions?: Definitions } = {}): OpenApiV3 {
  const served = servedDefinitions(resources, options.definitions);
  const byGv = new Map<string, ResourceDef[]>();
  for (const r of resources) {
    const key = gvPath(r.group, r.version);
    byGv.set(key, [...(byGv.get(key) ?? []), r]);
  }
  const docs = new Map<string, { body: string; hash: string }>();
  const root: OpenApiV3['root'] = { paths: {} };
  for (const key of [...byGv.keys()].sort()) {
    const gvResources = byGv.get(key)!;
    const { group, version } = gvResources[0]!;
    const refs = new Set<string>();
    const specs: PathSpec[] = [discoveryPath(group, version)];
    for (const r of gvResources) {
      refs.add(r.schemaName);
      refs.add(`${r.schemaName}List`);
      specs.push(...resourcePaths(r, served.findKind));
    }
    const paths: Json = {};
    for (const spec of specs.sort((a, b) => a.path.localeCompare(b.path))) paths[spec.path] = pathItemV3(spec, refs);
    const schemas: Json = {};
    for (const name of reachable(served.defs, refs)) schemas[name] = schemaV3(name, served.defs[name]!);
    const body = JSON.stringify({ openapi: '3.0.0', info: OPENAPI_INFO, paths, components: { schemas } });
    const hash = docHash(body);
    docs.set(key, { body, hash });
    root.paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { root, docs };
}

function pathItemV3(spec: PathSpec, refs: Set<string>): Json {
  const item: Json = {};
  for (const op of spec.ops) item[op.method] = operationV3(op, refs);
  if (spec.params.length) item.parameters = spec.params.map(parameterV3);
  return item;
}

function parameterV3(p: ParamSpec): Json {
  const out: Json = { name: p.name, in: p.in, description: p.description, schema: { type: p.type } };
  if (p.in === 'path') out.required = true;
  out.uniqueItems = true;
  return out;
}

function operationV3(op: OpSpec, refs: Set<string>): Json {
  const out: Json = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.params.length) out.parameters = op.params.map(parameterV3);
  if (op.body) {
    if (op.body.patch) {
      refs.add(PATCH);
      const content: Json = {};
      for (const mt of PATCH_MEDIA_TYPES) content[mt] = { schema: { $ref: `${COMPONENT_REF}${PATCH}` } };
      out.requestBody = { content, required: true };
    } else {
      out.requestBody = { content: { '*/*': { schema: schemaRef(op.body.schema, refs) } }, required: op.body.required };
    }
  }
  const responses: Json = {};
  for (const r of op.responses) responses[r.code] = responseV3(r, op, refs);
  responses['401'] = { description: 'Unauthorized' };
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  if (op.gvk) out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  return out;
}

function responseV3(r: ResponseSpec, op: OpSpec, refs: Set<string>): Json {
  if (r.schema === 'string') {
    const mt = op.action === 'connect' ? '*/*' : 'text/plain';
    return { description: r.description, content: { [mt]: { schema: { type: 'string' } } } };
  }
  const schema = schemaRef(r.schema, refs);
  const content: Json = { 'application/json': { schema }, 'application/yaml': { schema } };
  if (op.watchable) content['application/json;stream=watch'] = { schema };
  return { description: r.description, content };
}

function schemaRef(name: string | undefined, refs: Set<string>): Json {
  if (!name) return { type: 'object' };
  refs.add(name);
  return { $ref: `${COMPONENT_REF}${name}` };
}

/** A definition in v3 form: component $refs, allOf around described refs, oneOf for IntOrString/Quantity. */
export function schemaV3(name: string, schema: OpenApiSchema): Json {
  if (name === INT_OR_STRING) {
    return { description: schema.description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  if (name === QUANTITY) return { description: schema.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  return convert(schema);
}

function convert(schema: OpenApiSchema): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$ref') continue;
    if (k === 'properties') {
      const props: Json = {};
      for (const [p, ps] of Object.entries(v as Record<string, OpenApiSchema>)) props[p] = convert(ps);
      out.properties = props;
    } else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) {
      out[k] = convert(v as OpenApiSchema);
    } else {
      out[k] = v;
    }
  }
  if (schema.$ref) {
    const ref = { $ref: COMPONENT_REF + schema.$ref.slice(DEF_REF.length) };
    if (Object.keys(out).length === 0) return ref;
    return { ...out, allOf: [ref] };
  }
  return out;
}
