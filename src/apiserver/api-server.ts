// The API server core: owns the store, the watch cache and one registry per served resource, and
// routes a transport-neutral ApiRequest to discovery, OpenAPI, health, or a resource handler.
// Every failure leaves here as a metav1.Status. Protocol upgrades (exec over WebSocket) arrive at
// upgrade(), which routes them and leaves the socket work to handlers/pod-exec.ts.
// Deliberately absent: sockets otherwise (http-server.ts) and authentication (berth serves a
// single trusted user for now).

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ResourceDef } from '../api/resource.js';
import { ApiError, internalError, methodNotSupported, notFound, serviceUnavailable } from '../api/errors.js';
import type { Store } from '../store/store.js';
import { openStore } from '../store/open.js';
import { WatchCache } from './watch-cache.js';
import type { ApiRequest, ApiResponse } from './request.js';
import { jsonResponse } from './request.js';
import { ResourceStore, gr } from './registry/resource-store.js';
import type { AdmissionPlugin, FieldManager } from './registry/resource-store.js';
import type { HandlerContext, ServerParts } from './handlers/context.js';
import { getObject, listObjects } from './handlers/read.js';
import { watchObjects } from './handlers/watch.js';
import { createObject, replaceObject } from './handlers/write.js';
import { patchObject } from './handlers/patch.js';
import { deleteCollection, deleteObject } from './handlers/delete.js';
import { bindingHandler, evictionHandler, finalizeHandler, nodeStreamHandler, scaleHandler } from './handlers/subresources.js';
import { answerOnSocket, execWithoutUpgrade, podExecUpgrade } from './handlers/pod-exec.js';
import { podLogs } from './handlers/pod-logs.js';
import { apiVersionsDoc, buildDiscovery, wantsAggregated } from './discovery.js';
import type { DiscoveryDocs } from './discovery.js';
import { buildOpenApiV2, buildOpenApiV3 } from './openapi.js';
import { OpenApiV2Document } from './openapi-v2-response.js';
import { schemaNode, hasDefinition } from '../api/schema/schemas.js';
import type { SchemaNode } from '../api/schema/node.js';
import { serveVirtual } from './handlers/virtual.js';
import { parseBool } from './query.js';
import { KeyedSerial } from '../util/keyed-serial.js';

export interface ApiServerOptions {
  store: Store;
  resources: ResourceDef[];
  now?: () => Date;
  admission?: AdmissionPlugin[];
  fieldManager?: FieldManager;
  /** Address published in /api's serverAddressByClientCIDRs. */
  serverAddress?: () => string;
  bookmarkIntervalMs?: number;
  /** Text for /metrics. */
  metrics?: () => Promise<string>;
  log?: (line: string) => void;
}

/** Where the API server keeps its state: it opens (and later closes) the store itself. */
export interface StorageOptions {
  kind: 'sqlite' | 'memory';
  dataDir: string;
}

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-berth',
  gitCommit: 'berth',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'node',
  compiler: 'berth',
  platform: 'linux/amd64',
};

interface Route {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  watch: boolean;
}

/** Requests answered later than this are logged (kube-apiserver traces requests over 500 ms). */
const SLOW_REQUEST_MS = 500;

export class ApiServer {
  readonly cache: WatchCache;
  private readonly registries = new Map<string, ResourceStore>();
  private readonly byGvr = new Map<string, ResourceDef>();
  private readonly namespacedPlurals = new Map<string, Set<string>>();
  private readonly parts: ServerParts;
  private discovery!: DiscoveryDocs;
  private openapiV3?: ReturnType<typeof buildOpenApiV3>;
  private openapiV2?: OpenApiV2Document;
  private ready = false;
  private readonly schemas = new Map<string, SchemaNode | undefined>();

  constructor(private readonly opts: ApiServerOptions) {
    const now = opts.now ?? (() => new Date());
    this.cache = new WatchCache(opts.store);
    const deps = { store: opts.store, cache: this.cache, now, admission: opts.admission ?? [], fieldManager: opts.fieldManager, updates: new KeyedSerial() };
    for (const def of opts.resources) {
      const gv = def.group ? `${def.group}/${def.version}` : def.version;
      this.byGvr.set(`${gv}/${def.plural}`, def);
      this.registries.set(`${def.group}/${def.plural}`, new ResourceStore(def, deps));
      if (def.namespaced) {
        let s = this.namespacedPlurals.get(gv);
        if (!s) this.namespacedPlurals.set(gv, (s = new Set()));
        s.add(def.plural);
      }
    }
    this.parts = {
      store: opts.store,
      cache: this.cache,
      now,
      registry: (group, plural) => this.registries.get(`${group}/${plural}`),
      schema: (name) => this.schema(name),
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 30_000,
    };
  }

  private schema(name: string): SchemaNode | undefined {
    if (!this.schemas.has(name)) this.schemas.set(name, hasDefinition(name) ? schemaNode(name) : undefined);
    return this.schemas.get(name);
  }

