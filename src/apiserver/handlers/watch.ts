// WATCH: a chunked stream of JSON events from the watch cache. resourceVersion unset or "0" starts
// with a synthetic ADDED per current object; N resumes after N (410 Expired as an ERROR event
// when N is gone); selectors turn objects entering/leaving the selection into ADDED/DELETED;
// bookmarks, timeoutSeconds, sendInitialEvents, and Table output for `kubectl get -w`.
// A watcher that falls far behind is closed rather than buffering without bound.

import type { KObject } from '../../api/resource.js';
import { badRequest } from '../../api/errors.js';
import type { ApiError } from '../../api/errors.js';
import type { ApiResponse, WatchEvent } from '../request.js';
import type { CacheEvent, CachedObject } from '../watch-cache.js';
import { buildTable, contentTypeOf, includeObjectParam, negotiate, partialMetadata } from '../output.js';
import type { OutputKind } from '../output.js';
import { apiVersionOf } from './context.js';
import type { HandlerContext } from './context.js';
import { fieldGetter, matches, parseFilter, parseRv, waitFresh } from './read.js';
import type { Filter } from './read.js';
import type { WatchScope } from '../watch-cache.js';
import { prefixFor } from '../registry/resource-store.js';
import { expired } from '../../api/errors.js';
import { parseBool } from '../query.js';

const MAX_QUEUED = 10000;

/** Plain-JSON event lines, built once per object version and type and shared by every watcher. */
const lines = new WeakMap<CachedObject, Partial<Record<string, string>>>();
function jsonLine(type: string, c: CachedObject): string {
  let byType = lines.get(c);
  if (!byType) lines.set(c, (byType = {}));
  return (byType[type] ??= `{"type":"${type}","object":${c.json}}\n`);
}

/** A JSON (or Table) line, or in object mode an event carrying the shared object. */
type Line = string | WatchEvent;

class Queue {
  private items: Line[] = [];
  private wake: (() => void) | undefined;
  /** The consumer has taken everything and waits for more (so it is not writing, nor held up). */
  private idle = false;
  /** The transport's synchronous writer (ApiResponse.attachWriter); false answers park it. */
  private direct: ((l: string) => boolean) | undefined;
  private directOk = false;
  closed = false;
  push(l: Line): void {
    // Straight to the socket while the consumer is idle and the last direct write was taken whole:
    // order holds (nothing is queued) and so does backpressure (a false answer queues what follows).
    if (this.direct && this.directOk && this.idle && this.items.length === 0 && !this.closed && typeof l === 'string') {
      this.directOk = this.direct(l);
      return;
    }
    this.items.push(l);
    this.wake?.();
  }
  attach(write: (l: string) => boolean): void {
    this.direct = write;
    this.directOk = true;
  }
  close(): void {
    this.closed = true;
    this.wake?.();
  }
  get size(): number {
    return this.items.length;
  }
  /** Everything queued since the last turn: as one string (text mode) or as a batch of events. */
  async *drain(): AsyncGenerator<Line[]> {
    for (;;) {
      if (this.items.length) {
        const batch = this.items;
        this.items = [];
        yield batch;
        continue;
      }
      if (this.closed) return;
      // Asked for more with nothing queued: the consumer wrote the last batch (and waited for the
      // socket to drain if it had to), so direct writes may resume.
      this.directOk = true;
      this.idle = true;
      await new Promise<void>((r) => (this.wake = r));
      this.idle = false;
      this.wake = undefined;
    }
  }
}

/** Fields whose equality selectors index a watcher, as kube-apiserver's watch cache triggers do. */
const TRIGGER_FIELDS = ['spec.nodeName', 'metadata.name'];

function watchScope(ctx: HandlerContext, prefix: string, filter: Filter): WatchScope {
  for (const field of TRIGGER_FIELDS) {
    const req = filter.fields.find((r) => r.field === field && r.op === 'eq');
    if (req) return { resource: prefix, trigger: { field, value: req.value, of: (o) => fieldGetter(ctx.def, o)(field) } };
  }
  return { resource: prefix };
}

