import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import { forbidden } from '../api/errors.js';
import type { Client } from '../client/client.js';
import { EVENTS, PODS, REPLICA_SETS } from '../client/resources.js';
import { ReplicaSetController } from './replicaset.js';
import { eventually, testCluster } from './test-cluster.js';

async function harness(t: TestContext, opts: { now?: () => Date; run?: boolean; burst?: number } = {}) {
  const c = await testCluster({ now: opts.now });
  t.after(() => c.close());
  const ctrl = new ReplicaSetController(c.deps, { burst: opts.burst });
  if (opts.run !== false) await c.run(ctrl);
  return { ...c, ctrl };
}

const rsObj = (name: string, replicas: number, extra: Record<string, any> = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, tier: 'web' }, annotations: { note: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    ...extra,
  },
});

const podsOf = async (client: Client, app: string, opts: { all?: boolean } = {}) =>
  (await client.list(PODS, 'default', { labelSelector: `app=${app}` })).items.filter((p) => opts.all || !p.metadata?.deletionTimestamp);

const getRs = (client: Client, name: string) => client.get(REPLICA_SETS, 'default', name);

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What a kubelet would report: Running, an IP, and Ready (true or false) since `since`. */
async function setPodState(client: Client, pod: KObject, opts: { ready: boolean; since?: Date; ip?: string }): Promise<void> {
  const fresh = await client.get(PODS, 'default', pod.metadata!.name!);
  const since = rfc3339(opts.since ?? new Date());
  await client.update(
    PODS,
    {
      ...fresh,
      status: {
        ...fresh.status,
        phase: 'Running',
        podIP: opts.ip ?? '10.0.0.1',
        conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: since }],
      },
    },
    'status',
  );
}

const events = async (client: Client, reason: string) =>
  (await client.list(EVENTS, 'default')).items.filter((e: any) => e.reason === reason).map((e: any) => e.message as string);

test('ReplicaSetController creates pods named <rs>-<suffix> from the template with a controller reference', async (t) => {
  const h = await harness(t);
  const rs = await h.client.create(REPLICA_SETS, 'default', rsObj('web', 3));
  await eventually(async () => (await podsOf(h.client, 'web')).length === 3, 'three pods');
  for (const p of await podsOf(h.client, 'web')) {
    assert.match(p.metadata!.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(p.metadata?.generateName, 'web-');
    assert.deepEqual(p.metadata?.labels, { app: 'web', tier: 'web' });
    assert.deepEqual(p.metadata?.annotations, { note: 'x' });
    assert.deepEqual(p.metadata?.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true },
    ]);
  }
  await eventually(async () => (await getRs(h.client, 'web')).status?.replicas === 3, 'status.replicas 3');
  const status = (await getRs(h.client, 'web')).status;
  assert.equal(status.fullyLabeledReplicas, 3);
  assert.equal(status.observedGeneration, 1);
  assert.equal(status.readyReplicas, undefined);
  await eventually(async () => (await events(h.client, 'SuccessfulCreate')).length > 0, 'SuccessfulCreate events');
  const created = await events(h.client, 'SuccessfulCreate');
  const names = new Set((await podsOf(h.client, 'web')).map((p) => `Created pod: ${p.metadata?.name}`));
  for (const m of created) assert.ok(names.has(m), m);
});

test('ReplicaSetController counts ready and available pods, waiting minReadySeconds for availability', async (t) => {
  const h = await harness(t);
  await h.client.create(REPLICA_SETS, 'default', rsObj('web', 2, { minReadySeconds: 1 }));
  await eventually(async () => (await podsOf(h.client, 'web')).length === 2, 'two pods');
  const [a, b] = await podsOf(h.client, 'web');
  await setPodState(h.client, a, { ready: true, since: new Date(Date.now() - 60_000) });
  await setPodState(h.client, b, { ready: true });
  await eventually(async () => (await getRs(h.client, 'web')).status?.readyReplicas === 2, 'two ready');
  const mid = (await getRs(h.client, 'web')).status;
  assert.equal(mid.availableReplicas, 1, 'the pod ready for a minute is available, the new one not yet');
  await eventually(async () => (await getRs(h.client, 'web')).status?.availableReplicas === 2, 'both available after minReadySeconds', 4000);
});