  /** Opens the store and builds an API server on it (the only way components outside apiserver get one). */
  static async open(storage: StorageOptions, opts: Omit<ApiServerOptions, 'store'>): Promise<ApiServer> {
    const store = await openStore({ kind: storage.kind, dataDir: storage.dataDir });
    return new ApiServer({ ...opts, store });
  }

  /** The store's revision, for start-up messages. */
  storeRevision(): Promise<number> {
    return this.opts.store.currentRevision();
  }

  /** Stops serving and closes the store. */
  async close(): Promise<void> {
    await this.stop();
    await this.opts.store.close();
  }

  registry(group: string, plural: string): ResourceStore | undefined {
    return this.registries.get(`${group}/${plural}`);
  }

  get serverParts(): ServerParts {
    return this.parts;
  }

  async start(): Promise<void> {
    await this.cache.start();
    this.discovery = buildDiscovery(this.opts.resources, this.opts.serverAddress ?? (() => ''));
    this.ready = true;
  }

  async stop(): Promise<void> {
    this.ready = false;
    await this.cache.stop();
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const started = performance.now();
    let r: ApiResponse;
    try {
      r = await this.route(req);
    } catch (e) {
      if (e instanceof ApiError) r = jsonResponse(e.code, JSON.stringify(e.status));
      else {
        this.opts.log?.(`ERROR ${req.method} ${req.path} => ${(e as Error).stack ?? e}`);
        r = jsonResponse(500, JSON.stringify(internalError(e).status));
      }
    }
    // Like kube-apiserver's request traces: an answer (a stream's head, for watches and logs)
    // that took this long is named in the log, so a stall shows where it happened.
    const ms = performance.now() - started;
    if (ms >= SLOW_REQUEST_MS) this.opts.log?.(`SLOW ${req.method} ${req.path}${req.query.size ? `?${req.query}` : ''} => ${r.status} after ${Math.round(ms)} ms`);
    return r;
  }

