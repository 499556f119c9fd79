import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { HttpServer, frameOf } from './http-server.js';
import type { ApiRequest } from './request.js';

test('a streamed response whose client goes away aborts the request signal; a plain one never makes one', async () => {
  let aborted: () => void = () => undefined;
  const abortedP = new Promise<void>((r) => (aborted = r));
  const seen: ApiRequest[] = [];
  const server = new HttpServer(
    async (req) => {
      seen.push(req);
      if (req.path === '/plain') return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' };
      req.signal.addEventListener('abort', () => aborted(), { once: true });
      async function* stream() {
        yield 'first\n';
        await new Promise<void>((r) => req.signal.addEventListener('abort', () => r(), { once: true }));
      }
      return { status: 200, headers: { 'content-type': 'text/plain' }, stream: stream(), longRunning: true };
    },
    { port: 0 },
  );
  const port = await server.listen();
  try {
    const plain = await fetch(`http://127.0.0.1:${port}/plain`);
    assert.equal(await plain.text(), 'ok');
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`http://127.0.0.1:${port}/stream`, (res) => {
        res.once('data', (d) => {
          assert.equal(String(d), 'first\n');
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.setTimeout(5000, () => reject(new Error('no first chunk')));
    });
    await Promise.race([abortedP, new Promise((_, reject) => setTimeout(() => reject(new Error('signal not aborted')), 5000))]);
    assert.equal(seen.length, 2);
  } finally {
    await server.close();
  }
});

test('a chunk written straight to many streams is framed once, and arrives after what each stream wrote', async () => {
  const writers: ((c: string) => boolean)[] = [];
  let attached: () => void = () => undefined;
  const bothAttached = new Promise<void>((r) => (attached = r));
  const server = new HttpServer(
    async (req) => {
      async function* stream() {
        yield 'first\n';
        await new Promise<void>((r) => req.signal.addEventListener('abort', () => r(), { once: true }));
      }
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        stream: stream(),
        longRunning: true,
        attachWriter: (w) => {
          writers.push(w);
          if (writers.length === 2) attached();
        },
      };
    },
    { port: 0 },
  );
  const port = await server.listen();
  const bodies: Promise<string>[] = [];
  const reqs: http.ClientRequest[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      bodies.push(
        new Promise<string>((resolve, reject) => {
          const req = http.get(`http://127.0.0.1:${port}/w`, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              body += d;
              if (body.endsWith('ñ"}\n')) resolve(body);
            });
          });
          req.on('error', reject);
          reqs.push(req);
        }),
      );
    }
    await bothAttached;
    // Let each stream's first chunk reach its socket before the direct writes.
    await new Promise((r) => setTimeout(r, 50));
    const line = '{"name":"señor","x":"ñ"}\n';
    assert.equal(writers[0]!(line), true);
    assert.equal(writers[1]!(line), true);
    for (const body of await Promise.all(bodies)) assert.equal(body, 'first\n{"name":"señor","x":"ñ"}\n');
    // The frame: size in hex (UTF-8 bytes), CRLF, bytes, CRLF; the same buffer for the same string.
    const frame = frameOf(line);
    assert.equal(frame.toString(), `${Buffer.byteLength(line).toString(16)}\r\n${line}\r\n`);
    assert.equal(frameOf(line), frame, 'made once');
    assert.notEqual(frameOf('other\n'), frame);
    assert.equal(frameOf('').length, 0, 'no zero-size chunk, which would end the body');
  } finally {
    for (const r of reqs) r.destroy();
    await server.close();
  }
});
