// The REST surface of the served resources as a format-neutral list of paths and operations —
// collection, item, all-namespaces list, status, scale and the extra subresources — with Kubernetes'
// operation ids, x-kubernetes-action values, group-version-kinds and query parameters. openapi.ts
// renders it as OpenAPI v3 and openapi-v2.ts as swagger 2.0.
// Deliberately absent: the deprecated /watch/ paths (watch is the `watch` parameter of list), and
// per-parameter schemas beyond their scalar type.

import type { ResourceDef } from '../api/resource.js';

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface ParamSpec {
  name: string;
  in: 'query' | 'path';
  type: 'string' | 'boolean' | 'integer';
  description: string;
}

export interface ResponseSpec {
  code: string;
  description: string;
  /** Definition name of the body, or 'string' for plain text. */
  schema?: string;
}

export interface OpSpec {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  description: string;
  action: string;
  gvk?: Gvk;
  params: ParamSpec[];
  /** Request body: a definition name; `patch` for the four patch media types. */
  body?: { schema?: string; patch?: boolean; required: boolean };
  responses: ResponseSpec[];
  /** List operations can stream watch events. */
  watchable?: boolean;
  tag: string;
}

export interface PathSpec {
  path: string;
  params: ParamSpec[];
  ops: OpSpec[];
}

/** The Kubernetes version the documents describe (matches /version). */
export const OPENAPI_INFO = { title: 'Kubernetes', version: 'v1.32.0' };

export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const PATCH = `${META}.Patch`;
export const API_RESOURCE_LIST = `${META}.APIResourceList`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const SCALE = 'io.k8s.api.autoscaling.v1.Scale';
export const SCALE_GVK: Gvk = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

