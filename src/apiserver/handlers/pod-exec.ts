// pods/exec (kubectl exec) over WebSocket, as kube-apiserver 1.32 serves it: the request is checked
// first and refused with an HTTP Status (`pods "x" not found`, `container x is not valid for pod
// web-0`, `pod web-0 does not have a host assigned`; strategy.go ExecLocation), then the API server
// opens a WebSocket to the pod's node agent (node-connection.ts), completes kubectl's upgrade with
// the best subprotocol both speak (v5.channel.k8s.io, else v4, v3, v2, channel.k8s.io) and relays
// messages both ways until either side ends, with back-pressure. An agent that refuses (its text,
// e.g. `container not found ("x")`) or cannot be reached becomes an InternalError Status on the
// error channel (`unable to upgrade connection: ...`), which kubectl prints as it prints
// Kubernetes' own. v2/v3 clients get the error channel as plain text, as those protocols define.
// SPDY (kubectl's fallback, or KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false) is answered with a Status
// saying to use WebSockets; pods/attach with a Status saying berth has no attach.
// answerOnSocket writes an ordinary API response on an upgrade request's raw socket.
// Deliberately absent: port-forward, base64 channel protocols (no client of berth's uses them).

import http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { badRequest, internalError } from '../../api/errors.js';
import type { ApiResponse } from '../request.js';
import { parseBool } from '../query.js';
import type { HandlerContext } from './context.js';
import { agentConnection, chooseContainer } from './node-connection.js';

/** Subprotocols kubectl may offer, best first; the agent always speaks v5. */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const AGENT_PROTOCOL = 'v5.channel.k8s.io';
const ERROR_CHANNEL = 3;
const CLOSE_SIGNAL = 255;
const HIGH_WATER = 1024 * 1024;

const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false });

export interface UpgradeConnection {
  req: http.IncomingMessage;
  socket: Duplex;
  head: Buffer;
}

interface ExecTarget {
  url: string;
  token: string;
}

/** Checks an exec request as kube-apiserver does and says where the agent serves it. */
function execTarget(ctx: HandlerContext): ExecTarget {
  const pod = ctx.rs.get(ctx.namespace, ctx.name!).obj;
  const q = ctx.req.query;
  if (ctx.subresource === 'attach') {
    throw badRequest(`attach is not supported for pod ${ctx.name}: berth's containers have no attachable console; use kubectl exec, or kubectl logs -f to watch the output`);
  }
  const container = chooseContainer(pod, q.get('container'));
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${ctx.name} does not have a host assigned`);
  const tty = parseBool(q.get('tty'));
  const stdin = parseBool(q.get('stdin'));
  const stdout = parseBool(q.get('stdout'));
  const stderr = parseBool(q.get('stderr')) && !tty;
  if (!stdin && !stdout && !stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const command = q.getAll('command');
  if (!command.length) throw badRequest('you must specify at least one command for the container');
  const conn = agentConnection(ctx.server, nodeName);
  const params = new URLSearchParams();
  for (const [k, on] of [['stdin', stdin], ['stdout', stdout], ['stderr', stderr], ['tty', tty]] as const) if (on) params.set(k, '1');
  for (const c of command) params.append('command', c);
  const path = ['exec', pod.metadata?.namespace, pod.metadata?.name, container].map((s) => encodeURIComponent(String(s))).join('/');
  return { url: `ws://${conn.hostPort}/${path}?${params}`, token: conn.token };
}

/** A plain request to exec (no upgrade): checked, then refused as Kubernetes refuses it. */
export function execWithoutUpgrade(ctx: HandlerContext): ApiResponse {
  execTarget(ctx);
  throw badRequest('Upgrade request required');
}

/** The agent's side of an exec, open. */
interface AgentSide {
  ws: WebSocket;
  /** Stops holding the agent's messages; gives those that came before the relay began, in order. */
  release(): Buffer[];
}

/**
 * Opens the agent's side; rejects with the text kubectl should see. The agent may send output in
 * the same read as its 101 answer (a quick command on a busy server): ws emits those messages
 * before kubectl's side is upgraded, so they are held from the start until the relay takes them.
 */
function dialAgent(target: ExecTarget): Promise<AgentSide> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target.url, [AGENT_PROTOCOL], { headers: { authorization: `Bearer ${target.token}` }, perMessageDeflate: false });
    const held: Buffer[] = [];
    const hold = (d: RawData) => held.push(toBuffer(d));
    ws.on('message', hold);
    const release = () => (ws.off('message', hold), held.splice(0));
    ws.once('open', () => resolve({ ws, release }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < 64 * 1024) body += d;
      });
      res.on('end', () => reject(new Error(`unable to upgrade connection: ${body.trim() || res.statusMessage}`)));
      res.on('error', () => reject(new Error(`unable to upgrade connection: ${res.statusMessage}`)));
    });
    ws.once('error', (e) => reject(new Error(`error dialing backend: ${e.message}`)));
  });
}

