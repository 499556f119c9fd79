import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { HttpServer } from './http-server.js';
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
