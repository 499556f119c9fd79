// The load generator's HTTP: a lean keep-alive HTTP/1.1 connection pool for request/response load
// (N concurrent clients hold N sockets; bodies are kept only when asked), and a raw-socket watch
// stream that timestamps each arrival and leaves de-chunking and parsing to later, so one watcher's
// bookkeeping does not delay the next watcher's timestamp.
// Deliberately absent: pipelining, chunked responses outside watches, retries, redirects, TLS, auth.

import net from 'node:net';
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

/**
 * A pool of keep-alive HTTP/1.1 connections, one request in flight per connection. It writes the
 * request head by hand and reads the response by content-length (berth sets it on every response
 * that is not a stream), so a request costs the client a fraction of what node:http's
 * ClientRequest/IncomingMessage machinery does: on two cores the client shares the machine with
 * the server, and its CPU would otherwise be a large part of what is measured.
 */
export class LoadClient {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly waiting: ((c: Connection) => void)[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly opts: { sockets: number },
  ) {}

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
    const conn = await this.acquire();
    try {
      return await conn.request(method, path, opts);
    } finally {
      this.release(conn);
    }
  }

  close(): void {
    for (const c of this.all) c.close();
  }

  private acquire(): Promise<Connection> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.all.length < this.opts.sockets) {
      const c = new Connection(new URL(this.baseUrl));
      this.all.push(c);
      return Promise.resolve(c);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(c: Connection): void {
    const next = this.waiting.shift();
    if (next) next(c);
    else this.idle.push(c);
  }
}

const HEAD_END = Buffer.from('\r\n\r\n');

class Connection {
  private socket: net.Socket | undefined;
  private current: { resolve: (r: Reply) => void; reject: (e: Error) => void; keep: boolean; expect?: number } | undefined;
  private head: Buffer | undefined;
  private status = 0;
  private length = -1;
  private received = 0;
  private chunks: Buffer[] = [];

  constructor(private readonly url: URL) {}

