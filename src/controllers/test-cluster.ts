// Test support for controllers, provisioners and admission: a real in-process API server on the
// memory store, a client and shared informers whose cached objects are deep-frozen (so a
// controller that mutates a cached object fails its test), and `eventually` for level-based
// assertions. Not used outside tests.

import assert from 'node:assert/strict';
import { ApiServer } from '../apiserver/api-server.js';
import { ALL_RESOURCES } from '../api/registry.js';
import { fieldManager } from '../apiserver/registry/field-manager.js';
import type { AdmissionPlugin } from '../apiserver/registry/resource-store.js';
import type { ServerParts } from '../apiserver/handlers/context.js';
import { Client } from '../client/client.js';
import { InProcessTransport } from '../client/transport.js';
import { SharedInformers } from '../client/shared-informers.js';
import type { ControllerDeps } from './deps.js';
import { controllerDeps } from './deps.js';
import { deepFreeze } from '../api/freeze.js';

export { deepFreeze };

/** A controller, as far as the cluster starts and stops it. */
export interface Runnable {
  start(): unknown;
  stop(): unknown;
}

export interface TestCluster {
  api: ApiServer;
  client: Client;
  informers: SharedInformers;
  deps: ControllerDeps;
  /** Starts the informers (call after constructing the controllers under test). */
  startInformers(): Promise<void>;
  /** Starts the informers, then `controllers` in order; close() stops them first. */
  run(...controllers: Runnable[]): Promise<void>;
  close(): Promise<void>;
}

/** `now` is the controllers' clock, `serverNow` the API server's (creation and deletion timestamps). */
export async function testCluster(
  opts: { admission?: (parts: () => ServerParts) => AdmissionPlugin[]; now?: () => Date; serverNow?: () => Date; resyncMs?: number } = {},
): Promise<TestCluster> {
  const api: ApiServer = await ApiServer.open(
    { kind: 'memory', dataDir: '' },
    { resources: ALL_RESOURCES, admission: opts.admission?.(() => api.serverParts) ?? [], fieldManager, now: opts.serverNow },
  );
  await api.start();
  const client = new Client(new InProcessTransport((r) => api.handle(r), 'test'));
  const informers = new SharedInformers(client, { freeze: deepFreeze, resyncMs: opts.resyncMs });
  const deps = controllerDeps(client, informers, { now: opts.now });
  const running: Runnable[] = [];
  return {
    api,
    client,
    informers,
    deps,
    startInformers: () => informers.start(),
    async run(...controllers) {
      await informers.start();
      for (const c of controllers) {
        running.push(c);
        await c.start();
      }
    },
    async close() {
      for (const c of running) await c.stop();
      await informers.stop();
      await api.close();
    },
  };
}

export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
