// The node agent's own HTTP server (the kubelet's port 10250), which the API server calls for
// `kubectl logs` and `kubectl exec`:
// - GET /containerLogs/<ns>/<pod>/<container>?follow&tailLines&previous&timestamps&sinceSeconds&
//   sinceTime&limitBytes: the container's log as plain text, streamed with follow (log-reader.ts).
// - /exec/<ns>/<pod>/<container>?command=..&stdin=1&stdout=1&stderr=1&tty=1: a WebSocket speaking
//   the remote-command protocol (v5.channel.k8s.io, or v4): binary messages whose first byte is the
//   channel (0 stdin, 1 stdout, 2 stderr, 3 the final metav1.Status, 4 terminal resize, 255 the v5
//   close signal `[255, 0]` = stdin EOF); the command's exit code travels as a NonZeroExitCode
//   Status, which kubectl turns into its own exit code.
// - GET /healthz.
// Every request needs `Authorization: Bearer <token>` (agent-auth.ts); 401 without it, 503 until
// the agent has read its token. Pods are found by namespace/name among the agent's pods, and the
// kubelet's texts are kept (`container not found ("x")`, `previous terminated container ...`).
// Deliberately absent: attach, port-forward, metrics and the kubelet's read-only endpoints (/pods,
// /stats); TLS (the bearer token authenticates; the network is the operator's to trust).

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { KObject } from '../api/resource.js';
import { bearerMatches } from './agent-auth.js';
import { readContainerLog } from './log-reader.js';
import type { ExecSession, Runtime, RuntimeContainer } from './runtime.js';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export interface AgentServerOptions {
  runtime: Runtime;
  /** The agent's pod by `namespace/name` (its pod source), for the UID and container statuses. */
  pod(key: string): KObject | undefined;
  /** The bearer token requests must carry; undefined until the agent has read it. */
  token(): string | undefined;
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** Poll interval of followed logs (default 1000 ms; fs.watch usually wakes them first). */
  logPollMs?: number;
  now?: () => Date;
  log?: (l: string) => void;
}

class HttpFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const truthy = (v: string | null) => v === '1' || v === 'true';

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v)) throw new HttpFailure(400, `invalid ${name} ${JSON.stringify(v)}: not an integer`);
  return Number(v);
}

/** The latest instance of a container, which logs and exec address. */
function latest(runtime: Runtime, uid: string, name: string): RuntimeContainer | undefined {
  return runtime.pod(uid)?.containers.filter((c) => c.name === name).at(-1);
}

function containerStatus(pod: KObject | undefined, name: string): any {
  const s = pod?.status ?? {};
  return [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? []), ...(s.ephemeralContainerStatuses ?? [])].find((c: any) => c?.name === name);
}

/** Why a container has no current log, in the kubelet's words (validateContainerLogStatus). */
function noLogReason(pod: KObject | undefined, container: string, podName: string): string {
  const st = containerStatus(pod, container);
  if (!st) return `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is not available`;
  const reason = st.state?.waiting?.reason;
  if (reason) return `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is waiting to start: ${reason}`;
  if (st.state?.terminated) return `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is terminated`;
  return `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is waiting to start - no logs yet`;
}

function exitStatus(exitCode: number): object {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** Reads a stream to its end, or until `cutoff` resolves (a background child holding the pipe open). */
function drained(stream: Readable | undefined, cutoff: Promise<void>): Promise<void> {
  if (!stream) return Promise.resolve();
  return Promise.race([
    new Promise<void>((resolve) => {
      if (stream.readableEnded || stream.destroyed) return resolve();
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    }),
    cutoff,
  ]);
}

/** How long output may still arrive after the command exited. */
const DRAIN_AFTER_EXIT_MS = 1000;
/** Output is paused while this much waits to be sent to a slow client. */
const HIGH_WATER = 1024 * 1024;

/** How long a tty exec waits for the client's first terminal size before starting the command. */
const FIRST_RESIZE_WAIT_MS = 500;

/**
 * A tty exec starts its command only once the client's first resize message (kubectl sends it as
 * soon as the stream is up) gave the terminal's size, or after FIRST_RESIZE_WAIT_MS: otherwise a
 * quick command (`stty size`) could run in a default 80x24 terminal before the resize landed.
 * Every message from the upgrade on is held for the relay, in order, until it takes them
 * (`release`): also those that arrive while the command is being started.
 */
function firstResize(ws: WebSocket): Promise<{ size?: { width: number; height: number }; release(): Buffer[] }> {
  const held: Buffer[] = [];
  let size: { width: number; height: number } | undefined;
  let sized = () => undefined as void;
  const hold = (raw: Buffer) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer);
    held.push(data);
    if (data[0] !== 4 || size) return;
    try {
      const s = JSON.parse(data.subarray(1).toString());
      if (Number(s.Width) > 0 && Number(s.Height) > 0) size = { width: Number(s.Width), height: Number(s.Height) };
    } catch {
      return; // a malformed resize is dropped by the relay too
    }
    if (size) sized();
  };
  ws.on('message', hold);
  const release = () => (ws.off('message', hold), held.splice(0));
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      ws.off('close', done);
      resolve({ size, release });
    };
    sized = done;
    const timer = setTimeout(done, FIRST_RESIZE_WAIT_MS);
    ws.once('close', done);
  });
}

