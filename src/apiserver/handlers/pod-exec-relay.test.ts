// The API server's exec relay against a fake agent that answers its upgrade and sends the
// command's first output in one write, as a busy server's socket read can see them: that output
// reaches the client before the Status, nothing lost.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { NODES, PODS } from '../../client/resources.js';
import { testCluster } from '../../controllers/test-cluster.js';
import { ensureAgentCredentials } from '../../server/agent-credentials.js';
import { HttpServer } from '../http-server.js';

/** An unmasked binary frame (server to client) of under 126 bytes. */
const frame = (channel: number, text: string) => {
  const body = Buffer.concat([Buffer.from([channel]), Buffer.from(text)]);
  return Buffer.concat([Buffer.from([0x82, body.length]), body]);
};
const CLOSE_1000 = Buffer.from([0x88, 2, 0x03, 0xe8]);
const SUCCESS = JSON.stringify({ metadata: {}, status: 'Success' });

/** Answers every exec upgrade with 101 and `first` in one write, then the Status and a close. */
function fakeAgent(first: Buffer): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket) => {
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    const head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`;
    socket.write(Buffer.concat([Buffer.from(head), first]));
    setTimeout(() => socket.end(Buffer.concat([frame(3, SUCCESS), CLOSE_1000])), 50);
    socket.on('error', () => undefined);
    socket.resume();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
      }),
    ),
  );
}

test('output the agent sends with its upgrade answer reaches the client, before the Status', async () => {
  const agent = await fakeAgent(Buffer.concat([frame(1, 'sleeper\n'), frame(2, 'warn\n')]));
  const tc = await testCluster();
  const server = new HttpServer((r) => tc.api.handle(r), { port: 0, onUpgrade: (req, socket, head) => void tc.api.upgrade(req, socket, head) });
  try {
    const url = `ws://127.0.0.1:${await server.listen()}`;
    await ensureAgentCredentials(tc.client);
    await tc.client.create(NODES, undefined, { metadata: { name: 'fake-node' } });
    const node = await tc.client.get(NODES, undefined, 'fake-node');
    const status = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: agent.port } } };
    await tc.client.update(NODES, { ...node, status }, 'status');
    await tc.client.create(PODS, 'default', { metadata: { name: 'sleeper' }, spec: { nodeName: 'fake-node', containers: [{ name: 'main', image: 'busybox' }] } });

    for (const protocol of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
      const ws = new WebSocket(`${url}/api/v1/namespaces/default/pods/sleeper/exec?command=hostname&stdout=true&stderr=true`, [protocol]);
      const frames: string[] = [];
      ws.on('message', (d: Buffer) => frames.push(`${d[0]}:${d.subarray(1).toString()}`));
      const code = await new Promise((resolve, reject) => (ws.once('close', resolve), ws.once('error', reject)));
      assert.equal(code, 1000);
      assert.deepEqual(frames, ['1:sleeper\n', '2:warn\n', `3:${SUCCESS}`], protocol);
    }
  } finally {
    await server.close();
    await tc.close();
    await agent.close();
  }
});
