import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readContainerLog } from './log-reader.js';
import type { LogReadOptions } from './log-reader.js';

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-logs-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const cri = (time: string, text: string, tag = 'F', stream = 'stdout') => `${time} ${stream} ${tag} ${text}\n`;

async function read(path: string, opts: LogReadOptions = {}): Promise<string> {
  const parts: Buffer[] = [];
  for await (const b of readContainerLog(path, opts)) parts.push(b);
  return Buffer.concat(parts).toString();
}

test('lines come out as text; timestamps prefix each with RFC3339Nano (trailing zeros dropped)', withDir(async (dir) => {
  const f = join(dir, '0.log');
  writeFileSync(f, cri('2024-05-01T10:00:00.123456780Z', 'one') + cri('2024-05-01T10:00:01.000000000Z', 'two', 'F', 'stderr') + cri('2024-05-01T10:00:02Z', ''));
  assert.equal(await read(f), 'one\ntwo\n\n');
  assert.equal(await read(f, { timestamps: true }), '2024-05-01T10:00:00.12345678Z one\n2024-05-01T10:00:01Z two\n2024-05-01T10:00:02Z \n');
}));

test('partial (P) fragments are joined into one line stamped with the first fragment', withDir(async (dir) => {
  const f = join(dir, '0.log');
  writeFileSync(f, cri('2024-05-01T10:00:00.1Z', 'hel', 'P') + cri('2024-05-01T10:00:00.2Z', 'lo ', 'P') + cri('2024-05-01T10:00:00.3Z', 'world') + cri('2024-05-01T10:00:01Z', 'next'));
  assert.equal(await read(f), 'hello world\nnext\n');
  assert.equal(await read(f, { timestamps: true, tailLines: 2 }), '2024-05-01T10:00:00.1Z hello world\n2024-05-01T10:00:01Z next\n');
  assert.equal(await read(f, { tailLines: 1 }), 'next\n');
}));

test('tailLines reads the end of a large file; 0 gives nothing; more than there are gives all', withDir(async (dir) => {
  const f = join(dir, '0.log');
  const lines: string[] = [];
  for (let i = 0; i < 100_000; i++) lines.push(cri('2024-05-01T10:00:00.000000001Z', `line ${i} ${'x'.repeat(40)}`));
  writeFileSync(f, lines.join(''));
  const tail = await read(f, { tailLines: 3 });
  assert.equal(tail, [99_997, 99_998, 99_999].map((i) => `line ${i} ${'x'.repeat(40)}\n`).join(''));
  assert.equal(await read(f, { tailLines: 0 }), '');
  const small = join(dir, '1.log');
  writeFileSync(small, cri('2024-05-01T10:00:00Z', 'a') + cri('2024-05-01T10:00:00Z', 'b'));
  assert.equal(await read(small, { tailLines: 10 }), 'a\nb\n');
  // A line still being written (P without its F) counts as the last line.
  appendFileSync(small, cri('2024-05-01T10:00:01Z', 'c-part', 'P'));
  assert.equal(await read(small, { tailLines: 2 }), 'b\nc-part');
}));

test('since keeps lines stamped at or after the time; limitBytes cuts the output', withDir(async (dir) => {
  const f = join(dir, '0.log');
  writeFileSync(f, cri('2024-05-01T10:00:00Z', 'old') + cri('2024-05-01T10:00:05.000000001Z', 'edge') + cri('2024-05-01T12:00:04+02:00', 'zoned-old') + cri('2024-05-01T10:00:10Z', 'new'));
  assert.equal(await read(f, { since: new Date('2024-05-01T10:00:05Z') }), 'edge\nnew\n');
  assert.equal(await read(f, { since: new Date('2024-05-01T10:00:10Z') }), 'new\n');
  assert.equal(await read(f, { limitBytes: 6 }), 'old\ned');
  assert.equal(await read(f, { limitBytes: 4, timestamps: true }), '2024');
}));

test('follow streams appended lines and ends once the instance has finished', withDir(async (dir) => {
  const f = join(dir, '0.log');
  writeFileSync(f, cri('2024-05-01T10:00:00Z', 'first'));
  let finished = false;
  const it = readContainerLog(f, { follow: true, finished: () => finished, pollMs: 5000 });
  assert.equal((await it.next()).value!.toString(), 'first\n');
  const next = it.next();
  // A line written in two writes arrives whole (the reader waits for its newline).
  appendFileSync(f, '2024-05-01T10:00:01Z stdout F sec');
  await new Promise((r) => setTimeout(r, 50));
  appendFileSync(f, 'ond\n');
  assert.equal((await next).value!.toString(), 'second\n');
  const after = it.next();
  appendFileSync(f, cri('2024-05-01T10:00:02Z', 'last'));
  finished = true;
  assert.equal((await after).value!.toString(), 'last\n');
  assert.equal((await it.next()).done, true);
}));

test('follow stops when aborted, and waits for a file that does not exist yet', withDir(async (dir) => {
  const f = join(dir, 'later.log');
  const ac = new AbortController();
  const out: string[] = [];
  const done = (async () => {
    for await (const b of readContainerLog(f, { follow: true, signal: ac.signal, pollMs: 20 })) out.push(b.toString());
  })();
  await new Promise((r) => setTimeout(r, 50));
  writeFileSync(f, cri('2024-05-01T10:00:00Z', 'hello'));
  const deadline = Date.now() + 5000;
  while (!out.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  ac.abort();
  await done;
  assert.deepEqual(out, ['hello\n']);
}));
