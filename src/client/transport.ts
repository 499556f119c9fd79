// Transports for the client: in-process (inside `berth up`, straight into the API server's
// handler, no sockets) and HTTP (a component in its own process). Both carry the same requests,
// so controllers run unchanged either way (DESIGN invariant 1).

import type { ApiRequest, ApiResponse, WatchEvent } from '../apiserver/request.js';

export interface ClientRequest {
  method: string;
  path: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** The caller reads only the status of a success: a transport may leave a successful answer's body out. */
  statusOnly?: boolean;
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Transport {
  request(req: ClientRequest): Promise<ClientResponse>;
  /**
   * A streamed response: chunks of text until the server or the signal ends it; or, from the
   * in-process transport for a watch, batches of events whose objects are shared and frozen.
   */
  stream(req: ClientRequest): Promise<StreamResponse>;
}

export interface StreamResponse {
  status: number;
  chunks: AsyncIterable<string>;
  events?: AsyncIterable<WatchEvent[]>;
  body?: string;
}

const noChunks = async function* (): AsyncGenerator<string> {};

/** The signal of an in-process request nobody can abort (one shared: making one per request costs). */
const NEVER_ABORTED = new AbortController().signal;

function searchParams(q: ClientRequest['query']): URLSearchParams {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(q ?? {})) if (v !== undefined) sp.set(k, v);
  return sp;
}

export class InProcessTransport implements Transport {
  constructor(
    private readonly handle: (req: ApiRequest) => Promise<ApiResponse>,
    private readonly userAgent = 'berth',
    /** Watches as batches of the cache's shared objects (false: JSON text, as over HTTP). */
    private readonly objectWatches = true,
  ) {}

  private toApi(req: ClientRequest, objects = false): ApiRequest {
    const headers: Record<string, string | undefined> = { 'user-agent': this.userAgent, accept: 'application/json' };
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const text = req.body;
    let bytes: Buffer | undefined;
    return {
      method: req.method,
      path: req.path,
      query: searchParams(req.query),
      headers,
      // Handlers that decode JSON read bodyText; the bytes are made only for one that asks.
      get body() {
        if (text === undefined) return undefined;
        return (bytes ??= Buffer.from(text));
      },
      bodyText: text,
      signal: req.signal ?? NEVER_ABORTED,
      objects,
    };
  }

  async request(req: ClientRequest): Promise<ClientResponse> {
    const res = await this.handle(this.toApi(req));
    let body = res.body === undefined ? '' : res.body.toString();
    if (res.stream) for await (const c of res.stream) body += c;
    return { status: res.status, headers: res.headers ?? {}, body };
  }

  async stream(req: ClientRequest): Promise<StreamResponse> {
    const res = await this.handle(this.toApi(req, this.objectWatches));
    if (res.events) return { status: res.status, chunks: noChunks(), events: res.events };
    if (!res.stream) return { status: res.status, chunks: noChunks(), body: res.body?.toString() ?? '' };
    return { status: res.status, chunks: res.stream };
  }
}

export class HttpTransport implements Transport {
  constructor(
    private readonly server: string,
    private readonly userAgent = 'berth',
  ) {}

  private url(req: ClientRequest): string {
    const q = searchParams(req.query).toString();
    return `${this.server}${req.path}${q ? `?${q}` : ''}`;
  }

  async request(req: ClientRequest): Promise<ClientResponse> {
    const res = await fetch(this.url(req), {
      method: req.method,
      headers: { 'user-agent': this.userAgent, accept: 'application/json', ...req.headers },
      body: req.body,
      signal: req.signal,
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body: await res.text() };
  }

  async stream(req: ClientRequest): Promise<StreamResponse> {
    const res = await fetch(this.url(req), {
      method: req.method,
      headers: { 'user-agent': this.userAgent, accept: 'application/json', ...req.headers },
      signal: req.signal,
    });
    if (!res.body || res.status !== 200) return { status: res.status, chunks: noChunks(), body: await res.text() };
    const body = res.body;
    async function* chunks() {
      const dec = new TextDecoder();
      for await (const c of body as unknown as AsyncIterable<Uint8Array>) yield dec.decode(c, { stream: true });
    }
    return { status: res.status, chunks: chunks() };
  }
}
