// The load generator's HTTP: one keep-alive node:http Agent per phase (so N concurrent clients hold
// N sockets), requests that keep the body only when asked, and a watch stream that timestamps each
// JSON line the moment its bytes arrive and leaves parsing to later, so a watcher's bookkeeping does
// not delay the next watcher's timestamp. Deliberately absent: retries, redirects, TLS and auth.

import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Reply {
  status: number;
  bytes: number;
  /** Present when the caller asked for it, or when the status was not the expected one. */
  body?: string;
}

export interface RequestOptions {
  body?: string;
  accept?: string;
  contentType?: string;
  keepBody?: boolean;
  /** The status that means success; any other keeps the body for the error message. */
  expect?: number;
}

export class LoadClient {
  readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string, opts: { sockets: number }) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.sockets, maxFreeSockets: opts.sockets });
  }

  request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { accept: opts.accept ?? 'application/json' };
      if (opts.body !== undefined) {
        headers['content-type'] = opts.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(opts.body);
      }
      const req = http.request({ host: this.host, port: this.port, method, path, headers, agent: this.agent }, (res) => {
        const status = res.statusCode ?? 0;
        const keep = opts.keepBody || (opts.expect !== undefined && status !== opts.expect);
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (keep) chunks.push(c);
        });
        res.on('end', () => resolve({ status, bytes, body: keep ? Buffer.concat(chunks).toString('utf8') : undefined }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface WatchLine {
  /** performance.now() when the chunk completing this line arrived. */
  at: number;
  line: string;
}

export interface WatchStream {
  lines: WatchLine[];
  /** Resolves when the response headers arrived (the server flushes them at once). */
  opened: Promise<number>;
  close(): void;
}

/** A watch on its own connection (watches hold their socket for as long as they run). */
export function openWatch(baseUrl: string, path: string): WatchStream {
  const u = new URL(baseUrl);
  const lines: WatchLine[] = [];
  let pending = '';
  let req: http.ClientRequest | undefined;
  const opened = new Promise<number>((resolve, reject) => {
    req = http.request({ host: u.hostname, port: Number(u.port), path, agent: false, headers: { accept: 'application/json' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = performance.now();
        pending += chunk;
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          lines.push({ at, line: pending.slice(0, nl) });
          pending = pending.slice(nl + 1);
          nl = pending.indexOf('\n');
        }
      });
      res.on('error', () => undefined);
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e) => reject(e));
    req.end();
  });
  opened.catch(() => undefined);
  return {
    lines,
    opened,
    close: () => req?.destroy(),
  };
}
