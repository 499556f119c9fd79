// Forwarding of queries outside the cluster zone to upstream name servers (CoreDNS' `forward .
// /etc/resolv.conf`): the query's own bytes go out over UDP with a fresh random ID from a fresh
// socket (so the source port is random too), each upstream in turn with a timeout; a truncated
// upstream answer to a client that asked over TCP is fetched again over TCP. The answer is
// relayed byte for byte with the client's ID restored, so EDNS options, DNSSEC records and
// name compression survive. Also the upstream list: `/etc/resolv.conf`'s nameservers without
// this server's own addresses. Deliberately no cache and no health checking: pods of one
// machine ask few distinct names, and the host's resolver caches.

import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';
import type { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readFile } from 'node:fs/promises';
import { decode, encode, RECURSION_DESIRED } from 'dns-packet';
import type { Answer, RecordType } from 'dns-packet';

export interface Upstream {
  host: string;
  port: number;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `fd00::1` or `[fd00::1]:5353`. */
export function parseUpstream(s: string): Upstream {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { host: v6[1], port: Number(v6[2] ?? 53) };
  if (isIPv6(s)) return { host: s, port: 53 };
  const [host, port] = s.split(':');
  return { host, port: Number(port ?? 53) };
}

/** The nameserver lines of a resolv.conf; glibc's 127.0.0.1 when there are none. */
export function resolvConfNameservers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push(m[1].replace(/%.*$/, ''));
  }
  return out.length ? out : ['127.0.0.1'];
}

export async function hostNameservers(path = '/etc/resolv.conf'): Promise<string[]> {
  try {
    return resolvConfNameservers(await readFile(path, 'utf8'));
  } catch {
    return ['127.0.0.1'];
  }
}

/** Drops the upstreams that are this server itself (a loop: every query would time out). */
export function withoutSelf(upstreams: Upstream[], self: { host: string; port: number }): Upstream[] {
  const local = new Set<string>(['127.0.0.1', '::1', '0.0.0.0', '::']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) local.add(a.address);
  const wildcard = self.host === '0.0.0.0' || self.host === '::';
  const isSelf = (u: Upstream) => u.host === self.host || (wildcard && (local.has(u.host) || u.host.startsWith('127.')));
  return upstreams.filter((u) => !(u.port === self.port && isSelf(u)));
}

const questionKey = (buf: Buffer) => {
  const q = decode(buf).questions?.[0];
  return q ? `${q.name.toLowerCase()}/${q.type}/${q.class}` : '';
};

/** One query to one upstream: its bytes, and which reply is the answer to it. */
interface Exchange {
  query: Buffer;
  matches: (reply: Buffer) => boolean;
}

export class Forwarder {
  private readonly open = new Set<UdpSocket | Socket>();

  constructor(private readonly opts: { upstreams: Upstream[]; timeoutMs: number; log?: (l: string) => void }) {}

  get upstreams(): readonly Upstream[] {
    return this.opts.upstreams;
  }

  /** The upstream's answer to the raw `query`, with the query's ID, or undefined when none answered. */
  async forward(query: Buffer, opts: { tcp: boolean }): Promise<Buffer | undefined> {
    const id = query.readUInt16BE(0);
    const want = questionKey(query);
    for (const u of this.opts.upstreams) {
      const out = Buffer.from(query);
      out.writeUInt16BE(randomInt(0, 0x10000), 0);
      let answer = await this.exchange(u, out, { tcp: false, want }).catch(() => undefined);
      // TC: the client asked over TCP, so it can take the whole answer.
      if (answer && opts.tcp && answer[2] & 0x02) answer = (await this.exchange(u, out, { tcp: true, want }).catch(() => undefined)) ?? answer;
      if (!answer) continue;
      answer.writeUInt16BE(id, 0);
      return answer;
    }
    return undefined;
  }

  /** Resolves `name` upstream (a CNAME target outside the zone): its answer records, or undefined. */
  async resolve(name: string, type: RecordType): Promise<Answer[] | undefined> {
    const q = encode({ type: 'query', id: 0, flags: RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] });
    const a = await this.forward(q, { tcp: true });
    if (!a) return undefined;
    const p = decode(a);
    return (p as { rcode?: string }).rcode === 'NOERROR' ? (p.answers ?? []) : undefined;
  }

  close(): void {
    for (const s of this.open) 'destroy' in s ? s.destroy() : s.close();
    this.open.clear();
  }

  private exchange(u: Upstream, query: Buffer, opts: { tcp: boolean; want: string }): Promise<Buffer | undefined> {
    const id = query.readUInt16BE(0);
    const matches = (b: Buffer) => b.length >= 12 && b.readUInt16BE(0) === id && (b[2] & 0x80) !== 0 && safeQuestionKey(b) === opts.want;
    return opts.tcp ? this.overTcp(u, { query, matches }) : this.overUdp(u, { query, matches });
  }

  private overUdp(u: Upstream, { query, matches }: Exchange): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = createSocket(isIPv6(u.host) ? 'udp6' : 'udp4');
      this.open.add(sock);
      let settled = false;
      const done = (b: Buffer | undefined, why?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.open.delete(sock);
        try {
          sock.close();
        } catch {
          // already closed by close()
        }
        if (why) this.opts.log?.(`dns: FORWARD ${u.host}:${u.port} => ${why}`);
        resolve(b);
      };
      const timer = setTimeout(() => done(undefined, `no answer within ${this.opts.timeoutMs}ms`), this.opts.timeoutMs);
      sock.on('error', (e) => done(undefined, e.message));
      sock.on('close', () => done(undefined));
      // Anything but the answer to this question (late or spoofed datagrams) is ignored.
      sock.on('message', (msg) => matches(msg) && done(msg));
      sock.send(query, u.port, u.host);
    });
  }

  private overTcp(u: Upstream, { query, matches }: Exchange): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const sock = connect({ host: u.host, port: u.port });
      this.open.add(sock);
      let buf = Buffer.alloc(0);
      let settled = false;
      const done = (b: Buffer | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.open.delete(sock);
        sock.destroy();
        resolve(b);
      };
      const timer = setTimeout(() => done(undefined), this.opts.timeoutMs);
      sock.on('error', () => done(undefined));
      sock.on('close', () => done(undefined));
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
          buf = buf.subarray(2 + msg.length);
          if (matches(msg)) return done(Buffer.from(msg));
        }
      });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
  }
}

function safeQuestionKey(b: Buffer): string | undefined {
  try {
    return questionKey(b);
  } catch {
    return undefined;
  }
}