/** Pumps an exec session through a remote-command WebSocket, then sends its Status and closes. */
async function relayExec(ws: WebSocket, session: ExecSession, early: Buffer[] = []): Promise<number> {
  let exited = false;
  const streams = [session.stdout, session.stderr].filter((s): s is Readable => !!s);
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true }, () => {
      if (ws.bufferedAmount < HIGH_WATER) for (const s of streams) s.resume();
    });
    if (ws.bufferedAmount >= HIGH_WATER) for (const s of streams) s.pause();
  };
  session.stdin?.on('error', () => undefined);
  const onMessage = (raw: Buffer) => {
    const data = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as ArrayBuffer);
    if (!data.length) return;
    const body = data.subarray(1);
    if (data[0] === 0) session.stdin?.write(body);
    else if (data[0] === 4) {
      try {
        const size = JSON.parse(body.toString());
        session.resize({ width: Number(size.Width) || 0, height: Number(size.Height) || 0 });
      } catch {
        // A malformed resize is dropped, as the kubelet drops it.
      }
    } else if (data[0] === 255 && body[0] === 0) session.stdin?.end();
  };
  for (const m of early) onMessage(m);
  ws.on('message', onMessage);
  ws.on('close', () => {
    if (!exited) session.kill();
    session.stdin?.destroy();
  });
  session.stdout.on('data', (d: Buffer) => send(1, d));
  session.stderr?.on('data', (d: Buffer) => send(2, d));
  const { exitCode } = await session.exit;
  exited = true;
  const cutoff = new Promise<void>((r) => setTimeout(r, DRAIN_AFTER_EXIT_MS).unref());
  await Promise.all(streams.map((s) => drained(s, cutoff)));
  send(3, Buffer.from(JSON.stringify(exitStatus(exitCode))));
  if (ws.readyState === ws.OPEN) ws.close(1000);
  return exitCode;
}

