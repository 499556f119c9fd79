import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testCluster } from '../controllers/test-cluster.js';
import { CONFIG_MAPS } from './resources.js';

test('each handler is resynced on its own period; a handler without one only sees changes', async () => {
  const c = await testCluster();
  try {
    await c.client.create(CONFIG_MAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const inf = c.informers.for(CONFIG_MAPS);
    const fast: string[] = [];
    const quiet: string[] = [];
    inf.onChange((k) => fast.push(k), { resyncMs: 40 });
    inf.onChange((k) => quiet.push(k));
    await c.informers.start();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(fast.filter((k) => k === 'default/a').length >= 3, `resynced handler saw ${fast.length} calls`);
    assert.deepEqual(quiet, ['default/a']);
  } finally {
    await c.close();
  }
});
