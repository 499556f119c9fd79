// What a resource handler gets: the resolved route, its registry, and the server's shared parts.

import type { ResourceDef } from '../../api/resource.js';
import type { ApiRequest } from '../request.js';
import type { ResourceStore } from '../registry/resource-store.js';
import type { WatchCache } from '../watch-cache.js';
import type { Store } from '../../store/store.js';
import type { SchemaNode } from '../../api/schema/node.js';

export interface ServerParts {
  store: Store;
  cache: WatchCache;
  now: () => Date;
  /** Registry of another resource, by group and plural. */
  registry(group: string, plural: string): ResourceStore | undefined;
  /** Schema of a definition, for decoding and patching. */
  schema(definitionName: string): SchemaNode | undefined;
  /** Watch bookmark interval (ms). */
  bookmarkIntervalMs: number;
}

export interface HandlerContext {
  req: ApiRequest;
  def: ResourceDef;
  rs: ResourceStore;
  namespace?: string;
  name?: string;
  subresource?: string;
  server: ServerParts;
}

export function apiVersionOf(def: ResourceDef): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}