export const PATCH_MEDIA_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const q = (name: string, description: string, type: ParamSpec['type'] = 'string'): ParamSpec => ({ name, in: 'query', type, description });
const P = {
  pretty: q('pretty', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'When present, the change is validated and admitted but not persisted. The only valid value is All.'),
  fieldManager: q('fieldManager', 'The name of the actor making the change, recorded in managedFields.'),
  fieldValidation: q(
    'fieldValidation',
    'How to treat unknown and duplicate fields in the body: Ignore drops them silently, Warn (the default) reports each in a Warning header, Strict fails the request with 400 BadRequest.',
  ),
  force: q('force', 'Apply requests only: take ownership of fields that conflict with other managers.', 'boolean'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'Ask for BOOKMARK watch events.', 'boolean'),
  continue: q('continue', 'The continue token of the previous page of a paginated list.'),
  fieldSelector: q('fieldSelector', 'Restrict the returned objects by their fields.'),
  labelSelector: q('labelSelector', 'Restrict the returned objects by their labels.'),
  limit: q('limit', 'The maximum number of objects to return; the list metadata carries a continue token when more remain.', 'integer'),
  resourceVersion: q('resourceVersion', 'The resource version the list or watch starts from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'How resourceVersion is applied to a list: Exact or NotOlderThan.'),
  sendInitialEvents: q('sendInitialEvents', 'With watch: start with synthetic ADDED events for the current state.', 'boolean'),
  timeoutSeconds: q('timeoutSeconds', 'Time limit of the list or watch call.', 'integer'),
  watch: q('watch', 'Watch for changes and return them as a stream of add, update and remove notifications.', 'boolean'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'Seconds before the object is deleted; zero means immediately.', 'integer'),
  orphanDependents: q('orphanDependents', 'Deprecated: use propagationPolicy.', 'boolean'),
  propagationPolicy: q('propagationPolicy', 'Garbage collection of dependents: Orphan, Background or Foreground.'),
  container: q('container', 'The container of the pod.'),
  follow: q('follow', 'Stream the log as it grows.', 'boolean'),
  limitBytes: q('limitBytes', 'Stop after this many bytes of log.', 'integer'),
  previous: q('previous', 'The log of the previous, terminated container instance.', 'boolean'),
  sinceSeconds: q('sinceSeconds', 'Only log lines newer than this many seconds.', 'integer'),
  tailLines: q('tailLines', 'Only this many lines from the end of the log.', 'integer'),
  timestamps: q('timestamps', 'Prefix every log line with its RFC3339 timestamp.', 'boolean'),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETE_COLLECTION_PARAMS = [P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents, P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds];
const PATCH_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const LOG_PARAMS = [P.container, P.follow, P.limitBytes, P.previous, P.sinceSeconds, P.tailLines, P.timestamps];

const pathParam = (name: string, description: string): ParamSpec => ({ name, in: 'path', type: 'string', description });
const NAME = (kind: string) => pathParam('name', `name of the ${kind}`);
const NAMESPACE = pathParam('namespace', 'object name and auth scope, such as for teams and projects');

/** `api/v1`, `apis/apps/v1`: the group-version's path prefix (without the leading slash). */
export function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** Kubernetes' operation-id spelling of a group-version: CoreV1, AppsV1, StorageV1, RbacAuthorizationV1. */
export function gvId(group: string, version: string): string {
  const g = group ? group.replace(/\.k8s\.io$/, '').split(/[.-]/) : ['core'];
  return [...g, version].map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('');
}

export function gvTag(group: string, version: string): string {
  return `${group ? group.replace(/\.k8s\.io$/, '').replace(/[.-]/g, '_') : 'core'}_${version}`;
}

const ok = (schema?: string): ResponseSpec => ({ code: '200', description: 'OK', schema });
const created = (schema?: string): ResponseSpec => ({ code: '201', description: 'Created', schema });
const accepted = (schema?: string): ResponseSpec => ({ code: '202', description: 'Accepted', schema });

type ItemVerb = 'read' | 'replace' | 'delete' | 'patch' | 'create';

/** Method, action, parameters, body and responses of the single-object operations. */
const ITEM_OPS: Record<ItemVerb, (schema: string | undefined) => Pick<OpSpec, 'method' | 'action' | 'params' | 'body' | 'responses'>> = {
  read: (schema) => ({ method: 'get', action: 'get', params: [], responses: [ok(schema)] }),
  replace: (schema) => ({ method: 'put', action: 'put', params: WRITE_PARAMS, body: { schema, required: true }, responses: [ok(schema), created(schema)] }),
  delete: (schema) => ({ method: 'delete', action: 'delete', params: DELETE_PARAMS, body: { schema: DELETE_OPTIONS, required: false }, responses: [ok(schema), accepted(schema)] }),
  patch: (schema) => ({ method: 'patch', action: 'patch', params: PATCH_PARAMS, body: { patch: true, required: true }, responses: [ok(schema), created(schema)] }),
  create: (schema) => ({ method: 'post', action: 'post', params: WRITE_PARAMS, body: { schema, required: true }, responses: [ok(schema), created(schema), accepted(schema)] }),
};
const ITEM_DESCRIPTIONS: Record<ItemVerb, string> = { read: 'read', replace: 'replace', delete: 'delete', patch: 'partially update', create: 'create' };
/** Discovery verb of each single-object operation. */
const ITEM_VERBS: Record<ItemVerb, string> = { read: 'get', replace: 'update', delete: 'delete', patch: 'patch', create: 'create' };

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Every path of one resource; `findKind` names the definition of a subresource's kind. */
export function resourcePaths(def: ResourceDef, findKind: (gvk: Gvk) => string | undefined): PathSpec[] {
  const { group, version, kind, plural } = def;
  const verbs = new Set(def.verbs ?? DEFAULT_VERBS);
  const gvk: Gvk = { group, version, kind };
  const id = gvId(group, version);
  const tag = gvTag(group, version);
  const scope = def.namespaced ? 'Namespaced' : '';
  const base = `/${gvPath(group, version)}${def.namespaced ? '/namespaces/{namespace}' : ''}/${plural}`;
  const nsParams = def.namespaced ? [NAMESPACE] : [];
  const itemParams = [NAME(kind), ...nsParams, P.pretty];
  const obj = def.schemaName;
  const list = `${obj}List`;
  const out: PathSpec[] = [];

  /** An operation on one object or one of its subresources (`sub`: status, scale, binding...). */
  const itemOp = (verb: ItemVerb, o: { schema: string | undefined; sub?: string; gvk?: Gvk }): OpSpec => {
    const what = o.sub ? `${o.sub} of ` : '';
    const description = verb === 'create' ? `create ${what}a ${kind}` : verb === 'delete' ? `delete a ${kind}` : `${ITEM_DESCRIPTIONS[verb]} ${what}the specified ${kind}`;
    const operationId = `${verb}${id}${scope}${kind}${o.sub ? capitalize(o.sub) : ''}`;
    return { ...ITEM_OPS[verb](o.schema), operationId, description, gvk: o.gvk ?? gvk, tag };
  };
  const listOp = (operationId: string): OpSpec => ({
    method: 'get', operationId, description: `list or watch objects of kind ${kind}`, action: 'list', gvk, tag,
    params: LIST_PARAMS, responses: [ok(list)], watchable: true,
  });

  const collection: OpSpec[] = [];
  if (verbs.has('list')) collection.push(listOp(`list${id}${scope}${kind}`));
  if (verbs.has('create')) collection.push(itemOp('create', { schema: obj }));
  if (verbs.has('deletecollection')) {
    collection.push({
      method: 'delete', operationId: `delete${id}Collection${scope}${kind}`, description: `delete collection of ${kind}`,
      action: 'deletecollection', gvk, tag, params: DELETE_COLLECTION_PARAMS,
      body: { schema: DELETE_OPTIONS, required: false }, responses: [ok(STATUS)],
    });
  }
  if (collection.length) out.push({ path: base, params: [...nsParams, P.pretty], ops: collection });

  const item = (['read', 'replace', 'delete', 'patch'] as const).filter((v) => verbs.has(ITEM_VERBS[v])).map((v) => itemOp(v, { schema: obj }));
  if (item.length) out.push({ path: `${base}/{name}`, params: itemParams, ops: item });

  if (def.namespaced && verbs.has('list')) {
    out.push({ path: `/${gvPath(group, version)}/${plural}`, params: [P.pretty], ops: [listOp(`list${id}${kind}ForAllNamespaces`)] });
  }

  const rw = ['read', 'replace', 'patch'] as const;
  if (def.hasStatus) {
    out.push({ path: `${base}/{name}/status`, params: itemParams, ops: rw.map((v) => itemOp(v, { schema: obj, sub: 'status' })) });
  }
  if (def.scale) {
    out.push({ path: `${base}/{name}/scale`, params: itemParams, ops: rw.map((v) => itemOp(v, { schema: SCALE, sub: 'scale', gvk: SCALE_GVK })) });
  }

  for (const extra of def.extraSubresources ?? []) {
    const xGvk: Gvk = { group: extra.group ?? group, version: extra.version ?? version, kind: extra.kind };
    const ops: OpSpec[] = [];
    if (extra.kind.endsWith('Options')) {
      // exec, attach, portforward, proxy: streaming "connect" operations on GET and POST.
      for (const [method, verb] of [['get', 'get'], ['post', 'create']] as const) {
        if (!extra.verbs.includes(verb)) continue;
        ops.push({
          method, operationId: `connect${id}${capitalize(method)}${scope}${kind}${capitalize(extra.name)}`,
          description: `connect ${method.toUpperCase()} requests to ${extra.name} of ${kind}`, action: 'connect', gvk: xGvk, tag,
          params: [], responses: [ok('string')],
        });
      }
    } else {
      const schema = findKind(xGvk);
      for (const v of ['read', 'create', 'replace', 'patch'] as const) {
        if (!extra.verbs.includes(ITEM_VERBS[v])) continue;
        const op = itemOp(v, { schema, sub: extra.name, gvk: xGvk });
        // The log is plain text, selected by its own parameters.
        if (extra.name === 'log' && v === 'read') ops.push({ ...op, params: LOG_PARAMS, responses: [ok('string')] });
        else ops.push(op);
      }
    }
    if (ops.length) out.push({ path: `${base}/{name}/${extra.name}`, params: itemParams, ops });
  }
  return out;
}

/** The discovery path of a group-version (`/api/v1/`): its APIResourceList. */
export function discoveryPath(group: string, version: string): PathSpec {
  return {
    path: `/${gvPath(group, version)}/`,
    params: [],
    ops: [{ method: 'get', operationId: `get${gvId(group, version)}APIResources`, description: 'get available resources', action: 'get', params: [], responses: [ok(API_RESOURCE_LIST)], tag: gvTag(group, version) }],
  };
}
