import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { HttpServer, chunkFrame } from './http-server.js';
import { SharedChunk } from './request.js';
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

test('a shared chunk goes out framed once for every stream that sends it, after what the stream wrote', async () => {
  const writers: ((c: SharedChunk) => boolean)[] = [];
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
    const chunk = new SharedChunk('{"name":"señor","x":"ñ"}\n');
    assert.equal(writers[0]!(chunk), true);
    const wire = chunk.wire;
    assert.ok(wire);
    assert.equal(writers[1]!(chunk), true);
    assert.equal(chunk.wire, wire, 'encoded once, by the first stream');
    assert.equal(wire.toString('latin1', 0, 4), `${Buffer.byteLength(chunk.text).toString(16)}\r\n`);
    for (const body of await Promise.all(bodies)) assert.equal(body, 'first\n{"name":"señor","x":"ñ"}\n');
  } finally {
    for (const r of reqs) r.destroy();
    await server.close();
  }
});
