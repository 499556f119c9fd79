// Writing a container's output in the CRI log format (the format containerd writes and the
// kubelet reads): `<RFC 3339 time with nanoseconds> <stdout|stderr> <F|P> <text>\n`, one entry per
// line; a line longer than 16 KiB (containerd's max_container_log_line_size) is split into P
// (partial) entries ending with an F entry. Output without a final newline is written as F at the
// end of the stream. Times are UTC, fractional zeros trimmed as Go's RFC3339Nano prints them.
// Deliberately absent: rotation (one file per container instance).

import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';

const MAX_LINE = 16 * 1024;
const NL = 0x0a;

/** Nanosecond wall-clock time: the millisecond clock at start plus the monotonic clock since. */
export function nanoClock(): () => bigint {
  const base = BigInt(Date.now()) * 1_000_000n;
  const hr0 = process.hrtime.bigint();
  return () => base + (process.hrtime.bigint() - hr0);
}

export function rfc3339Nano(ns: bigint): string {
  const secs = ns / 1_000_000_000n;
  const frac = String(ns % 1_000_000_000n).padStart(9, '0').replace(/0+$/, '');
  const day = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  return `${day}${frac ? `.${frac}` : ''}Z`;
}

export class CriLogWriter {
  private readonly out: WriteStream;
  private readonly pending: Record<'stdout' | 'stderr', Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private readonly now = nanoClock();

  constructor(path: string) {
    this.out = createWriteStream(path, { flags: 'a', mode: 0o640 });
    this.out.on('error', () => undefined);
  }

  private entry(stream: 'stdout' | 'stderr', o: { tag: 'F' | 'P'; text: Buffer }): void {
    this.out.write(Buffer.concat([Buffer.from(`${rfc3339Nano(this.now())} ${stream} ${o.tag} `), o.text, Buffer.from('\n')]));
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    let buf = this.pending[stream].length ? Buffer.concat([this.pending[stream], chunk]) : chunk;
    for (;;) {
      const nl = buf.indexOf(NL);
      if (nl < 0) break;
      let line = buf.subarray(0, nl);
      while (line.length > MAX_LINE) {
        this.entry(stream, { tag: 'P', text: line.subarray(0, MAX_LINE) });
        line = line.subarray(MAX_LINE);
      }
      this.entry(stream, { tag: 'F', text: line });
      buf = buf.subarray(nl + 1);
    }
    while (buf.length >= MAX_LINE) {
      this.entry(stream, { tag: 'P', text: buf.subarray(0, MAX_LINE) });
      buf = buf.subarray(MAX_LINE);
    }
    this.pending[stream] = Buffer.from(buf);
  }

  /** The stream ended: its unterminated rest is a full entry. */
  end(stream: 'stdout' | 'stderr'): void {
    if (this.pending[stream].length) this.entry(stream, { tag: 'F', text: this.pending[stream] });
    this.pending[stream] = Buffer.alloc(0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}
