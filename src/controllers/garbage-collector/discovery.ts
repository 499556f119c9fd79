// What the garbage collector can see and address, read from aggregated discovery: the resources it
// watches (every resource, in its group's preferred version, that can be listed, watched and
// deleted — kube's GetDeletableResources — minus the events Kubernetes' collector ignores), and
// the kind → resource mapping that turns an ownerReference's apiVersion/kind into something to GET.
// Deliberately absent: legacy (non-aggregated) discovery; berth always serves the aggregated form.

import type { Client, ResourceRef } from '../../client/client.js';

const ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** kube's garbagecollector.DefaultIgnoredResources: events never own anything worth collecting. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

/** A served resource with the kind it holds. */
export interface KindResource {
  ref: ResourceRef;
  kind: string;
  verbs: string[];
}

/** The watched resources and the kind mapping, from one discovery read. */
export class ResourceMap {
  /** `group/kind` → the kind's resource in each served version, preferred version first. */
  private readonly byKind = new Map<string, KindResource[]>();

  constructor(readonly all: KindResource[]) {
    for (const r of all) {
      const k = `${r.ref.group}/${r.kind}`;
      const list = this.byKind.get(k);
      if (list) list.push(r);
      else this.byKind.set(k, [r]);
    }
  }

  /** Resources to watch: one version per group and resource, able to list, watch and delete. */
  watchable(): KindResource[] {
    const seen = new Set<string>();
    const out: KindResource[] = [];
    for (const r of this.all) {
      const id = `${r.ref.group}/${r.ref.plural}`;
      if (seen.has(id)) continue;
      seen.add(id);
      if (IGNORED.has(id)) continue;
      if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
      out.push(r);
    }
    return out;
  }

  /**
   * The resource an ownerReference names. An owner is the same object in every version of its
   * group, so a reference written with a version the server no longer serves still resolves (to
   * the preferred one) instead of failing for ever as Kubernetes' REST mapper does.
   */
  forReference(apiVersion: string, kind: string): KindResource | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    const list = this.byKind.get(`${group}/${kind}`);
    if (!list) return undefined;
    return list.find((r) => r.ref.version === version) ?? list[0];
  }
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Reads aggregated discovery (/api and /apis), versions in the server's preference order. */
export async function discoverResources(client: Client): Promise<ResourceMap> {
  const all: KindResource[] = [];
  for (const path of ['/api', '/apis']) {
    const doc = await client.raw({ method: 'GET', path, headers: { accept: ACCEPT } });
    for (const g of doc?.items ?? []) {
      const group: string = g.metadata?.name ?? '';
      for (const v of g.versions ?? []) {
        for (const r of v.resources ?? []) {
          if (!r?.resource || String(r.resource).includes('/')) continue;
          all.push({
            ref: { group, version: v.version, plural: r.resource, namespaced: r.scope === 'Namespaced' },
            kind: r.responseKind?.kind ?? '',
            verbs: Array.isArray(r.verbs) ? r.verbs : [],
          });
        }
      }
    }
  }
  return new ResourceMap(all);
}
