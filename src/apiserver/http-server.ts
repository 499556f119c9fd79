// The HTTP transport of the API server: node:http in front of ApiServer.handle. Reads bodies with
// the 3 MiB limit (413 beyond it, without buffering the rest), streams watch responses with a
// flush per event, and logs one transcript line per request.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { internalError, requestEntityTooLarge } from '../api/errors.js';
import type { ApiRequest, ApiResponse } from './request.js';
import type { ApiMetrics } from './metrics.js';
import type { IdleCollector } from '../util/idle-gc.js';
import { resourceLabel } from './metrics.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type Handler = (req: ApiRequest) => Promise<ApiResponse>;

export interface HttpServerOptions {
  host?: string;
  port: number;
  log?: (line: string) => void;
  metrics?: ApiMetrics;
  /** Collects young garbage in the gaps between requests (src/util/idle-gc.ts); none when absent. */
  idleCollector?: IdleCollector;
  /** Hook for protocol upgrades (exec over WebSocket, later). */
  onUpgrade?: (req: http.IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void;
}

/** Past this much, an oversized body is cut off instead of drained (a client streaming forever). */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Reads the body, up to MAX_BODY_BYTES. An oversized body is read to its end and dropped, so the
 * client gets its 413 rather than a reset connection halfway through sending.
 */
function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) over = true;
      if (size > MAX_DRAIN_BYTES) {
        req.destroy();
        resolve('too-large');
      }
      if (!over) chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headersOf(req: http.IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Writes r; for a streamed response, `gone` is called when the client goes away first. */
async function writeResponse(res: http.ServerResponse, r: ApiResponse, gone: () => void): Promise<void> {
  for (const [k, v] of Object.entries(r.headers ?? {})) {
    if (k === 'transfer-encoding') continue;
    res.setHeader(k, v);
  }
  if (r.stream) {
    res.writeHead(r.status);
    res.flushHeaders();
    const closed = new Promise<undefined>((resolve) => {
      const close = () => {
        if (!res.writableFinished) gone();
        resolve(undefined);
      };
      if (res.destroyed) close();
      else res.once('close', close);
    });
    // While this loop waits for the next chunk, the producer may write straight to the socket; a
    // false answer (the client is behind) sends it back through the stream until the loop is idle.
    // The chunk goes to the socket as one framed buffer (made once for all the watchers an event
    // reaches, frameOf), after anything res.write put there before (same socket, same order).
    r.attachWriter?.((chunk) => {
      const socket = res.socket;
      if (!socket || res.destroyed || res.writableEnded) return false;
      return socket.write(frameOf(chunk));
    });
    const it = r.stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([it.next(), closed]);
        if (!next || next.done) break;
        if (!res.write(next.value)) await Promise.race([new Promise((r2) => res.once('drain', r2)), closed]);
      }
    } finally {
      await it.return?.(undefined);
      res.end();
    }
    return;
  }
  // Encode once: measuring a large string's UTF-8 length and then encoding it would scan it twice.
  const body = typeof r.body === 'string' && r.body.length > 64 * 1024 ? Buffer.from(r.body) : (r.body ?? '');
  res.setHeader('content-length', typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.writeHead(r.status);
  res.end(body);
}

let lastText: string | undefined;
let lastFrame: Buffer | undefined;

/**
 * The frame of `text`, remembered for the next call: a watch event reaches its watchers one after
 * another in one loop with the same string, so a hundred watchers cost one encoding (the same
 * string compares by identity), and only the last frame is kept alive.
 */
export function frameOf(text: string): Buffer {
  if (text !== lastText || !lastFrame) {
    lastText = text;
    lastFrame = chunkFrame(text);
  }
  return lastFrame;
}

/** `text` as one HTTP/1.1 chunk: size in hex, CRLF, the UTF-8 bytes, CRLF (nothing for ''). */
function chunkFrame(text: string): Buffer {
  const size = Buffer.byteLength(text);
  if (size === 0) return Buffer.alloc(0); // a zero-size chunk would end the body
  const head = `${size.toString(16)}\r\n`;
  const buf = Buffer.allocUnsafe(head.length + size + 2);
  buf.write(head, 0, 'latin1');
  buf.write(text, head.length, 'utf8');
  buf.write('\r\n', head.length + size, 'latin1');
  return buf;
}

export class HttpServer {
  private server: http.Server;
  private sockets = new Set<import('node:net').Socket>();

  constructor(
    private readonly handler: Handler,
    private readonly opts: HttpServerOptions,
  ) {
    this.server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => void this.serve(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    if (opts.onUpgrade) this.server.on('upgrade', opts.onUpgrade);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    // The abort signal is made only for handlers that ask for it (watches) and fired when a streamed
    // response's client goes away (writeResponse). No closure made here may hold req or res: that
    // kept every request's objects alive into the old generation (measured: about 2 MB promoted per
    // young collection at 5,000 GETs/s, pauses of 5-15 ms); without it they die young.
    let ac: AbortController | undefined;
    const signal = () => (ac ??= new AbortController()).signal;
    const url = new URL(req.url ?? '/', 'http://berth');
    let status = 0;
    let streaming = false;
    const idle = this.opts.idleCollector;
    idle?.begin();
    let counted = !!idle;
    try {
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
      let r: ApiResponse;
      if (body === 'too-large') {
        const e = requestEntityTooLarge(`Request entity too large: limit is ${MAX_BODY_BYTES}`);
        r = { status: 413, headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(e.status) };
      } else {
        r = await this.handler({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: headersOf(req),
          body,
          get signal() {
            return signal();
          },
        });
      }
      status = r.status;
      streaming = !!r.longRunning;
      if (streaming) {
        this.opts.metrics?.watches.inc();
        // A watch holds its connection for minutes: the server is idle while it waits.
        if (counted) idle!.end();
        counted = false;
      }
      try {
        await writeResponse(res, r, () => ac?.abort());
      } finally {
        if (streaming) this.opts.metrics?.watches.dec();
      }
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(internalError(e).status));
      } else res.destroy();
      status = 500;
    } finally {
      if (counted) idle!.end();
      const elapsed = performance.now() - started;
      const verb = streaming ? 'WATCH' : (req.method ?? 'GET');
      this.opts.metrics?.observe(verb, resourceLabel(url.pathname), status, elapsed / 1000);
      this.opts.log?.(`${req.method} ${url.pathname}${url.search} => ${status} ${elapsed.toFixed(1)}ms`);
    }
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    this.opts.idleCollector?.stop();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await done;
  }
}
