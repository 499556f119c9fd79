import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { HttpServer } from '../apiserver/http-server.js';
import { Client } from '../client/client.js';
import { NODES, PODS } from '../client/resources.js';
import { HttpTransport } from '../client/transport.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import { isRunningReady, podObject } from './agent-test-support.js';
import { startAgent } from './agent.js';
import { createSimulatedRuntime } from './simulated-runtime.js';

test('an agent over HTTP (berth agent) registers, runs a pod and confirms its deletion', async () => {
  const tc = await testCluster();
  const http = new HttpServer((r) => tc.api.handle(r), { port: 0 });
  const port = await http.listen();
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-agent-'));
  const client = new Client(new HttpTransport(`http://127.0.0.1:${port}`, 'berth-agent'));
  const agent = await startAgent({ client, nodeName: 'remote-1', runtime: createSimulatedRuntime(), dataDir, podCIDR: '10.244.9.0/24', nodeIP: '10.0.0.9', waitForAttach: false });
  try {
    assert.equal((await tc.client.get<KObject>(NODES, undefined, 'remote-1')).status.nodeInfo.kubeletVersion, 'v1.32.0');
    await tc.client.create(PODS, 'default', podObject('web-0', { node: 'remote-1' }));
    const get = () => tc.client.get<KObject>(PODS, 'default', 'web-0').catch(() => undefined);
    await eventually(async () => isRunningReady(await get()), 'Running over HTTP');
    assert.match((await get())!.status.podIP, /^10\.244\.9\./);
    await tc.client.delete(PODS, 'default', 'web-0');
    await eventually(async () => (await get()) === undefined, 'deletion confirmed over HTTP');
  } finally {
    await agent.stop();
    await http.close();
    await tc.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
