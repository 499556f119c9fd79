// One probe or lifecycle-handler attempt, as the kubelet's prober makes it (pkg/probe): exec (the
// command in the container's namespaces; exit 0 succeeds, a timeout fails), httpGet (to the pod IP,
// or 127.0.0.1 for hostNetwork pods; path, port by number or container port name, httpHeaders,
// scheme; `User-Agent: kube-probe/1.32` and `Accept: */*` unless given; 200-399 succeeds, TLS is not
// verified), tcpSocket (a connection opens) and grpc (grpc.health.v1.Health/Check answers SERVING).
// Deliberately absent: following HTTP redirects (a 3xx counts as success, which the kubelet also
// reports for redirects to another host).

import { connect as http2Connect } from 'node:http2';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export interface CheckTarget {
  /** Where network probes connect (the pod IP, or 127.0.0.1 for hostNetwork pods). */
  host: string;
  /** The container's ports, for named probe ports. */
  ports: any[];
  exec(command: string[], o: { timeoutMs: number }): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
}

export interface CheckResult {
  success: boolean;
  message?: string;
}

function portOf(port: unknown, ports: any[]): number {
  if (typeof port === 'number') return port;
  const n = Number(port);
  if (Number.isInteger(n) && String(n) === String(port)) return n;
  const named = ports.find((p) => p?.name === port);
  if (!named) throw new Error(`couldn't find port: ${String(port)}`);
  return named.containerPort;
}

function httpCheck(h: any, o: { target: CheckTarget; timeoutMs: number }): Promise<CheckResult> {
  const port = portOf(h.port, o.target.ports);
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const x of h.httpHeaders ?? []) headers[x.name] = x.value;
  const https = String(h.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const path = h.path ? (String(h.path).startsWith('/') ? h.path : `/${h.path}`) : '/';
  return new Promise((resolve) => {
    const req = (https ? httpsRequest : httpRequest)(
      { host: h.host || o.target.host, port, path, method: 'GET', headers, timeout: o.timeoutMs, rejectUnauthorized: false } as any,
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { success: true } : { success: false, message: `HTTP probe failed with statuscode: ${code}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`Get "${https ? 'https' : 'http'}://${h.host || o.target.host}:${port}${path}": context deadline exceeded`)));
    req.on('error', (e) => resolve({ success: false, message: e.message }));
    req.end();
  });
}

function tcpCheck(t: any, o: { target: CheckTarget; timeoutMs: number }): Promise<CheckResult> {
  const port = portOf(t.port, o.target.ports);
  return new Promise((resolve) => {
    const sock = connect({ host: t.host || o.target.host, port, timeout: o.timeoutMs });
    sock.on('connect', () => (sock.destroy(), resolve({ success: true })));
    sock.on('timeout', () => (sock.destroy(), resolve({ success: false, message: `dial tcp ${t.host || o.target.host}:${port}: i/o timeout` })));
    sock.on('error', (e) => resolve({ success: false, message: e.message }));
  });
}

/** grpc.health.v1.Health/Check over cleartext HTTP/2; SERVING (status 1) succeeds. */
function grpcCheck(g: any, o: { target: CheckTarget; timeoutMs: number }): Promise<CheckResult> {
  const service = Buffer.from(String(g.service ?? ''));
  const msg = service.length ? Buffer.concat([Buffer.from([0x0a, service.length]), service]) : Buffer.alloc(0);
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), msg]);
  frame.writeUInt32BE(msg.length, 1);
  return new Promise((resolve) => {
    const client = http2Connect(`http://${o.target.host}:${g.port}`);
    const done = (r: CheckResult) => (client.close(), resolve(r));
    client.on('error', (e) => done({ success: false, message: e.message }));
    const req = client.request({ ':method': 'POST', ':path': '/grpc.health.v1.Health/Check', 'content-type': 'application/grpc', te: 'trailers', 'user-agent': 'kube-probe/1.32' });
    req.setTimeout(o.timeoutMs, () => (req.close(), done({ success: false, message: 'timeout: health rpc did not complete within the probe timeout' })));
    const chunks: Buffer[] = [];
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // HealthCheckResponse { status = 1 (SERVING) } is field 1, varint 1.
      const serving = body.length >= 7 && body[5] === 0x08 && body[6] === 0x01;
      done(serving ? { success: true } : { success: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
    });
    req.on('error', (e) => done({ success: false, message: e.message }));
    req.end(frame);
  });
}

/** One attempt of a probe or handler (`exec`, `httpGet`, `tcpSocket`, `grpc`). */
export async function runCheck(handler: any, o: { target: CheckTarget; timeoutMs: number }): Promise<CheckResult> {
  try {
    if (handler?.exec) {
      const r = await o.target.exec(handler.exec.command ?? [], { timeoutMs: o.timeoutMs });
      if (r.timedOut) return { success: false, message: `command timed out after ${o.timeoutMs / 1000}s` };
      return r.exitCode === 0 ? { success: true } : { success: false, message: r.output };
    }
    if (handler?.httpGet) return await httpCheck(handler.httpGet, o);
    if (handler?.tcpSocket) return await tcpCheck(handler.tcpSocket, o);
    if (handler?.grpc) return await grpcCheck(handler.grpc, o);
    if (handler?.sleep) {
      await new Promise((r) => setTimeout(r, Math.min((handler.sleep.seconds ?? 0) * 1000, o.timeoutMs)));
      return { success: true };
    }
    return { success: false, message: 'missing probe handler' };
  } catch (e) {
    return { success: false, message: (e as Error).message };
  }
}
