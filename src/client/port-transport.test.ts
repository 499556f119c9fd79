import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { PortTransport, servePort } from './port-transport.js';
import { Client } from './client.js';
import { InProcessTransport } from './transport.js';
import type { Transport } from './transport.js';
import { testCluster } from '../controllers/test-cluster.js';

const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', namespaced: true } as const;

async function linked() {
  const c = await testCluster();
  const { port1, port2 } = new MessageChannel();
  const inner = new InProcessTransport((r) => c.api.handle(r), 'kubelet/test', false);
  // Counts the serving side's streams still being read.
  const streams = { open: 0 };
  const served: Transport = {
    request: (req) => inner.request(req),
    async stream(req) {
      const res = await inner.stream(req);
      streams.open++;
      const chunks = (async function* () {
        try {
          yield* res.chunks;
        } finally {
          streams.open--;
        }
      })();
      return { ...res, chunks };
    },
  };
  servePort(port1, served);
  const client = new Client(new PortTransport(port2));
  return {
    c,
    client,
    streams,
    close: async () => {
      port1.close();
      port2.close();
      await c.close();
    },
  };
}

test('a client across a port creates, reads, patches and gets API errors as Statuses, under its own user agent', async () => {
  const { c, client, close } = await linked();
  try {
    const made = await client.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } });
    assert.equal(made.metadata?.name, 'a');
    await client.patch(CONFIGMAPS, 'default', 'a', { data: { k: 'w' } });
    assert.equal((await c.client.get(CONFIGMAPS, 'default', 'a')).data?.k, 'w');
    assert.equal((await client.get(CONFIGMAPS, 'default', 'a')).metadata?.managedFields?.[0]?.manager, 'kubelet');
    await assert.rejects(client.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }), (e: any) => e.code === 409 && e.status?.reason === 'AlreadyExists');
  } finally {
    await close();
  }
});

test('a watch across a port streams events as they happen and ends on the serving side when aborted', async () => {
  const { c, client, streams, close } = await linked();
  try {
    const ac = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const ev of client.watch(CONFIGMAPS, 'default', { resourceVersion: '0' }, ac.signal)) {
        seen.push(`${ev.type} ${ev.object.metadata?.name} ${ev.object.data?.n ?? ''}`);
        if (seen.length === 3) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await c.client.create(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w' }, data: { n: '1' } });
    await c.client.patch(CONFIGMAPS, 'default', 'w', { data: { n: '2' } });
    await c.client.delete(CONFIGMAPS, 'default', 'w');
    await Promise.race([watching.catch(() => undefined), new Promise((_, rej) => setTimeout(() => rej(new Error('watch did not end after abort')), 5000))]);
    assert.deepEqual(seen, ['ADDED w 1', 'MODIFIED w 2', 'DELETED w 2']);
    // The serving side let go of the watch.
    const deadline = Date.now() + 5000;
    while (streams.open > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(streams.open, 0);
  } finally {
    await close();
  }
});

test('a status-only request gets no body back across the port when it succeeds, and the Status when it fails', async () => {
  const c = await testCluster();
  const { port1, port2 } = new MessageChannel();
  servePort(port1, new InProcessTransport((r) => c.api.handle(r), 'test', false));
  const t = new PortTransport(port2);
  try {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 's' } });
    const req = { method: 'POST', path: '/api/v1/namespaces/default/configmaps', body, headers: { 'content-type': 'application/json' } };
    const quiet = await t.request({ ...req, statusOnly: true });
    assert.equal(quiet.status, 201);
    assert.equal(quiet.body, '');
    const again = await t.request({ ...req, statusOnly: true });
    assert.equal(again.status, 409);
    assert.equal(JSON.parse(again.body).reason, 'AlreadyExists');
    const full = await t.request({ method: 'GET', path: '/api/v1/namespaces/default/configmaps/s' });
    assert.equal(JSON.parse(full.body).metadata.name, 's');
  } finally {
    port1.close();
    port2.close();
    await c.close();
  }
});