  /**
   * An HTTP upgrade request (HttpServerOptions.onUpgrade): pods/exec and pods/attach go to the
   * exec relay; anything else (a client asking for h2c, say) is answered as an ordinary request.
   */
  async upgrade(raw: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    const url = new URL(raw.url ?? '/', 'http://berth');
    const ac = new AbortController();
    socket.once('close', () => ac.abort());
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(raw.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const req: ApiRequest = { method: raw.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, signal: ac.signal };
    let r: ApiResponse;
    try {
      const p = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
      const route = this.ready && !this.cache.failure ? this.resolve(p, req.query) : undefined;
      const sub = route?.subresource;
      if (route && route.def.group === '' && route.def.plural === 'pods' && route.namespace && route.name && (sub === 'exec' || sub === 'attach')) {
        const ctx: HandlerContext = { req, def: route.def, rs: this.registries.get(`/pods`)!, namespace: route.namespace, name: route.name, subresource: sub, server: this.parts };
        const outcome = await podExecUpgrade(ctx, { req: raw, socket, head });
        if (outcome !== 'done') this.opts.log?.(`EXEC ${req.path}${url.search} => ${outcome}`);
        return;
      }
      r = await this.handle(req);
    } catch (e) {
      r = e instanceof ApiError ? jsonResponse(e.code, JSON.stringify(e.status)) : jsonResponse(500, JSON.stringify(internalError(e).status));
      if (!(e instanceof ApiError)) this.opts.log?.(`ERROR upgrade ${req.path} => ${(e as Error).stack ?? e}`);
    }
    if (!socket.destroyed) await answerOnSocket(socket, r).catch(() => socket.destroy());
  }

  private async route(req: ApiRequest): Promise<ApiResponse> {
    const p = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    switch (p) {
      case '/version':
        return jsonResponse(200, JSON.stringify(VERSION_INFO, null, 2));
      case '/healthz':
      case '/livez':
        return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'ok' };
      case '/readyz':
        if (!this.ready || this.cache.failure) {
          return { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '[-]watch-cache failed: not ready\nreadyz check failed' };
        }
        return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'ok' };
      case '/metrics':
        return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4' }, body: (await this.opts.metrics?.()) ?? '' };
      case '/api':
        return this.discoveryRoot(req, true);
      case '/apis':
        return this.discoveryRoot(req, false);
      case '/openapi/v2':
        this.openapiV2 ??= new OpenApiV2Document(buildOpenApiV2(this.opts.resources));
        return this.openapiV2.respond(req.headers);
      case '/openapi/v3':
        this.openapiV3 ??= buildOpenApiV3(this.opts.resources);
        return jsonResponse(200, JSON.stringify(this.openapiV3.root));
    }
    if (!this.ready) throw serviceUnavailable('the server is starting up');
    if (this.cache.failure) throw serviceUnavailable(`the watch cache failed: ${this.cache.failure.message}`);
    if (p.startsWith('/openapi/v3/')) return this.openapiDoc(p.slice('/openapi/v3/'.length));
    const legacy = this.discovery.legacy.get(p);
    if (legacy !== undefined && req.method === 'GET') return jsonResponse(200, legacy);
    const route = this.resolve(p, req.query);
    if (!route) throw notFoundPath();
    return this.dispatch(req, route);
  }

  private discoveryRoot(req: ApiRequest, core: boolean): ApiResponse {
    const agg = wantsAggregated(req.headers.accept);
    if (agg) {
      let body = core ? this.discovery.aggregatedCore : this.discovery.aggregatedApis;
      if (agg.includes('v2beta1')) body = body.replaceAll('"apidiscovery.k8s.io/v2"', '"apidiscovery.k8s.io/v2beta1"');
      return { status: 200, headers: { 'content-type': agg, vary: 'Accept' }, body };
    }
    const body = core ? apiVersionsDoc(this.opts.serverAddress?.() ?? '') : this.discovery.legacy.get('/apis')!;
    return { status: 200, headers: { 'content-type': 'application/json', vary: 'Accept' }, body };
  }

  private openapiDoc(gvPath: string): ApiResponse {
    this.openapiV3 ??= buildOpenApiV3(this.opts.resources);
    const doc = this.openapiV3.docs.get(gvPath);
    if (!doc) throw notFoundPath();
    return {
      status: 200,
      headers: { 'content-type': 'application/json', etag: `"${doc.hash}"`, 'cache-control': 'public, immutable' },
      body: doc.body,
    };
  }

  /** Parses /api/v1/... and /apis/<g>/<v>/... resource paths (including legacy /watch/ paths). */
  private resolve(path: string, query: URLSearchParams): Route | undefined {
    const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
    let gv: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 2) {
      gv = segs[1];
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 3) {
      gv = `${segs[1]}/${segs[2]}`;
      rest = segs.slice(3);
    } else return undefined;
    let watch = parseBool(query.get('watch'));
    if (rest[0] === 'watch') {
      watch = true;
      rest = rest.slice(1);
    }
    if (rest.length === 0) return undefined;
    let namespace: string | undefined;
    const nsPlurals = this.namespacedPlurals.get(gv);
    if (rest[0] === 'namespaces' && rest.length >= 3 && nsPlurals?.has(rest[2])) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const def = this.byGvr.get(`${gv}/${rest[0]}`);
    if (!def) return undefined;
    if (rest.length > 3) return undefined;
    return { def, namespace, name: rest[1], subresource: rest[2], watch };
  }

  private async dispatch(req: ApiRequest, route: Route): Promise<ApiResponse> {
    const { def } = route;
    const ctx: HandlerContext = {
      req,
      def,
      rs: this.registries.get(`${def.group}/${def.plural}`)!,
      namespace: route.namespace,
      name: route.name,
      subresource: route.subresource,
      server: this.parts,
    };
    const m = req.method;
    const verbs = def.verbs;
    if (verbs && !verbs.includes('get') && !verbs.includes('list')) return serveVirtual(ctx);
    if (def.namespaced && route.name && !route.namespace) throw notFoundPath();
    if (route.subresource) return this.dispatchSubresource(ctx, route.subresource);
    if (!route.name) {
      if (m === 'GET') return route.watch ? watchObjects(ctx) : listObjects(ctx);
      if (m === 'POST') return createObject(ctx);
      if (m === 'DELETE') return deleteCollection(ctx);
      throw methodNotSupported(gr(def), m.toLowerCase());
    }
    if (route.watch && m === 'GET') {
      req.query.set('fieldSelector', [req.query.get('fieldSelector'), `metadata.name=${route.name}`].filter(Boolean).join(','));
      return watchObjects({ ...ctx, name: undefined });
    }
    switch (m) {
      case 'GET':
        return getObject(ctx);
      case 'PUT':
        return replaceObject(ctx);
      case 'PATCH':
        return patchObject(ctx);
      case 'DELETE':
        return deleteObject(ctx);
      case 'POST':
        throw methodNotSupported(gr(def), 'create');
    }
    throw methodNotSupported(gr(def), m.toLowerCase());
  }

  private dispatchSubresource(ctx: HandlerContext, sub: string): Promise<ApiResponse> | ApiResponse {
    const { def } = ctx;
    const m = ctx.req.method;
    if (sub === 'status' && def.hasStatus) {
      if (m === 'GET') return getObject(ctx);
      if (m === 'PUT') return replaceObject(ctx);
      if (m === 'PATCH') return patchObject(ctx);
      throw methodNotSupported(gr(def), m.toLowerCase());
    }
    if (sub === 'scale' && def.scale) return scaleHandler(ctx);
    const isCore = def.group === '';
    if (isCore && def.plural === 'pods') {
      if (sub === 'binding') return bindingHandler(ctx);
      if (sub === 'eviction') return evictionHandler(ctx);
      if (sub === 'log') return podLogs(ctx);
      if (sub === 'exec' || sub === 'attach') return execWithoutUpgrade(ctx);
      if (sub === 'portforward' || sub === 'proxy') return nodeStreamHandler(ctx);
    }
    if (isCore && def.plural === 'namespaces' && sub === 'finalize') return finalizeHandler(ctx);
    throw notFoundPath();
  }
}

function notFoundPath(): ApiError {
  const e = notFound({ group: '', resource: '' }, '');
  e.status.message = 'the server could not find the requested resource';
  e.status.details = { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] };
  return e;
}