/** The error channel's message for the client's protocol: Status JSON from v4 on, text before. */
function errorFrame(protocol: string, status: any): Buffer | undefined {
  if (protocol === 'v5.channel.k8s.io' || protocol === 'v4.channel.k8s.io') return Buffer.concat([Buffer.from([ERROR_CHANNEL]), Buffer.from(JSON.stringify(status))]);
  if (status?.status === 'Success') return undefined;
  return Buffer.concat([Buffer.from([ERROR_CHANNEL]), Buffer.from(String(status?.message ?? 'error'))]);
}

const toBuffer = (d: RawData): Buffer => (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d));

/** Sends `data` from one side to the other, pausing the source while the target is backed up. */
function forward(from: WebSocket, to: WebSocket, data: Buffer): void {
  if (to.readyState !== WebSocket.OPEN) return;
  to.send(data, { binary: true }, () => {
    if (to.bufferedAmount < HIGH_WATER && from.isPaused) from.resume();
  });
  if (to.bufferedAmount >= HIGH_WATER) from.pause();
}

function relay(client: WebSocket, side: AgentSide): void {
  const agent = side.ws;
  const v5 = client.protocol === 'v5.channel.k8s.io';
  client.on('message', (d) => {
    const data = toBuffer(d);
    forward(client, agent, data);
  });
  const fromAgent = (d: RawData) => {
    let data: Buffer | undefined = toBuffer(d);
    if (data[0] === ERROR_CHANNEL && !v5) {
      try {
        data = errorFrame(client.protocol, JSON.parse(data.subarray(1).toString()));
      } catch {
        // Not a Status: pass it as it is.
      }
    } else if (data[0] === CLOSE_SIGNAL && !v5) data = undefined;
    if (data) forward(agent, client, data);
  };
  for (const data of side.release()) fromAgent(data);
  agent.on('message', fromAgent);
  const agentDone = () => client.readyState === WebSocket.OPEN && client.close(1000);
  if (agent.readyState === WebSocket.CLOSING || agent.readyState === WebSocket.CLOSED) agentDone();
  agent.on('close', agentDone);
  agent.on('error', () => client.readyState === WebSocket.OPEN && client.close(1011));
  client.on('close', () => agent.readyState === WebSocket.OPEN && agent.close(1000));
  client.on('error', () => agent.terminate());
}

/** An exec upgrade request: checks, opens the agent's side, then upgrades kubectl's and relays. */
export async function podExecUpgrade(ctx: HandlerContext, conn: UpgradeConnection): Promise<string> {
  const target = execTarget(ctx);
  if (String(conn.req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    throw badRequest(
      `berth serves exec over WebSocket only (${PROTOCOLS[0]}), not ${conn.req.headers.upgrade}: use kubectl 1.30 or later without KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false`,
    );
  }
  const offered = String(conn.req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  if (!PROTOCOLS.some((p) => offered.includes(p))) throw badRequest(`exec needs one of the WebSocket subprotocols ${PROTOCOLS.join(', ')}`);
  let agent: AgentSide | undefined;
  let failure: Error | undefined;
  try {
    agent = await dialAgent(target);
  } catch (e) {
    failure = e as Error;
  }
  if (conn.socket.destroyed) {
    agent?.ws.terminate();
    return 'client gone';
  }
  return new Promise((resolve) => {
    wss.handleUpgrade(conn.req, conn.socket, conn.head, (client) => {
      if (!agent) {
        const frame = errorFrame(client.protocol, internalError(failure).status);
        if (frame) client.send(frame, { binary: true });
        client.close(1000);
        resolve(`failed: ${failure?.message}`);
        return;
      }
      relay(client, agent);
      client.once('close', () => resolve('done'));
    });
  });
}

/** Writes an ordinary response on an upgrade request's socket, then closes it. */
export async function answerOnSocket(socket: Duplex, r: ApiResponse): Promise<void> {
  const headers: Record<string, string | string[]> = { ...r.headers, connection: 'close' };
  const body = r.stream ? undefined : Buffer.from(r.body ?? '');
  if (body) headers['content-length'] = String(body.length);
  const lines = [`HTTP/1.1 ${r.status} ${http.STATUS_CODES[r.status] ?? ''}`];
  for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (body) socket.write(body);
  else if (r.stream) {
    for await (const chunk of r.stream) {
      if (socket.destroyed) break;
      socket.write(chunk);
    }
  }
  socket.end();
}
