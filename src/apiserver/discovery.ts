// API discovery documents built from the served resources: aggregated discovery
// (apidiscovery.k8s.io/v2, chosen by the Accept header) and the legacy APIVersions /
// APIGroupList / APIGroup / APIResourceList documents. Built once at start.

import type { ResourceDef } from '../api/resource.js';

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

export const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface SubresourceFacts {
  name: string;
  kind: string;
  group: string;
  version: string;
  verbs: string[];
}

function subresourcesOf(def: ResourceDef): SubresourceFacts[] {
  const out: SubresourceFacts[] = [];
  if (def.hasStatus) out.push({ name: 'status', kind: def.kind, group: def.group, version: def.version, verbs: ['get', 'patch', 'update'] });
  if (def.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  for (const x of def.extraSubresources ?? []) {
    out.push({ name: x.name, kind: x.kind, group: x.group ?? def.group, version: x.version ?? def.version, verbs: x.verbs });
  }
  return out;
}

function groupVersions(resources: ResourceDef[]): Map<string, Map<string, ResourceDef[]>> {
  const groups = new Map<string, Map<string, ResourceDef[]>>();
  for (const r of resources) {
    let vs = groups.get(r.group);
    if (!vs) groups.set(r.group, (vs = new Map()));
    let list = vs.get(r.version);
    if (!list) vs.set(r.version, (list = []));
    list.push(r);
  }
  return groups;
}

function aggregatedResource(def: ResourceDef): Record<string, unknown> {
  const res: Record<string, unknown> = {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: def.verbs ?? DEFAULT_VERBS,
  };
  if (def.shortNames?.length) res.shortNames = def.shortNames;
  if (def.categories?.length) res.categories = def.categories;
  const subs = subresourcesOf(def);
  if (subs.length) {
    res.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return res;
}

function legacyResources(defs: ResourceDef[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const def of defs) {
    const r: Record<string, unknown> = {
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: def.verbs ?? DEFAULT_VERBS,
    };
    if (def.shortNames?.length) r.shortNames = def.shortNames;
    if (def.categories?.length) r.categories = def.categories;
    out.push(r);
    for (const s of subresourcesOf(def)) {
      const sr: Record<string, unknown> = { name: `${def.plural}/${s.name}`, singularName: '', namespaced: def.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== def.group || s.version !== def.version) {
        sr.group = s.group;
        sr.version = s.version;
      }
      out.push(sr);
    }
  }
  return out;
}

export interface DiscoveryDocs {
  /** path → [aggregated body or undefined, legacy body] */
  aggregatedCore: string;
  aggregatedApis: string;
  legacy: Map<string, string>;
}

/** Version order for a group: the only version we serve per group comes first. */
export function buildDiscovery(resources: ResourceDef[], serverAddress: () => string): DiscoveryDocs {
  const groups = groupVersions(resources);
  const legacy = new Map<string, string>();
  const aggregatedItem = (group: string, vs: Map<string, ResourceDef[]>) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: [...vs.entries()].map(([version, defs]) => ({
      version,
      resources: defs.map(aggregatedResource),
      freshness: 'Current',
    })),
  });
  const core = groups.get('') ?? new Map();
  const aggregatedCore = JSON.stringify({
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [aggregatedItem('', core)],
  });
  const named = [...groups.entries()].filter(([g]) => g !== '');
  const aggregatedApis = JSON.stringify({
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: named.map(([g, vs]) => aggregatedItem(g, vs)),
  });
  legacy.set('/api', ''); // built per request: it names the server address
  const groupList = named.map(([g, vs]) => {
    const versions = [...vs.keys()].map((v) => ({ groupVersion: `${g}/${v}`, version: v }));
    return { name: g, versions, preferredVersion: versions[0] };
  });
  legacy.set('/apis', JSON.stringify({ kind: 'APIGroupList', apiVersion: 'v1', groups: groupList }));
  for (const grp of groupList) {
    legacy.set(`/apis/${grp.name}`, JSON.stringify({ kind: 'APIGroup', apiVersion: 'v1', ...grp }));
  }
  for (const [g, vs] of groups) {
    for (const [v, defs] of vs) {
      const gv = g ? `${g}/${v}` : v;
      const path = g ? `/apis/${g}/${v}` : `/api/${v}`;
      legacy.set(path, JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: legacyResources(defs) }));
    }
  }
  void serverAddress;
  return { aggregatedCore, aggregatedApis, legacy };
}

export function apiVersionsDoc(serverAddress: string): string {
  return JSON.stringify({
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  });
}

/** Whether the client asked for aggregated discovery (v2 or v2beta1), and which content type to answer with. */
export function wantsAggregated(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.startsWith('application/json;')) continue;
    const params = new Map(p.split(';').slice(1).map((kv) => kv.split('=') as [string, string]));
    if (params.get('g') === 'apidiscovery.k8s.io' && params.get('as') === 'APIGroupDiscoveryList') {
      if (params.get('v') === 'v2') return AGGREGATED_CONTENT_TYPE;
      if (params.get('v') === 'v2beta1') return AGGREGATED_V2BETA1;
    }
  }
  return undefined;
}
