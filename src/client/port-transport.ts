// A transport across threads: a client on a worker thread (PortTransport) sends its requests to
// the thread that runs the API server (servePort), which answers them through a Transport of its
// own, usually the in-process one in JSON text mode. Requests and answers are plain messages; a
// watch answers with its head, then its chunks as they come, then an end; aborting the request's
// signal (or dropping the chunks) ends it on the serving side. Used to run the simulated node
// agents on their own thread (src/server/agent-thread.ts).
// Deliberately absent: object-mode watches (shared frozen objects cannot cross threads).

import { internalError } from '../api/errors.js';
import type { ClientRequest, ClientResponse, StreamResponse, Transport } from './transport.js';

/** A request as it crosses: everything but the signal. */
type WireRequest = Omit<ClientRequest, 'signal'>;

type Call = { t: 'request' | 'stream'; id: number; req: WireRequest };
export type ToServer = Call | { t: 'abort'; id: number };
export type ToClient =
  | { t: 'response'; id: number; res: ClientResponse }
  | { t: 'head'; id: number; status: number; body?: string }
  | { t: 'chunk'; id: number; data: string }
  | { t: 'end'; id: number };

/** The side of a port either thread holds: a worker's parentPort, or the Worker object itself. */
export interface Port {
  postMessage(m: unknown): void;
  on(event: 'message', listener: (m: any) => void): unknown;
}

function wire(req: ClientRequest): WireRequest {
  const { signal: _s, ...rest } = req;
  return rest;
}

export class PortTransport implements Transport {
  private nextId = 1;
  private readonly calls = new Map<number, (m: ToClient) => void>();

  constructor(private readonly port: Port) {
    port.on('message', (m: ToClient | { t: string; id?: number }) => {
      if (typeof m.id === 'number') this.calls.get(m.id)?.(m as ToClient);
    });
  }

  /** A plain request runs to its answer: Client gives signals only to watches (stream). */
  request(req: ClientRequest): Promise<ClientResponse> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.calls.set(id, (m) => {
        if (m.t !== 'response') return;
        this.calls.delete(id);
        resolve(m.res);
      });
      this.port.postMessage({ t: 'request', id, req: wire(req) } satisfies ToServer);
    });
  }

  stream(req: ClientRequest): Promise<StreamResponse> {
    const id = this.nextId++;
    const queue: string[] = [];
    let ended = false;
    let wake: (() => void) | undefined;
    // Ends the stream here at once (as an aborted fetch does) and tells the serving side.
    const abort = () => {
      if (!ended) this.port.postMessage({ t: 'abort', id } satisfies ToServer);
      ended = true;
      wake?.();
    };
    const self = this;
    async function* chunks(): AsyncGenerator<string> {
      try {
        for (;;) {
          if (queue.length) yield queue.shift()!;
          else if (ended) return;
          else await new Promise<void>((r) => (wake = r));
        }
      } finally {
        abort(); // the consumer stopped reading: end the watch on the serving side
        self.calls.delete(id);
      }
    }
    return new Promise((resolve) => {
      this.calls.set(id, (m) => {
        if (m.t === 'head') {
          if (m.body !== undefined) resolve({ status: m.status, chunks: chunks(), body: m.body });
          else resolve({ status: m.status, chunks: chunks() });
        } else if (m.t === 'chunk') {
          queue.push(m.data);
          wake?.();
        } else if (m.t === 'end') {
          ended = true;
          this.calls.delete(id);
          wake?.();
        }
      });
      req.signal?.addEventListener('abort', abort, { once: true });
      this.port.postMessage({ t: 'stream', id, req: wire(req) } satisfies ToServer);
    });
  }
}

/** Answers a PortTransport's requests through `transport`. Other messages on the port are left alone. */
export function servePort(port: Port, transport: Transport): void {
  const open = new Map<number, AbortController>();
  const post = (m: ToClient) => port.postMessage(m);
  port.on('message', (m: ToServer | { t: string }) => {
    if (m.t === 'abort') open.get((m as { id: number }).id)?.abort();
    else if (m.t === 'request') void answer(m as Call);
    else if (m.t === 'stream') void follow(m as Call);
  });
  async function answer(m: Call): Promise<void> {
    let res: ClientResponse;
    try {
      res = await transport.request(m.req);
    } catch (e) {
      res = { status: 500, headers: {}, body: JSON.stringify(internalError(e).status) };
    }
    // A body nobody reads is not copied across (an agent's status write answers with the whole pod).
    post({ t: 'response', id: m.id, res: m.req.statusOnly && res.status < 300 ? { status: res.status, headers: {}, body: '' } : res });
  }
  async function follow(m: Call): Promise<void> {
    const ac = new AbortController();
    open.set(m.id, ac);
    try {
      const res = await transport.stream({ ...m.req, signal: ac.signal });
      post({ t: 'head', id: m.id, status: res.status, ...(res.body !== undefined ? { body: res.body } : {}) });
      if (res.body === undefined) {
        for await (const data of res.chunks) {
          if (ac.signal.aborted) break;
          post({ t: 'chunk', id: m.id, data });
        }
      }
    } catch {
      // the stream failed or was aborted: the end below tells the client
    } finally {
      open.delete(m.id);
      post({ t: 'end', id: m.id });
    }
  }
}
