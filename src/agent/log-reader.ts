// Reads a container's CRI-format log file (`<RFC 3339 nano time> <stdout|stderr> <F|P> <text>`, see
// Runtime.logPath) the way the kubelet serves /containerLogs: the text of each line, with
// `timestamps` the time and a space before it, `tailLines` (found by reading backwards from the end,
// so the tail of a large file costs what the tail holds), `since` (lines stamped at or after),
// `limitBytes` (output cut there), and `follow` (lines appended later stream out until the reader
// is aborted or the instance has finished; fs.watch wakes it, a poll covers file systems without
// change notification).
// Better than the kubelet: partial (P) fragments are joined into one line with the first
// fragment's time, where the kubelet repeats a timestamp inside the line and counts each fragment as
// a line for tailLines.
// Deliberately absent: rotated files (one file per container instance, never rotated) and the
// `stream` (stdout/stderr only) selection, whose feature gate is off in Kubernetes 1.32.

import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

export interface LogReadOptions {
  follow?: boolean;
  /** The last n lines only (0: none; with follow, only what comes later). */
  tailLines?: number;
  /** Lines stamped before this are skipped. */
  since?: Date;
  /** Stop after this many bytes of output (the last line is cut). */
  limitBytes?: number;
  timestamps?: boolean;
  /** Follow ends once this answers true (the instance exited) and the file has been read to its end. */
  finished?: () => boolean;
  signal?: AbortSignal;
  /** Poll interval while following (default 1000 ms), in case fs.watch says nothing. */
  pollMs?: number;
}

const CHUNK = 64 * 1024;
const NL = 0x0a;
/** Room for `<time> <stream> <tags> ` at the start of a line. */
const PREFIX_BYTES = 96;

interface CriLine {
  /** The time as the kubelet prints it (RFC3339Nano: trailing zeros of the fraction dropped). */
  time: string;
  /** Nanoseconds since the epoch, for `since`. */
  ns: bigint;
  partial: boolean;
  text: Buffer;
}

const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

function parseTime(s: string): { time: string; ns: bigint } | undefined {
  const m = TIME.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  const ns = BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
  return { time: `${m[1]}${frac ? `.${frac}` : ''}${m[3]}`, ns };
}

/** Parses one file line (without its newline); undefined for a line that is not CRI format. */
function parseLine(line: Buffer): CriLine | undefined {
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return undefined;
  const t = parseTime(line.subarray(0, s1).toString('latin1'));
  if (!t) return undefined;
  const s3 = line.indexOf(0x20, s2 + 1);
  const tags = line.subarray(s2 + 1, s3 < 0 ? line.length : s3).toString('latin1');
  return { ...t, partial: tags.split(':')[0] === 'P', text: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1) };
}

function isPartialPrefix(prefix: Buffer): boolean {
  const end = prefix.indexOf(NL);
  const line = end < 0 ? prefix : prefix.subarray(0, end);
  const s1 = line.indexOf(0x20);
  const s2 = s1 < 0 ? -1 : line.indexOf(0x20, s1 + 1);
  if (s2 < 0) return false;
  const s3 = line.indexOf(0x20, s2 + 1);
  return line.subarray(s2 + 1, s3 < 0 ? line.length : s3).toString('latin1').split(':')[0] === 'P';
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

/**
 * The offset where the last n lines begin. A line ends with an F fragment; a trailing run of P
 * fragments (a line still being written) counts as a line too.
 */
async function tailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  if (size === 0) return 0;
  let nextStart = size;
  let ends = 0;
  let last = true;
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = size;
  const consider = async (s: number): Promise<number | undefined> => {
    const off = s - chunkStart;
    const prefix = off + PREFIX_BYTES <= chunk.length ? chunk.subarray(off, off + PREFIX_BYTES) : await readAt(fh, s, PREFIX_BYTES);
    if (!isPartialPrefix(prefix) || last) {
      if (ends === n) return nextStart;
      ends++;
    }
    last = false;
    nextStart = s;
    return undefined;
  };
  let pos = size;
  while (pos > 0) {
    const len = Math.min(CHUNK, pos);
    chunkStart = pos - len;
    chunk = await readAt(fh, chunkStart, len);
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (chunk[i] !== NL || chunkStart + i >= size - 1) continue;
      const r = await consider(chunkStart + i + 1);
      if (r !== undefined) return r;
    }
    pos = chunkStart;
  }
  return (await consider(0)) ?? 0;
}

