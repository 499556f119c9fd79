// The definitions behind the served OpenAPI documents: the generated ones, plus the group-version-
// kinds Kubernetes attaches to its multi-version meta types (Status, DeleteOptions, WatchEvent), plus
// a placeholder for a served kind that has no generated definition; and the closure of the
// definitions one document references. Shared by openapi.ts (v3) and openapi-v2.ts.
// Deliberately absent: document layout; never mutates the generated definitions.

import { createHash } from 'node:crypto';
import type { ResourceDef } from '../api/resource.js';
import type { Definitions, OpenApiSchema } from '../api/schema/schemas.js';
import { definitions } from '../api/schema/schemas.js';
import type { Gvk } from './openapi-paths.js';
import { DELETE_OPTIONS, STATUS, WATCH_EVENT } from './openapi-paths.js';

const GVK = 'x-kubernetes-group-version-kind';
const DEF_REF = '#/definitions/';

export interface ServedDefinitions {
  defs: Definitions;
  /** The definition name of a group-version-kind, when one exists. */
  findKind(gvk: Gvk): string | undefined;
}

/** The definitions with served-API facts added, for one set of served resources. */
export function servedDefinitions(resources: ResourceDef[], source: Definitions = definitions()): ServedDefinitions {
  const defs: Definitions = { ...source };
  const gvs = new Map<string, { group: string; version: string }>([['/v1', { group: '', version: 'v1' }]]);
  for (const r of resources) gvs.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  const perGv = (kind: string) => [...gvs.values()].map((gv) => ({ group: gv.group, kind, version: gv.version }));
  if (defs[STATUS]) defs[STATUS] = { ...defs[STATUS], [GVK]: [{ group: '', kind: 'Status', version: 'v1' }] };
  if (defs[DELETE_OPTIONS]) defs[DELETE_OPTIONS] = { ...defs[DELETE_OPTIONS], [GVK]: perGv('DeleteOptions') };
  if (defs[WATCH_EVENT]) defs[WATCH_EVENT] = { ...defs[WATCH_EVENT], [GVK]: perGv('WatchEvent') };
  for (const r of resources) {
    if (!defs[r.schemaName]) {
      defs[r.schemaName] = placeholder(r.kind, { group: r.group, version: r.version, kind: r.kind });
    }
    const listName = `${r.schemaName}List`;
    if (!defs[listName]) defs[listName] = listPlaceholder(r.schemaName, { group: r.group, version: r.version, kind: `${r.kind}List` });
  }
  const byKind = new Map<string, string>();
  for (const [name, schema] of Object.entries(defs)) {
    const gvks = schema[GVK];
    if (!Array.isArray(gvks) || gvks.length !== 1) continue;
    const g = gvks[0] as Gvk;
    byKind.set(`${g.group}/${g.version}/${g.kind}`, name);
  }
  return { defs, findKind: (g) => byKind.get(`${g.group}/${g.version}/${g.kind}`) };
}

function placeholder(kind: string, gvk: Gvk): OpenApiSchema {
  return {
    description: `${kind} (served by berth without a published schema; any fields are accepted).`,
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    [GVK]: [gvk],
  };
}

function listPlaceholder(item: string, gvk: Gvk): OpenApiSchema {
  return {
    description: `${gvk.kind} is a list of ${gvk.kind.slice(0, -4)}.`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: `${DEF_REF}io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta` },
      items: { type: 'array', items: { $ref: `${DEF_REF}${item}` } },
    },
    [GVK]: [gvk],
  };
}

/** Names of the definitions reachable from `roots` through $refs, sorted. Unknown names are skipped. */
export function reachable(defs: Definitions, roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const work = [...roots];
  while (work.length) {
    const name = work.pop()!;
    if (seen.has(name) || !defs[name]) continue;
    seen.add(name);
    collectRefs(defs[name], work);
  }
  return [...seen].sort();
}

function collectRefs(schema: OpenApiSchema, out: string[]): void {
  if (schema.$ref?.startsWith(DEF_REF)) out.push(schema.$ref.slice(DEF_REF.length));
  if (schema.properties) for (const p of Object.values(schema.properties)) collectRefs(p, out);
  if (schema.items) collectRefs(schema.items, out);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') collectRefs(schema.additionalProperties, out);
}

/** SHA-512 of a document body in upper-case hex, the form kube-apiserver puts in `?hash=`. */
export function docHash(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}
