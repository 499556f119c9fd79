// A small REST client for the Kubernetes API over a Transport: CRUD, patch, list and watch by
// resource, with failures surfaced as ApiError carrying the server's Status. Controllers, the
// scheduler and node agents use only this to reach the API server.

import { ApiError } from '../api/errors.js';
import type { Status } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { ClientRequest, Transport } from './transport.js';

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export interface WatchEventOf<T = KObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface ListResult<T = KObject> {
  items: T[];
  resourceVersion: string;
}

export function resourcePath(r: ResourceRef, namespace?: string, name?: string, sub?: string): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (sub) p += `/${sub}`;
  return p;
}

function toError(status: number, body: string): ApiError {
  try {
    const s = JSON.parse(body) as Status;
    if (s && s.kind === 'Status') return new ApiError(s);
  } catch {
    // not a Status: fall through
  }
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: status, message: body.slice(0, 500) });
}

export class Client {
  private quiet: Client | undefined;

  constructor(
    readonly transport: Transport,
    /** Answers are not decoded: every call resolves to undefined once the server acknowledged it. */
    private readonly discardAnswers = false,
  ) {}

  /**
   * This client, for writes whose answer the caller does not read (events, status reports): the
   * call resolves when the write is acknowledged, and the answer's JSON is never parsed. Errors
   * are reported as usual.
   */
  writesOnly(): Client {
    return (this.quiet ??= new Client(this.transport, true));
  }

  async raw(req: ClientRequest): Promise<any> {
    const res = await this.transport.request(this.discardAnswers ? { ...req, statusOnly: true } : req);
    if (res.status >= 300) throw toError(res.status, res.body);
    if (this.discardAnswers) return undefined;
    return res.body ? JSON.parse(res.body) : undefined;
  }

  get<T = KObject>(r: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.raw({ method: 'GET', path: resourcePath(r, namespace, name) });
  }

  async list<T = KObject>(r: ResourceRef, namespace?: string, query: Record<string, string | undefined> = {}): Promise<ListResult<T>> {
    const l = await this.raw({ method: 'GET', path: resourcePath(r, namespace), query });
    return { items: l.items ?? [], resourceVersion: l.metadata?.resourceVersion ?? '' };
  }

  create<T = KObject>(r: ResourceRef, namespace: string | undefined, obj: KObject, query: Record<string, string> = {}): Promise<T> {
    return this.raw({ method: 'POST', path: resourcePath(r, namespace), body: JSON.stringify(obj), query, headers: { 'content-type': 'application/json' } });
  }

  update<T = KObject>(r: ResourceRef, obj: KObject, sub?: string): Promise<T> {
    const m = obj.metadata ?? {};
    return this.raw({ method: 'PUT', path: resourcePath(r, m.namespace, m.name!, sub), body: JSON.stringify(obj), headers: { 'content-type': 'application/json' } });
  }

  patch<T = KObject>(
    r: ResourceRef,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    opts: { type?: 'merge' | 'strategic' | 'json'; sub?: string } = {},
  ): Promise<T> {
    const ct =
      opts.type === 'json' ? 'application/json-patch+json' : opts.type === 'strategic' ? 'application/strategic-merge-patch+json' : 'application/merge-patch+json';
    return this.raw({ method: 'PATCH', path: resourcePath(r, namespace, name, opts.sub), body: JSON.stringify(patch), headers: { 'content-type': ct } });
  }

  delete(r: ResourceRef, namespace: string | undefined, name: string, options: Record<string, unknown> = {}): Promise<unknown> {
    return this.raw({ method: 'DELETE', path: resourcePath(r, namespace, name), body: JSON.stringify(options), headers: { 'content-type': 'application/json' } });
  }

  deleteCollection(r: ResourceRef, namespace: string | undefined, query: Record<string, string> = {}): Promise<unknown> {
    return this.raw({ method: 'DELETE', path: resourcePath(r, namespace), query });
  }

  /** Watch events until the server ends the stream or the signal aborts. */
  async *watch<T = KObject>(
    r: ResourceRef,
    namespace: string | undefined,
    query: Record<string, string | undefined>,
    signal: AbortSignal,
  ): AsyncGenerator<WatchEventOf<T>> {
    const res = await this.transport.stream({ method: 'GET', path: resourcePath(r, namespace), query: { ...query, watch: 'true' }, signal });
    if (res.status !== 200) throw toError(res.status, res.body ?? '');
    if (res.events) {
      for await (const batch of res.events) {
        for (const ev of batch) yield ev as WatchEventOf<T>;
        if (signal.aborted) return;
      }
      return;
    }
    let buf = '';
    for await (const chunk of res.chunks) {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) yield JSON.parse(line) as WatchEventOf<T>;
      }
      if (signal.aborted) return;
    }
  }
}
