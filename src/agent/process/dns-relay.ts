// The per-node DNS relay: pods are told `nameserver <gateway>` (port 53 is the only port a
// resolv.conf can name), while the cluster DNS server listens on some port of the host; the relay,
// bound to <gateway>:53 in the host's network namespace, forwards bytes both ways (UDP datagram by
// datagram through one upstream socket per client, TCP connection by connection). No DNS parsing:
// the cluster DNS server answers.
// Deliberately absent: caching, and any answer of its own when the upstream is down (clients time out).

import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export interface DnsTarget {
  host: string;
  port: number;
}

const IDLE_MS = 30_000;

export class DnsRelay {
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly upstreams = new Map<string, { sock: UdpSocket; timer: NodeJS.Timeout }>();
  private readonly conns = new Set<Socket>();

  constructor(private readonly opts: { bind: string; port?: number; target: DnsTarget; log?: (l: string) => void }) {}

  async start(): Promise<void> {
    const port = this.opts.port ?? 53;
    const udp = createSocket('udp4');
    udp.on('message', (msg, rinfo) => this.forward(msg, rinfo));
    udp.on('error', (e) => this.opts.log?.(`DNS relay ${this.opts.bind}:${port} udp => ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, this.opts.bind, () => (udp.off('error', reject), resolve()));
    });
    this.udp = udp;
    const tcp = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, this.opts.bind, () => (tcp.off('error', reject), resolve()));
    });
    this.tcp = tcp;
    this.opts.log?.(`DNS relay ${this.opts.bind}:${port} => ${this.opts.target.host}:${this.opts.target.port}`);
  }

  private forward(msg: Buffer, rinfo: { address: string; port: number }): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let up = this.upstreams.get(key);
    if (!up) {
      const sock = createSocket('udp4');
      sock.on('message', (answer) => this.udp?.send(answer, rinfo.port, rinfo.address));
      sock.on('error', () => this.drop(key));
      up = { sock, timer: setTimeout(() => this.drop(key), IDLE_MS).unref() };
      this.upstreams.set(key, up);
    } else up.timer.refresh();
    up.sock.send(msg, this.opts.target.port, this.opts.target.host);
  }

  private drop(key: string): void {
    const up = this.upstreams.get(key);
    if (!up) return;
    clearTimeout(up.timer);
    up.sock.close();
    this.upstreams.delete(key);
  }

  private pipe(client: Socket): void {
    const server = connect(this.opts.target.port, this.opts.target.host);
    for (const s of [client, server]) {
      this.conns.add(s);
      s.on('close', () => this.conns.delete(s));
      s.on('error', () => (client.destroy(), server.destroy()));
      s.setTimeout(IDLE_MS, () => (client.destroy(), server.destroy()));
    }
    client.pipe(server);
    server.pipe(client);
  }

  async close(): Promise<void> {
    for (const key of [...this.upstreams.keys()]) this.drop(key);
    for (const c of this.conns) c.destroy();
    this.udp?.close();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }
}
