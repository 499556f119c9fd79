// The DNS server's sockets: UDP and TCP on one port (port 0 picks one free for both), one
// datagram per message over UDP, and RFC 1035 §4.2.2 / RFC 7766 framing over TCP (a two-byte
// length before each message; any number of queries per connection, answered as each completes,
// which may be out of order; idle connections closed). Deliberately knows nothing of DNS beyond
// framing: every message goes to the handler, whose reply (if any) is sent back.

import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export type MessageHandler = (raw: Buffer, opts: { tcp: boolean }) => Promise<Buffer | undefined>;

export interface ListenerOptions {
  host: string;
  port: number;
  /** Closes a TCP connection idle for this long (default 10 s). */
  idleMs?: number;
  log?: (l: string) => void;
}

const PORT_ATTEMPTS = 20;

export class DnsListener {
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly conns = new Set<Socket>();
  private closed = false;

  constructor(
    private readonly handler: MessageHandler,
    private readonly opts: ListenerOptions,
  ) {}

  /** Binds both sockets; resolves with the port. */
  async listen(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const tcp = await this.bindTcp(this.opts.port);
      const port = (tcp.address() as { port: number }).port;
      try {
        this.udp = await this.bindUdp(port);
        this.tcp = tcp;
        return port;
      } catch (e) {
        await new Promise((r) => tcp.close(r));
        // A free TCP port may be taken for UDP; only a port we chose ourselves can be tried again.
        if (this.opts.port !== 0 || attempt >= PORT_ATTEMPTS || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all([
      new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r())),
      new Promise<void>((r) => {
        if (!this.udp) return r();
        this.udp.close(() => r());
      }),
    ]);
  }

  private bindTcp(port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((sock) => this.serveConnection(sock));
      server.once('error', reject);
      server.listen({ host: this.opts.host, port }, () => {
        server.off('error', reject);
        server.on('error', (e) => this.opts.log?.(`dns: ACCEPT tcp => ${e.message}`));
        resolve(server);
      });
    });
  }

  private bindUdp(port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const sock = createSocket(this.opts.host.includes(':') ? 'udp6' : 'udp4');
      sock.once('error', reject);
      sock.bind({ address: this.opts.host, port, exclusive: true }, () => {
        sock.off('error', reject);
        sock.on('error', (e) => this.opts.log?.(`dns: RECEIVE udp => ${e.message}`));
        sock.on('message', (msg, rinfo) => {
          this.handler(msg, { tcp: false }).then(
            (out) => out && !this.closed && sock.send(out, rinfo.port, rinfo.address),
            (e) => this.opts.log?.(`dns: ANSWER udp ${rinfo.address}:${rinfo.port} => ${(e as Error).message}`),
          );
        });
        resolve(sock);
      });
    });
  }

  private serveConnection(sock: Socket): void {
    if (this.closed) return void sock.destroy();
    this.conns.add(sock);
    sock.setTimeout(this.opts.idleMs ?? 10_000, () => sock.end());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (len < 12) return void sock.destroy(); // shorter than a header: not DNS
        if (buf.length < 2 + len) break;
        const msg = Buffer.from(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        this.handler(msg, { tcp: true }).then(
          (out) => {
            if (!out || sock.destroyed || !sock.writable) return;
            const head = Buffer.alloc(2);
            head.writeUInt16BE(out.length);
            sock.write(Buffer.concat([head, out]));
          },
          (e) => this.opts.log?.(`dns: ANSWER tcp ${sock.remoteAddress} => ${(e as Error).message}`),
        );
      }
    });
  }
}