/** Turns file lines into output lines: joins partial fragments, applies since, timestamps and limitBytes. */
class LineAssembler {
  private pending: CriLine[] = [];
  private written = 0;

  constructor(private readonly opts: LogReadOptions) {}

  get full(): boolean {
    return this.opts.limitBytes !== undefined && this.written >= this.opts.limitBytes;
  }

  /** Output for one file line (empty while a partial line waits for its end). */
  push(raw: Buffer): Buffer[] {
    const line = parseLine(raw);
    if (!line) return [];
    this.pending.push(line);
    if (line.partial) return [];
    return this.emit(true);
  }

  /** What a reader that stops now still owes: a line whose end was never written, as it is. */
  flush(): Buffer[] {
    return this.pending.length ? this.emit(false) : [];
  }

  private emit(complete: boolean): Buffer[] {
    const parts = this.pending;
    this.pending = [];
    const first = parts[0];
    if (this.opts.since && first.ns < BigInt(this.opts.since.getTime()) * 1_000_000n) return [];
    const out = [...(this.opts.timestamps ? [Buffer.from(`${first.time} `)] : []), ...parts.map((p) => p.text), ...(complete ? [Buffer.from('\n')] : [])];
    let buf = Buffer.concat(out);
    if (this.opts.limitBytes !== undefined) buf = buf.subarray(0, Math.max(0, this.opts.limitBytes - this.written));
    this.written += buf.length;
    return buf.length ? [buf] : [];
  }
}

/** Resolves on the first of: the file changed, the poll interval passed, the reader was aborted. */
function changed(watcher: FSWatcher | undefined, opts: { pollMs: number; signal?: AbortSignal }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      watcher?.off('change', done);
      opts.signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, opts.pollMs);
    watcher?.on('change', done);
    opts.signal?.addEventListener('abort', done, { once: true });
  });
}

/** The log's output, chunk by chunk. A missing file reads as empty (and is waited for with follow). */
export async function* readContainerLog(path: string, opts: LogReadOptions = {}): AsyncGenerator<Buffer> {
  const lines = new LineAssembler(opts);
  let fh: FileHandle | undefined;
  let watcher: FSWatcher | undefined;
  try {
    let pos = 0;
    let rest: Buffer = Buffer.alloc(0);
    let first = true;
    for (;;) {
      const finished = !opts.follow || !!opts.finished?.();
      if (!fh) fh = await open(path, 'r').catch(() => undefined);
      if (fh) {
        if (first) {
          first = false;
          if (opts.tailLines !== undefined) pos = await tailStart(fh, (await fh.stat()).size, opts.tailLines);
        }
        for (;;) {
          const chunk = await readAt(fh, pos, CHUNK);
          if (!chunk.length) break;
          pos += chunk.length;
          const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
          let start = 0;
          for (let nl = data.indexOf(NL); nl >= 0; nl = data.indexOf(NL, start)) {
            for (const out of lines.push(data.subarray(start, nl))) yield out;
            start = nl + 1;
            if (lines.full) return;
          }
          rest = Buffer.from(data.subarray(start));
          if (opts.signal?.aborted) return;
        }
      }
      if (finished || opts.signal?.aborted) break;
      if (fh && !watcher) {
        try {
          watcher = watch(path, { persistent: false });
          watcher.on('error', () => undefined);
        } catch {
          // No change notification here: the poll alone wakes the reader.
        }
      }
      await changed(watcher, { pollMs: opts.pollMs ?? 1000, signal: opts.signal });
    }
    if (rest.length) for (const out of lines.push(rest)) yield out;
    for (const out of lines.flush()) yield out;
  } finally {
    watcher?.close();
    await fh?.close();
  }
}