  request(method: string, path: string, opts: RequestOptions): Promise<Reply> {
    const socket = this.connected();
    let text = `${method} ${path} HTTP/1.1\r\nHost: ${this.url.host}\r\nAccept: ${opts.accept ?? 'application/json'}\r\n`;
    if (opts.body !== undefined) {
      text += `Content-Type: ${opts.contentType ?? 'application/json'}\r\nContent-Length: ${Buffer.byteLength(opts.body)}\r\n`;
    }
    text += `\r\n${opts.body ?? ''}`;
    return new Promise((resolve, reject) => {
      this.current = { resolve, reject, keep: !!opts.keepBody, expect: opts.expect };
      this.head = undefined;
      this.length = -1;
      this.received = 0;
      this.chunks = [];
      socket.write(text);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private connected(): net.Socket {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = net.connect({ host: this.url.hostname, port: Number(this.url.port) });
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    const fail = (e: Error): void => {
      if (this.socket !== socket) return; // an earlier socket closing late
      const cur = this.current;
      this.current = undefined;
      this.socket = undefined;
      cur?.reject(e);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('the server closed the connection')));
    this.socket = socket;
    return socket;
  }

  private onData(d: Buffer): void {
    if (!this.current) return;
    if (this.length < 0) {
      const buf: Buffer = this.head ? Buffer.concat([this.head, d]) : d;
      const end = buf.indexOf(HEAD_END);
      if (end < 0) {
        this.head = buf;
        return;
      }
      const headText = buf.toString('latin1', 0, end);
      this.status = Number(headText.slice(9, 12));
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
      if (!m) {
        this.fail(new Error(`response to a load request has no content-length:\n${headText}`));
        return;
      }
      this.length = Number(m[1]);
      d = buf.subarray(end + 4);
    }
    this.received += d.length;
    if (this.current.keep || (this.current.expect !== undefined && this.status !== this.current.expect)) this.chunks.push(d);
    if (this.received >= this.length) {
      const cur = this.current;
      this.current = undefined;
      const keep = this.chunks.length > 0 || this.length === 0;
      cur.resolve({ status: this.status, bytes: this.length, body: keep ? Buffer.concat(this.chunks).toString('utf8') : undefined });
    }
  }

  private fail(e: Error): void {
    const cur = this.current;
    this.current = undefined;
    this.socket?.destroy();
    this.socket = undefined;
    cur?.reject(e);
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

/**
 * A watch on its own raw connection (watches hold their socket for as long as they run). Arriving
 * bytes are only stamped and copied into one reserved buffer: with 100 watchers in one thread,
 * node:http's parsing of each watcher's chunk delayed the next watcher's timestamp by about 30 us,
 * 3 ms for the last one, and a Buffer per read made the load generator's own collections (external
 * memory pressure) stall it mid-phase; both are the load generator's cost, not the server's.
 * `lines` de-chunks what arrived when it is read, each line stamped with the arrival of the bytes
 * that completed it. `reserveBytes` is the body size to expect (the buffer doubles past it).
 */
export function openWatch(baseUrl: string, path: string, reserveBytes = 256 * 1024): WatchStream {
  const u = new URL(baseUrl);
  let body = Buffer.allocUnsafeSlow(reserveBytes);
  let received = 0;
  /** Per read: when it came (ats) and the body bytes received up to it (ends). */
  const ats: number[] = [];
  const ends: number[] = [];
  let headers: Buffer | undefined = Buffer.alloc(0);
  let onHead: (status: number) => void = () => undefined;
  const keep = (b: Buffer, at: number): void => {
    if (received + b.length > body.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(body.length * 2, received + b.length));
      body.copy(bigger, 0, 0, received);
      body = bigger;
    }
    received += b.copy(body, received);
    ats.push(at);
    ends.push(received);
  };
  // `onread` hands each read to this callback in a reused buffer, without the stream machinery
  // between the socket and 'data'.
  const onRead = (n: number, buf: Buffer): boolean => {
    const at = performance.now();
    let b = buf.subarray(0, n);
    if (headers) {
      headers = Buffer.concat([headers, b]);
      const end = headers.indexOf('\r\n\r\n');
      if (end < 0) return true;
      onHead(Number(/^HTTP\/1\.1 (\d+)/.exec(headers.toString('latin1', 0, end))?.[1] ?? 0));
      b = headers.subarray(end + 4);
      headers = undefined;
    }
    keep(b, at);
    return true;
  };
  const socket = net.connect({ host: u.hostname, port: Number(u.port), onread: { buffer: Buffer.allocUnsafe(64 * 1024), callback: onRead } });
  socket.setNoDelay(true);
  socket.on('error', () => undefined);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: application/json\r\nConnection: close\r\n\r\n`);
  const opened = new Promise<number>((resolve, reject) => {
    onHead = resolve;
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`watch ${path}: connection closed before the response head`)));
  });
  opened.catch(() => undefined);

  const lines: WatchLine[] = [];
  /** Body offset up to which chunks have been parsed. */
  let pos = 0;
  let partial = '';
  let arrival = 0;
  const stampOf = (offset: number): number => {
    while (ends[arrival]! <= offset) arrival++;
    return ats[arrival]!;
  };
  const parse = (): WatchLine[] => {
    for (;;) {
      const eol = body.indexOf('\r\n', pos);
      if (eol < 0 || eol >= received) break;
      const size = parseInt(body.toString('latin1', pos, eol), 16);
      const start = eol + 2;
      if (!(size > 0) || start + size + 2 > received) break;
      let from = start;
      for (let nl = body.indexOf(10, from); nl >= 0 && nl < start + size; nl = body.indexOf(10, from)) {
        lines.push({ at: stampOf(nl), line: partial + body.toString('utf8', from, nl) });
        partial = '';
        from = nl + 1;
      }
      if (from < start + size) partial += body.toString('utf8', from, start + size);
      pos = start + size + 2;
    }
    return lines;
  };
  return {
    get lines() {
      return parse();
    },
    opened,
    close: () => socket.destroy(),
  };
}