test('ReplicaSetController replaces a deleted pod and a failed one', async (t) => {
  const h = await harness(t);
  await h.client.create(REPLICA_SETS, 'default', rsObj('web', 2));
  await eventually(async () => (await podsOf(h.client, 'web')).length === 2, 'two pods');
  const [a, b] = await podsOf(h.client, 'web');
  await h.client.delete(PODS, 'default', a.metadata!.name!);
  const fresh = await h.client.get(PODS, 'default', b.metadata!.name!);
  await h.client.update(PODS, { ...fresh, status: { ...fresh.status, phase: 'Failed' } }, 'status');
  await eventually(async () => {
    const active = (await podsOf(h.client, 'web')).filter((p) => p.status?.phase !== 'Failed');
    return active.length === 2 && !active.some((p) => p.metadata?.name === a.metadata?.name || p.metadata?.name === b.metadata?.name);
  }, 'two new pods');
});

test('ReplicaSetController scales down preferring unready pods, then the most recently ready', async (t) => {
  const h = await harness(t);
  await h.client.create(REPLICA_SETS, 'default', rsObj('web', 4));
  await eventually(async () => (await podsOf(h.client, 'web')).length === 4, 'four pods');
  const pods = await podsOf(h.client, 'web');
  const [old, recent, unready] = pods;
  const now = Date.now();
  await setPodState(h.client, old, { ready: true, since: new Date(now - 3600_000) });
  await setPodState(h.client, recent, { ready: true, since: new Date(now - 5_000) });
  await setPodState(h.client, unready, { ready: false });
  // The fourth stays Pending: it goes first, then the unready Running one, then the recently ready.
  await eventually(async () => (await getRs(h.client, 'web')).status?.readyReplicas === 2, 'two ready');
  await h.client.patch(REPLICA_SETS, 'default', 'web', { spec: { replicas: 2 } });
  await eventually(async () => (await podsOf(h.client, 'web')).length === 2, 'two pods left');
  const left = (await podsOf(h.client, 'web')).map((p) => p.metadata?.name).sort();
  assert.deepEqual(left, [old.metadata?.name, recent.metadata?.name].sort(), 'the pending and the unready pods go first');
  await h.client.patch(REPLICA_SETS, 'default', 'web', { spec: { replicas: 1 } });
  await eventually(async () => (await podsOf(h.client, 'web')).length === 1, 'one pod left');
  assert.equal((await podsOf(h.client, 'web'))[0].metadata?.name, old.metadata?.name, 'the longest-ready pod is kept');
  // (The recorder may drop an event whose generated name collides; the messages are what matters.)
  await eventually(async () => (await events(h.client, 'SuccessfulDelete')).length > 0, 'SuccessfulDelete events');
  const kept = `Deleted pod: ${old.metadata?.name}`;
  for (const m of await events(h.client, 'SuccessfulDelete')) {
    assert.match(m, /^Deleted pod: web-[a-z0-9]{5}$/);
    assert.notEqual(m, kept);
  }
});

test('ReplicaSetController adopts matching orphans and releases pods whose labels stop matching', async (t) => {
  const h = await harness(t);
  const orphan: KObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stray', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  };
  await h.client.create(PODS, 'default', orphan);
  const rs = await h.client.create(REPLICA_SETS, 'default', rsObj('web', 2));
  await eventually(async () => (await podsOf(h.client, 'web')).length === 2, 'two pods');
  await eventually(async () => (await h.client.get(PODS, 'default', 'stray')).metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid, 'the orphan adopted');
  // Relabel the adopted pod: it is released and replaced.
  await h.client.patch(PODS, 'default', 'stray', { metadata: { labels: { app: 'other' } } });
  await eventually(async () => !(await h.client.get(PODS, 'default', 'stray')).metadata?.ownerReferences, 'the pod released');
  await eventually(async () => (await podsOf(h.client, 'web')).length === 2, 'a replacement');
});

