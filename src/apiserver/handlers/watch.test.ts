import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { HttpServer } from '../http-server.js';
import { testCluster } from '../../controllers/test-cluster.js';

const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', namespaced: true } as const;

/** Opens a watch over HTTP; `paused` leaves the socket unread until resume() (the client falls behind). */
function watch(port: number, path: string, paused = false) {
  const seen: { type: string; name: string; seq: number }[] = [];
  let pending = '';
  let res: http.IncomingMessage | undefined;
  const opened = new Promise<void>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false }, (r) => {
      res = r;
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => {
        pending += chunk;
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const ev = JSON.parse(pending.slice(0, nl)) as { type: string; object: { metadata: { name: string }; data?: { seq?: string } } };
          pending = pending.slice(nl + 1);
          seen.push({ type: ev.type, name: ev.object.metadata.name, seq: Number(ev.object.data?.seq ?? -1) });
        }
      });
      if (paused) r.pause();
      resolve();
    });
    req.on('error', reject);
  });
  return { seen, opened, resume: () => res!.resume(), close: () => res?.destroy() };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('watch events reach a keeping-up client and a client that falls behind, all of them, in order', async () => {
  const c = await testCluster();
  const server = new HttpServer((req) => c.api.handle(req), { port: 0 });
  const port = await server.listen();
  try {
    const path = '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=' + (await c.client.list(CONFIGMAPS, 'default')).resourceVersion;
    const fast = watch(port, path);
    const slow = watch(port, path, true);
    await Promise.all([fast.opened, slow.opened]);
    // Small writes a few ms apart (each written straight to both sockets while they keep up), then
    // large ones back to back (the paused client's socket fills: backpressure, queued lines), then
    // small ones again (the direct path must resume only behind what is queued).
    const filler = 'x'.repeat(64 * 1024);
    const N = 150;
    for (let i = 0; i < N; i++) {
      const name = `cm-${i % 10}`;
      const big = i >= 40 && i < 100;
      const data = big ? { seq: String(i), filler } : { seq: String(i), filler: '' };
      if (i < 10) await c.client.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
      else await c.client.patch(CONFIGMAPS, 'default', name, { data });
      if (!big) await new Promise((r) => setTimeout(r, 2));
    }
    // And bursts: writes in flight together, whose events arrive in the same turns.
    for (let burst = 0; burst < 5; burst++) {
      const base = N + burst * 10;
      await Promise.all(Array.from({ length: 10 }, (_, j) => c.client.patch(CONFIGMAPS, 'default', `cm-${j}`, { data: { seq: String(base + j) } })));
      await new Promise((r) => setTimeout(r, 2));
    }
    const total = N + 50;
    await until(() => fast.seen.length === total, `the fast watcher's ${total} events (has ${fast.seen.length})`);
    assert.ok(slow.seen.length < total, 'the paused watcher has not read everything yet');
    slow.resume();
    await until(() => slow.seen.length === total, `the slow watcher's ${total} events (has ${slow.seen.length})`);
    for (const w of [fast, slow]) {
      // Within a burst the writes commit in some order; each watcher must see that one order.
      assert.deepEqual(w.seen.slice(0, N).map((e) => e.seq), Array.from({ length: N }, (_, i) => i));
      assert.deepEqual(w.seen.slice(N).map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => N + i));
      assert.deepEqual(w.seen.slice(0, 10).map((e) => e.type), Array(10).fill('ADDED'));
      assert.ok(w.seen.slice(10).every((e) => e.type === 'MODIFIED'));
    }
    assert.deepEqual(fast.seen, slow.seen);
    fast.close();
    slow.close();
  } finally {
    await server.close();
    await c.close();
  }
});
