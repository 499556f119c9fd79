import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { forbidden } from '../../api/errors.js';
import { CONFIG_MAPS } from '../../client/resources.js';
import { testCluster } from '../../controllers/test-cluster.js';
import type { AdmissionPlugin } from './resource-store.js';

async function cluster(t: TestContext, plugins: AdmissionPlugin[]) {
  const c = await testCluster({ admission: () => plugins });
  t.after(() => c.close());
  return c.client;
}

const cm = (name: string): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: {} });

/** A plugin that appends `tag` to the object's data.trail (on config maps), after `delayMs` if given. */
function mark(tag: string, delayMs?: number): AdmissionPlugin {
  const apply: AdmissionPlugin = (ctx) => {
    if (ctx.def.kind !== 'ConfigMap' || ctx.operation === 'DELETE') return;
    const data = (ctx.obj.data ??= {}) as Record<string, string>;
    data.trail = (data.trail ?? '') + tag;
  };
  return delayMs === undefined ? apply : (ctx) => new Promise<void>((r) => setTimeout(r, delayMs)).then(() => apply(ctx));
}

test('admission runs every plugin in order, synchronous and asynchronous alike, on create and update', async (t) => {
  const client = await cluster(t, [mark('a'), mark('b', 5), mark('c'), mark('d', 1), mark('e')]);
  const created = await client.create<KObject>(CONFIG_MAPS, 'default', cm('x'));
  assert.equal(created.data.trail, 'abcde');
  const updated = await client.update<KObject>(CONFIG_MAPS, { ...created, data: { trail: '' } });
  assert.equal(updated.data.trail, 'abcde');
});

test('a plugin that refuses, at once or later, stops the chain and the write', async (t) => {
  let after = 0;
  const refuseNow: AdmissionPlugin = (ctx) => {
    if (ctx.obj.metadata?.name === 'now') throw forbidden({ group: '', resource: 'configmaps' }, 'now', 'refused at once');
  };
  const refuseLater: AdmissionPlugin = async (ctx) => {
    await new Promise((r) => setTimeout(r, 2));
    if (ctx.obj.metadata?.name === 'later') throw forbidden({ group: '', resource: 'configmaps' }, 'later', 'refused later');
  };
  const count: AdmissionPlugin = () => void after++;
  const client = await cluster(t, [refuseNow, refuseLater, count]);
  await assert.rejects(client.create(CONFIG_MAPS, 'default', cm('now')), /refused at once/);
  await assert.rejects(client.create(CONFIG_MAPS, 'default', cm('later')), /refused later/);
  assert.equal(after, 0, 'no plugin after the refusal ran');
  await assert.rejects(client.get(CONFIG_MAPS, 'default', 'now'), /not found/);
  await assert.rejects(client.get(CONFIG_MAPS, 'default', 'later'), /not found/);
  await client.create(CONFIG_MAPS, 'default', cm('fine'));
  assert.equal(after, 1);
});
