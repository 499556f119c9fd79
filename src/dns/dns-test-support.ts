// Test support for the DNS server's tests: real queries over UDP and TCP with dns-packet, a fake
// upstream name server, and the Service and EndpointSlice objects of a cluster's DNS-relevant
// state. Not used outside tests.

import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import { decode, encode, RECURSION_DESIRED } from 'dns-packet';
import type { Answer, DecodedPacket, Packet, RecordType } from 'dns-packet';
import type { KObject } from '../api/resource.js';

let nextId = 1;
const query = (name: string, type: string, opts: { edns?: number } = {}): Packet => ({
  type: 'query',
  id: nextId++ & 0xffff,
  flags: RECURSION_DESIRED,
  questions: [{ name, type: type as RecordType, class: 'IN' }],
  additionals: opts.edns
    ? [{ name: '.', type: 'OPT', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
    : [],
});

export type Reply = DecodedPacket & { rcode?: string };

/** One query over UDP to 127.0.0.1:port; rejects after `timeoutMs`. */
export function queryUdp(port: number, [name, type]: [string, string], opts: { edns?: number; timeoutMs?: number; host?: string } = {}): Promise<Reply> {
  const q = encode(query(name, type, opts));
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no UDP answer for ${name} ${type}`));
    }, opts.timeoutMs ?? 5000);
    sock.on('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(decode(msg) as Reply);
    });
    sock.send(q, port, opts.host ?? '127.0.0.1');
  });
}

/** Several queries written at once on one TCP connection; the replies in question order. */
export function queryTcp(port: number, questions: [string, string][]): Promise<Reply[]> {
  const packets = questions.map(([n, t]) => query(n, t));
  const frames = packets.map((p) => {
    const body = encode(p);
    const head = Buffer.alloc(2);
    head.writeUInt16BE(body.length);
    return Buffer.concat([head, body]);
  });
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    const byId = new Map<number, Reply>();
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`TCP: ${byId.size} of ${packets.length} answers`));
    }, 5000);
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = decode(buf.subarray(2, 2 + buf.readUInt16BE(0))) as Reply;
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        byId.set(msg.id!, msg);
      }
      if (byId.size === packets.length) {
        clearTimeout(timer);
        sock.end();
        resolve(packets.map((p) => byId.get(p.id!)!));
      }
    });
    // Both frames in one write: the server must split them itself.
    sock.write(Buffer.concat(frames));
  });
}

/** A fake upstream: answers A questions from `records`, or stays silent when `silent`. */
export async function fakeUpstream(records: Record<string, string>, opts: { silent?: boolean } = {}): Promise<{ port: number; seen: string[]; close: () => Promise<void> }> {
  const sock: UdpSocket = createSocket('udp4');
  const seen: string[] = [];
  sock.on('message', (msg, rinfo) => {
    const q = decode(msg);
    const question = q.questions![0];
    seen.push(`${question.name} ${question.type}`);
    if (opts.silent) return;
    const ip = records[question.name.toLowerCase()];
    const answers: Answer[] = ip && question.type === 'A' ? [{ name: question.name, type: 'A', class: 'IN', ttl: 60, data: ip }] : [];
    const reply = encode({ type: 'response', id: q.id, flags: RECURSION_DESIRED | (1 << 7) | (ip ? 0 : 3), questions: q.questions, answers });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, seen, close: () => new Promise((r) => sock.close(() => r())) };
}

export const service = (name: string, spec: Record<string, any>): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
});

export interface TestEndpoint {
  ip: string;
  hostname?: string;
  ready?: boolean;
}

/** An EndpointSlice of `svc` as the EndpointSlice controller writes it (port 8080 named web). */
export const endpointSlice = (name: string, { service, endpoints }: { service: string; endpoints: TestEndpoint[] }): KObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
  endpoints: endpoints.map((e) => ({
    addresses: [e.ip],
    conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false },
    ...(e.hostname ? { hostname: e.hostname } : {}),
  })),
});

/** The data of the answers of one type, sorted. */
export const dataOf = (r: Reply, type = 'A') =>
  (r.answers ?? [])
    .filter((a) => a.type === type)
    .map((a) => ('data' in a ? a.data : undefined))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