export async function watchObjects(ctx: HandlerContext): Promise<ApiResponse> {
  const q = ctx.req.query;
  const filter = parseFilter(ctx);
  const out = negotiate(ctx.req.headers.accept);
  const rvParam = parseRv(q.get('resourceVersion'));
  const bookmarks = parseBool(q.get('allowWatchBookmarks'));
  const rawInitial = q.get('sendInitialEvents');
  const sendInitial = rawInitial === null ? null : parseBool(rawInitial) ? 'true' : 'false';
  if (sendInitial === 'true' && q.get('resourceVersionMatch') !== 'NotOlderThan') {
    throw badRequest('sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
  }
  const timeoutParam = q.get('timeoutSeconds');
  let timeoutSec = 1800 + Math.floor(Math.random() * 1800);
  if (timeoutParam !== null && timeoutParam !== '') {
    const n = Number(timeoutParam);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`timeoutSeconds: Invalid value: ${JSON.stringify(timeoutParam)}: must be a non-negative integer`);
    if (n > 0) timeoutSec = n;
  }
  const cache = ctx.server.cache;
  const prefix = prefixFor(ctx.def, ctx.namespace);
  if (rvParam && rvParam > cache.revision) await waitFresh(ctx, rvParam);

  const queue = new Queue();
  // In-process watchers take the cache's frozen objects as they are (JSON output only).
  const objects = ctx.req.objects === true && out.as === 'json';
  let first = true;
  const encode = (type: WatchEvent['type'], c: { obj: KObject; json: string; rv: number; key?: string }): Line => {
    if (objects) return { type, object: c.obj };
    let object: string;
    if (out.as === 'Table') {
      object = buildTable(ctx.def, [c as CachedObject], {
        version: out.version,
        include: includeObjectParam(q),
        now: ctx.server.now().getTime(),
        noHeaders: !first,
        resourceVersion: String(c.rv),
      });
      first = false;
    } else if (out.as === 'PartialObjectMetadata') {
      object = JSON.stringify(partialMetadata(c.obj, out.version));
    } else {
      return jsonLine(type, c as CachedObject);
    }
    return `{"type":"${type}","object":${object}}\n`;
  };
  const bookmark = (rv: number, annotations?: Record<string, string>): Line => {
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (annotations) metadata.annotations = annotations;
    const obj = { kind: ctx.def.kind, apiVersion: apiVersionOf(ctx.def), metadata };
    return objects ? { type: 'BOOKMARK', object: obj } : `{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`;
  };
  const inScope = (c: CachedObject | undefined) => !!c && c.key.startsWith(prefix) && matches(ctx.def, filter, c.obj);

  let lastRv = cache.revision;
  const deliver = (ev: CacheEvent) => {
    if (!ev.object.key.startsWith(prefix)) return;
    lastRv = ev.rv;
    const now = ev.type !== 'DELETED' && inScope(ev.object);
    const before = ev.type !== 'ADDED' && inScope(ev.prev ?? (ev.type === 'DELETED' ? ev.object : undefined));
    if (ev.type === 'DELETED') {
      if (before || inScope(ev.object)) queue.push(encode('DELETED', ev.object));
    } else if (now && before) queue.push(encode('MODIFIED', ev.object));
    else if (now) queue.push(encode('ADDED', ev.object));
    else if (before) {
      // Left the selection: tell the watcher it is gone, with the new resourceVersion.
      queue.push(encode('DELETED', ev.object));
    }
    if (queue.size > MAX_QUEUED) {
      queue.close();
      unsubscribe();
    }
  };

  let backlog: CacheEvent[] = [];
  let initial: CachedObject[] = [];
  let error: ApiError | undefined;
  if (rvParam === undefined || rvParam === 0 || sendInitial === 'true') {
    initial = cache.list(prefix).filter((c) => matches(ctx.def, filter, c.obj));
    if (sendInitial === 'false') initial = [];
  } else {
    const evs = cache.eventsSince(rvParam);
    if (!evs) error = expired(`too old resource version: ${rvParam} (${cache.oldestRevision})`);
    else backlog = evs;
  }
  // Same tick as the snapshot above: no event can slip between them.
  const unsubscribe = error ? () => undefined : cache.subscribe(deliver, watchScope(ctx, prefix, filter));

  if (error) {
    queue.push(objects ? { type: 'ERROR', object: error.status } : `{"type":"ERROR","object":${JSON.stringify(error.status)}}\n`);
    queue.close();
  } else {
    for (const c of initial) queue.push(encode('ADDED', c));
    if (sendInitial === 'true') queue.push(bookmark(cache.revision, { 'k8s.io/initial-events-end': 'true' }));
    for (const ev of backlog) deliver(ev);
  }

  const finish = () => {
    unsubscribe();
    queue.close();
  };
  const timer = setTimeout(finish, timeoutSec * 1000);
  const ticker = bookmarks
    ? setInterval(() => queue.push(bookmark(Math.max(lastRv, cache.revision))), ctx.server.bookmarkIntervalMs)
    : undefined;
  ctx.req.signal.addEventListener('abort', finish, { once: true });

  async function* batches(): AsyncGenerator<Line[]> {
    try {
      yield* queue.drain();
    } finally {
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      finish();
    }
  }
  async function* text(): AsyncGenerator<string> {
    for await (const b of batches()) yield (b as string[]).join('');
  }
  const headers = { 'content-type': contentTypeOf(out as OutputKind), 'transfer-encoding': 'chunked' };
  if (objects) return { status: 200, headers, events: batches() as AsyncIterable<WatchEvent[]>, longRunning: true };
  return { status: 200, headers, stream: text(), longRunning: true, attachWriter: (w) => queue.attach(w) };
}
