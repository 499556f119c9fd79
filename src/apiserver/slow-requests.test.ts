import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from './api-server.js';
import { ALL_RESOURCES } from '../api/registry.js';
import { fieldManager } from './registry/field-manager.js';
import type { AdmissionPlugin } from './registry/resource-store.js';
import { Client } from '../client/client.js';
import { InProcessTransport } from '../client/transport.js';
import { CONFIG_MAPS } from '../client/resources.js';

test('a request answered after 500 ms or more is named in the log, with its status; quick ones are not', async (t) => {
  const lines: string[] = [];
  const slowAdmission: AdmissionPlugin = (ctx) => (ctx.obj?.metadata?.name === 'slow' ? new Promise((r) => setTimeout(r, 600)) : undefined);
  const api = await ApiServer.open({ kind: 'memory', dataDir: '' }, { resources: ALL_RESOURCES, admission: [slowAdmission], fieldManager, log: (l) => lines.push(l) });
  await api.start();
  t.after(() => api.close());
  const client = new Client(new InProcessTransport((r) => api.handle(r), 'test'));
  await client.create(CONFIG_MAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'quick' } });
  await client.create(CONFIG_MAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'slow' } });
  const slow = lines.filter((l) => l.startsWith('SLOW '));
  assert.equal(slow.length, 1, lines.join('\n'));
  assert.match(slow[0]!, /^SLOW POST \/api\/v1\/namespaces\/default\/configmaps(\?\S*)? => 201 after \d+ ms$/);
  assert.ok(Number(/after (\d+) ms/.exec(slow[0]!)![1]) >= 500);
});
