// One list+watch loop over a resource selection, for the agent's own streams (its pods, and the
// VolumeAttachments while a pod waits for one): list, then watch from the list's
// resourceVersion with bookmarks; re-watch from the last resourceVersion when a stream ends;
// re-list on 410 Expired; retry after `retryMs` on any other failure. Runs until the signal aborts.
// Deliberately absent: a cache (each user keeps the index it needs).

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { Client, ResourceRef } from '../client/client.js';

export interface ListWatchHandlers {
  /** Every object of a (re-)list; the previous state is replaced. */
  onList(items: KObject[]): void;
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KObject): void;
}

export async function runListWatch(
  client: Client,
  opts: { resource: ResourceRef; query: Record<string, string>; signal: AbortSignal; handlers: ListWatchHandlers; retryMs?: number; log?: (l: string) => void },
): Promise<void> {
  const { signal, handlers } = opts;
  let rv = '';
  while (!signal.aborted) {
    try {
      if (!rv) {
        const l = await client.list<KObject>(opts.resource, undefined, opts.query);
        rv = l.resourceVersion;
        handlers.onList(l.items);
      }
      for await (const ev of client.watch<KObject>(opts.resource, undefined, { ...opts.query, resourceVersion: rv, allowWatchBookmarks: 'true' }, signal)) {
        if (ev.type === 'ERROR') {
          if ((ev.object as any).code === 410) rv = '';
          break;
        }
        rv = ev.object.metadata?.resourceVersion ?? rv;
        if (ev.type !== 'BOOKMARK') handlers.onEvent(ev.type, ev.object);
      }
    } catch (e) {
      if (signal.aborted) return;
      if (isApiError(e) && e.code === 410) rv = '';
      opts.log?.(`WATCH ${opts.resource.plural} ${JSON.stringify(opts.query)} => ${(e as Error).message}; retrying`);
      await new Promise((r) => setTimeout(r, opts.retryMs ?? 1000).unref());
    }
  }
}