export class AgentServer {
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => EXEC_PROTOCOLS.find((p) => offered.has(p)) ?? false });
  private readonly sockets = new Set<Socket>();

  constructor(private readonly opts: AgentServerOptions) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => void this.upgrade(req, socket, head));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '0.0.0.0', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.wss.clients) c.terminate();
    for (const s of this.sockets) s.destroy();
    await done;
  }

  private authenticate(req: http.IncomingMessage): void {
    const token = this.opts.token();
    if (!token) throw new HttpFailure(503, 'the node agent has not read its credentials yet');
    if (!bearerMatches(req.headers.authorization, token)) throw new HttpFailure(401, 'Unauthorized');
  }

  /** `/<verb>/<ns>/<pod>/<container>` → the pod (by its UID) and container. */
  private target(segs: string[]): { pod: KObject | undefined; uid: string; ns: string; name: string; container: string } {
    const [ns, name, container] = segs.slice(1).map(decodeURIComponent);
    if (!ns || !name || !container || segs.length !== 4) throw new HttpFailure(404, `unknown path /${segs.join('/')}`);
    const pod = this.opts.pod(`${ns}/${name}`);
    const uid = pod?.metadata?.uid ?? this.opts.runtime.pods().find((p) => p.namespace === ns && p.name === name)?.uid;
    if (!uid) throw new HttpFailure(404, `pod ${JSON.stringify(name)} cannot be found - no logs available`);
    return { pod, uid, ns, name, container };
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    const segs = url.pathname.split('/').filter(Boolean);
    const fail = (code: number, message: string) => {
      if (!res.headersSent) res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(message);
      this.opts.log?.(`${req.method} ${url.pathname} => ${code} ${message}`);
    };
    try {
      this.authenticate(req);
      if (url.pathname === '/healthz') return void res.end('ok');
      if (segs[0] === 'exec') throw new HttpFailure(400, `exec needs a WebSocket upgrade (${EXEC_PROTOCOLS.join(', ')})`);
      if (segs[0] !== 'containerLogs' || req.method !== 'GET') throw new HttpFailure(404, `unknown path ${url.pathname}`);
      await this.containerLogs(this.target(segs), { query: url.searchParams, req, res });
    } catch (e) {
      if (e instanceof HttpFailure) fail(e.code, e.message);
      else if (!res.headersSent) fail(500, (e as Error).message);
      else res.destroy();
    }
  }

  private async containerLogs(
    t: ReturnType<AgentServer['target']>,
    io: { query: URLSearchParams; req: http.IncomingMessage; res: http.ServerResponse },
  ): Promise<void> {
    const { runtime } = this.opts;
    const q = io.query;
    if (!runtime.logPath) throw new HttpFailure(400, `the ${runtime.type} runtime runs no processes: logs are not available for pod ${JSON.stringify(t.name)}`);
    const previous = truthy(q.get('previous'));
    const path = runtime.logPath({ podUid: t.uid, container: t.container, previous });
    if (!path) {
      const why = previous
        ? `previous terminated container ${JSON.stringify(t.container)} in pod ${JSON.stringify(t.name)} not found`
        : noLogReason(t.pod, t.container, t.name);
      throw new HttpFailure(400, why);
    }
    const sinceSeconds = intParam(q, 'sinceSeconds');
    const sinceTime = q.get('sinceTime');
    const since = sinceTime ? new Date(sinceTime) : sinceSeconds !== undefined ? new Date((this.opts.now?.() ?? new Date()).getTime() - sinceSeconds * 1000) : undefined;
    if (since && Number.isNaN(since.getTime())) throw new HttpFailure(400, `invalid sinceTime ${JSON.stringify(sinceTime)}`);
    const instance = latest(runtime, t.uid, t.container);
    const ac = new AbortController();
    io.res.once('close', () => ac.abort());
    io.res.writeHead(200, { 'content-type': 'text/plain' });
    io.res.flushHeaders();
    const follow = truthy(q.get('follow'));
    for await (const chunk of readContainerLog(path, {
      follow,
      tailLines: intParam(q, 'tailLines'),
      limitBytes: intParam(q, 'limitBytes'),
      since,
      timestamps: truthy(q.get('timestamps')),
      signal: ac.signal,
      pollMs: this.opts.logPollMs,
      // Following ends with the instance: when it exits, or a newer one replaces it.
      finished: () => {
        if (previous || !instance) return true;
        const now = latest(runtime, t.uid, t.container);
        return now?.id !== instance.id || now.phase === 'exited';
      },
    })) {
      if (!io.res.write(chunk)) await new Promise((r) => (io.res.once('drain', r), io.res.once('close', r)));
      if (ac.signal.aborted) break;
    }
    io.res.end();
  }

  private async upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    const reject = (code: number, message: string) => {
      const body = Buffer.from(message);
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${message}`);
      this.opts.log?.(`EXEC ${url.pathname} => ${code} ${message}`);
    };
    let session: ExecSession | undefined;
    try {
      this.authenticate(req);
      const segs = url.pathname.split('/').filter(Boolean);
      if (segs[0] !== 'exec') throw new HttpFailure(404, `unknown path ${url.pathname}`);
      const t = this.target(segs);
      const q = url.searchParams;
      const tty = truthy(q.get('tty'));
      const stdin = truthy(q.get('stdin')) || truthy(q.get('input'));
      const stdout = truthy(q.get('stdout')) || truthy(q.get('output'));
      const stderr = !tty && (truthy(q.get('stderr')) || truthy(q.get('error')));
      if (!stdin && !stdout && !stderr) throw new HttpFailure(400, 'you must specify at least 1 of stdin, stdout, stderr');
      const command = q.getAll('command');
      if (!command.length) throw new HttpFailure(400, 'you must specify at least one command for the container');
      const { runtime } = this.opts;
      if (!runtime.exec) throw new HttpFailure(400, `the ${runtime.type} runtime runs no processes: exec is not available for pod ${JSON.stringify(t.name)}`);
      if (latest(runtime, t.uid, t.container)?.phase !== 'running') throw new HttpFailure(404, `container not found (${JSON.stringify(t.container)})`);
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (!EXEC_PROTOCOLS.some((p) => offered.includes(p))) throw new HttpFailure(400, `exec needs one of the WebSocket subprotocols ${EXEC_PROTOCOLS.join(', ')}`);
      const start = async (size?: { width: number; height: number }): Promise<ExecSession> => {
        let s: ExecSession;
        try {
          s = await runtime.exec!({ podUid: t.uid, container: t.container, command, tty, stdin, size });
        } catch (e) {
          throw new HttpFailure(400, (e as Error).message);
        }
        if (!stdout) s.stdout.resume();
        if (!stderr) s.stderr?.resume();
        return s;
      };
      // Without a terminal the command starts before the upgrade, so a failure is an HTTP answer;
      // with one it waits for the client's terminal size, and a failure is the stream's Status.
      if (!tty) session = await start();
      const before = session;
      let upgraded = false;
      socket.once('close', () => upgraded || before?.kill());
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        upgraded = true;
        const started = Date.now();
        const relay = async (): Promise<number> => {
          if (before) return relayExec(ws, before);
          const { size, release } = await firstResize(ws);
          let s: ExecSession;
          try {
            s = await start(size);
          } catch (e) {
            if (ws.readyState === ws.OPEN) {
              ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: 'Failure', message: (e as Error).message }))]), { binary: true });
              ws.close(1000);
            }
            throw e;
          }
          if (ws.readyState !== ws.OPEN) s.kill();
          return relayExec(ws, s, release());
        };
        void relay().then(
          (code) => this.opts.log?.(`EXEC ${t.ns}/${t.name}/${t.container} ${JSON.stringify(command)} => exit ${code} ${Date.now() - started}ms`),
          (e) => this.opts.log?.(`EXEC ${t.ns}/${t.name}/${t.container} => ${(e as Error).message}`),
        );
      });
    } catch (e) {
      session?.kill();
      if (e instanceof HttpFailure) reject(e.code, e.message);
      else reject(500, (e as Error).message);
    }
  }
}