test('ReplicaSetController does not adopt into a ReplicaSet that the API server no longer has', async (t) => {
  const h = await harness(t, { run: false });
  await h.informers.start();
  const rs = await h.client.create(REPLICA_SETS, 'default', rsObj('web', 0));
  await h.client.create(PODS, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'stray', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
  await eventually(() => !!h.informers.for(PODS).get('default/stray') && !!h.informers.for(REPLICA_SETS).get('default/web'), 'the caches');
  // Recreate the ReplicaSet under the same name: the cache may still hold the old uid.
  await h.client.delete(REPLICA_SETS, 'default', 'web');
  const again = await h.client.create(REPLICA_SETS, 'default', rsObj('web', 0));
  assert.notEqual(again.metadata?.uid, rs.metadata?.uid);
  const stale = { ...rs };
  // Drive the sync with the stale object, as a lagging cache would.
  const sets = h.informers.for(REPLICA_SETS) as any;
  const realGet = sets.get.bind(sets);
  sets.get = (k: string) => (k === 'default/web' ? stale : realGet(k));
  await assert.rejects(h.ctrl.reconcile('default/web'), /is gone: got uid/);
  assert.equal((await h.client.get(PODS, 'default', 'stray')).metadata?.ownerReferences, undefined);
});

test('ReplicaSetController never creates more pods than replicas while its cache lags', async (t) => {
  const h = await harness(t, { run: false });
  await h.informers.start();
  await h.client.create(REPLICA_SETS, 'default', rsObj('web', 5));
  await eventually(() => !!h.informers.for(REPLICA_SETS).get('default/web'), 'the cache');
  // Syncs back to back: each must count the pods the previous one created although the cache may not show them yet.
  for (let i = 0; i < 3; i++) await h.ctrl.reconcile('default/web').catch(() => undefined);
  assert.equal((await podsOf(h.client, 'web')).length, 5);
});

test('ReplicaSetController creates a large ReplicaSet in bursts without overshooting', async (t) => {
  const h = await harness(t, { burst: 100 });
  await h.client.create(REPLICA_SETS, 'default', rsObj('big', 400));
  await eventually(async () => (await getRs(h.client, 'big')).status?.replicas === 400, '400 replicas', 20_000);
  assert.equal((await podsOf(h.client, 'big')).length, 400);
  await h.client.patch(REPLICA_SETS, 'default', 'big', { spec: { replicas: 10 } });
  await eventually(async () => (await podsOf(h.client, 'big')).length === 10, 'scaled down to 10', 20_000);
});

test('ReplicaSetController reports FailedCreate in an event and a ReplicaFailure condition, and clears it', async (t) => {
  // An admission plugin standing in for a quota: pods labelled quota=exceeded are refused.
  let refuse = true;
  const c = await testCluster({
    admission: () => [
      (ctx) => {
        if (refuse && ctx.operation === 'CREATE' && ctx.def.plural === 'pods' && ctx.obj.metadata?.labels?.quota === 'exceeded') {
          throw forbidden({ group: '', resource: 'pods' }, ctx.obj.metadata?.name ?? '', 'exceeded quota: pods');
        }
      },
    ],
  });
  t.after(() => c.close());
  await c.run(new ReplicaSetController(c.deps));
  const rs = rsObj('web', 2);
  rs.spec.template.metadata.labels.quota = 'exceeded';
  await c.client.create(REPLICA_SETS, 'default', rs);
  await eventually(async () => (await getRs(c.client, 'web')).status?.conditions?.[0]?.type === 'ReplicaFailure', 'a ReplicaFailure condition');
  const cond = (await getRs(c.client, 'web')).status.conditions[0];
  assert.deepEqual([cond.status, cond.reason], ['True', 'FailedCreate']);
  assert.match(cond.message, /exceeded quota: pods/);
  await eventually(async () => (await events(c.client, 'FailedCreate')).length > 0, 'a FailedCreate event');
  assert.match((await events(c.client, 'FailedCreate'))[0], /^Error creating: pods "web-[a-z0-9]{5}" is forbidden: exceeded quota: pods$/);
  refuse = false;
  await eventually(async () => {
    const st = (await getRs(c.client, 'web')).status;
    return st.replicas === 2 && !st.conditions;
  }, 'the condition cleared once pods are created', 8000);
});
