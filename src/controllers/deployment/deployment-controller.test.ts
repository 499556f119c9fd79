import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import type { Client } from '../../client/client.js';
import { DEPLOYMENTS, EVENTS, PODS, REPLICA_SETS } from '../../client/resources.js';
import { ReplicaSetController } from '../replicaset.js';
import { eventually, testCluster } from '../test-cluster.js';
import { computeHash } from '../util/hash.js';
import { DeploymentController } from './deployment-controller.js';

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A cluster with the Deployment and ReplicaSet controllers and a stand-in kubelet that makes every
 * pod Running and Ready as soon as it appears, unless `ready` says otherwise.
 */
async function harness(t: TestContext, opts: { ready?: (pod: KObject) => boolean; run?: boolean } = {}) {
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const c = await testCluster({ now });
  t.after(() => c.close());
  const ready = opts.ready ?? (() => true);
  c.informers.for(PODS).onChange((_key, pod) => {
    if (!pod || pod.status?.phase === 'Running' || pod.metadata?.deletionTimestamp || !ready(pod)) return;
    const status = { ...pod.status, phase: 'Running', podIP: '10.1.0.1', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(now()) }] };
    c.client.update(PODS, { ...pod, status }, 'status').catch(() => undefined);
  });
  const deployments = new DeploymentController(c.deps);
  const replicaSets = new ReplicaSetController(c.deps);
  if (opts.run !== false) await c.run(deployments, replicaSets);
  return { ...c, deployments, replicaSets, advance: (ms: number) => (offset += ms) };
}

const deployment = (name: string, replicas: number, spec: Record<string, any> = {}): KObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', annotations: { 'kubernetes.io/change-cause': 'v1' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } },
    ...spec,
  },
});

const getD = (client: Client, name: string) => client.get(DEPLOYMENTS, 'default', name);
const replicaSets = async (client: Client) => (await client.list(REPLICA_SETS, 'default')).items;
const livePods = async (client: Client, app: string) =>
  (await client.list(PODS, 'default', { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata?.deletionTimestamp);
const events = async (client: Client, reason: string) =>
  (await client.list(EVENTS, 'default')).items.filter((e: any) => e.reason === reason).map((e: any) => e.message as string);
const cond = (d: KObject, type: string) => (d.status?.conditions ?? []).find((c: any) => c.type === type);

/** What `kubectl rollout status` waits for. */
async function rolledOut(client: Client, name: string): Promise<boolean> {
  const d = await getD(client, name);
  const st = d.status ?? {};
  return (
    (d.metadata?.generation ?? 0) <= (st.observedGeneration ?? 0) &&
    (st.updatedReplicas ?? 0) === d.spec.replicas &&
    (st.replicas ?? 0) === (st.updatedReplicas ?? 0) &&
    (st.availableReplicas ?? 0) === (st.updatedReplicas ?? 0)
  );
}

/** Rolled out, and every ReplicaSet still running pods runs `image`. */
async function rolledOutImage(client: Client, name: string, image: string): Promise<boolean> {
  if (!(await rolledOut(client, name))) return false;
  return (await replicaSets(client)).every((rs) => !rs.spec.replicas || rs.spec.template.spec.containers[0].image === image);
}

const setImage = (client: Client, name: string, image: string, cause?: string) =>
  client.patch(DEPLOYMENTS, 'default', name, {
    metadata: cause ? { annotations: { 'kubernetes.io/change-cause': cause } } : {},
    spec: { template: { spec: { containers: [{ name: 'c', image }] } } },
  }, { type: 'strategic' });

test('DeploymentController creates <deployment>-<pod-template-hash> and reports a finished rollout', async (t) => {
  const h = await harness(t);
  const d = await h.client.create(DEPLOYMENTS, 'default', deployment('web', 3));
  await eventually(() => rolledOut(h.client, 'web'), 'the rollout to finish');
  const [rs] = await replicaSets(h.client);
  const hash = computeHash(d.spec.template);
  assert.equal(rs.metadata?.name, `web-${hash}`);
  assert.deepEqual(rs.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.equal(rs.spec.template.metadata.labels['pod-template-hash'], hash);
  assert.deepEqual(rs.metadata?.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata?.uid, controller: true, blockOwnerDeletion: true },
  ]);
  assert.deepEqual(rs.metadata?.annotations, {
    'kubernetes.io/change-cause': 'v1',
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
  });
  for (const p of await livePods(h.client, 'web')) assert.equal(p.metadata?.labels?.['pod-template-hash'], hash);
  const done = await getD(h.client, 'web');
  assert.deepEqual(
    { ...done.status, conditions: undefined },
    { observedGeneration: done.metadata?.generation, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: undefined },
  );
  assert.deepEqual(
    done.status.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]),
    [
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hash}" has successfully progressed.`],
    ],
  );
  await eventually(async () => (await events(h.client, 'ScalingReplicaSet')).length > 0, 'the scaling event');
  assert.deepEqual(await events(h.client, 'ScalingReplicaSet'), [`Scaled up replica set web-${hash} to 3`]);
});

test('DeploymentController rolls out a new template within maxSurge and maxUnavailable', async (t) => {
  const h = await harness(t);
  await h.client.create(DEPLOYMENTS, 'default', deployment('web', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  await eventually(() => rolledOut(h.client, 'web'), 'the first rollout');
  let worst = { total: 0, available: Infinity };
  const watch = setInterval(async () => {
    const rss = await replicaSets(h.client).catch(() => []);
    const total = rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
    const available = rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
    worst = { total: Math.max(worst.total, total), available: Math.min(worst.available, available) };
  }, 2);
  t.after(() => clearInterval(watch));
  await setImage(h.client, 'web', 'nginx:2', 'v2');
  await eventually(() => rolledOutImage(h.client, 'web', 'nginx:2'), 'the second rollout');
  clearInterval(watch);
  assert.ok(worst.total <= 5, `at most replicas + maxSurge ReplicaSet replicas (saw ${worst.total})`);
  assert.ok(worst.available >= 4, `never below replicas - maxUnavailable available (saw ${worst.available})`);
  const rss = await replicaSets(h.client);
  assert.equal(rss.length, 2);
  const [old, cur] = rss.sort((a, b) => Number(a.metadata?.annotations?.['deployment.kubernetes.io/revision']) - Number(b.metadata?.annotations?.['deployment.kubernetes.io/revision']));
  assert.equal(old.spec.replicas, 0);
  assert.equal(cur.spec.replicas, 4);
  assert.equal(cur.metadata?.annotations?.['kubernetes.io/change-cause'], 'v2');
  assert.equal(cur.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  for (const p of await livePods(h.client, 'web')) assert.equal(p.spec.containers[0].image, 'nginx:2');
  const scaling = await events(h.client, 'ScalingReplicaSet');
  assert.ok(scaling.includes(`Scaled up replica set ${cur.metadata?.name} to 1`), scaling.join('\n'));
  assert.ok(scaling.includes(`Scaled down replica set ${old.metadata?.name} to 3 from 4`), scaling.join('\n'));
  assert.ok(scaling.includes(`Scaled down replica set ${old.metadata?.name} to 0 from 1`), scaling.join('\n'));
});

test('DeploymentController reuses the old ReplicaSet after kubectl rollout undo and gives it the next revision', async (t) => {
  const h = await harness(t);
  await h.client.create(DEPLOYMENTS, 'default', deployment('web', 2));
  await eventually(() => rolledOut(h.client, 'web'), 'the first rollout');
  const [first] = await replicaSets(h.client);
  await setImage(h.client, 'web', 'nginx:2', 'v2');
  await eventually(() => rolledOutImage(h.client, 'web', 'nginx:2'), 'the second rollout');
  // What kubectl 1.32's DeploymentRollbacker sends: the old template without its hash label, and
  // the old ReplicaSet's annotations except the controller's own.
  const d = await getD(h.client, 'web');
  const template = structuredClone(first.spec.template);
  delete template.metadata.labels['pod-template-hash'];
  const annotations: Record<string, string> = { 'kubernetes.io/change-cause': 'v1' };
  if (d.metadata?.annotations?.['deployment.kubernetes.io/revision']) annotations['deployment.kubernetes.io/revision'] = d.metadata.annotations['deployment.kubernetes.io/revision'];
  await h.client.patch(
    DEPLOYMENTS,
    'default',
    'web',
    [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
    { type: 'json' },
  );
  await eventually(async () => {
    const rs = await h.client.get(REPLICA_SETS, 'default', first.metadata!.name!);
    return rs.spec.replicas === 2 && rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3' && rolledOut(h.client, 'web');
  }, 'the first ReplicaSet back at revision 3');
  const rss = await replicaSets(h.client);
  assert.equal(rss.length, 2, 'no third ReplicaSet');
  const back = rss.find((rs) => rs.metadata?.name === first.metadata?.name)!;
  assert.equal(back.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(back.metadata?.uid, first.metadata?.uid);
  for (const p of await livePods(h.client, 'web')) assert.equal(p.spec.containers[0].image, 'nginx:1');
});

test('DeploymentController keeps kubectl rollout undo working on a Deployment created without annotations', async (t) => {
  const h = await harness(t);
  const bare = deployment('web', 1);
  delete bare.metadata!.annotations;
  await h.client.create(DEPLOYMENTS, 'default', bare);
  await eventually(() => rolledOut(h.client, 'web'), 'the first rollout');
  await setImage(h.client, 'web', 'nginx:2');
  await eventually(async () => (await replicaSets(h.client)).length === 2 && rolledOut(h.client, 'web'), 'the second rollout');
  const d = await getD(h.client, 'web');
  assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  const first = (await replicaSets(h.client)).find((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1')!;
  const template = structuredClone(first.spec.template);
  delete template.metadata.labels['pod-template-hash'];
  // kubectl's patch replaces /metadata/annotations, which therefore has to exist.
  await h.client.patch(
    DEPLOYMENTS,
    'default',
    'web',
    [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '2' } },
    ],
    { type: 'json' },
  );
  await eventually(async () => (await getD(h.client, 'web')).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '3' && rolledOut(h.client, 'web'), 'revision 3');
  for (const p of await livePods(h.client, 'web')) assert.equal(p.spec.containers[0].image, 'nginx:1');
});

test('DeploymentController Recreate scales the old ReplicaSet to zero before creating the new one', async (t) => {
  const h = await harness(t);
  await h.client.create(DEPLOYMENTS, 'default', deployment('web', 3, { strategy: { type: 'Recreate' } }));
  await eventually(() => rolledOut(h.client, 'web'), 'the first rollout');
  let overlap = false;
  const watch = setInterval(async () => {
    const images = new Set((await livePods(h.client, 'web').catch(() => [])).map((p) => p.spec.containers[0].image));
    if (images.size > 1) overlap = true;
  }, 2);
  t.after(() => clearInterval(watch));
  await setImage(h.client, 'web', 'nginx:2');
  await eventually(() => rolledOutImage(h.client, 'web', 'nginx:2'), 'the second rollout');
  clearInterval(watch);
  assert.equal(overlap, false, 'old and new pods never ran together');
  const scaling = await events(h.client, 'ScalingReplicaSet');
  const down = scaling.findIndex((m) => /^Scaled down replica set .* to 0 from 3$/.test(m));
  const up = scaling.findIndex((m, i) => i > 0 && /^Scaled up replica set .* to 3$/.test(m));
  assert.ok(down >= 0 && up > down, scaling.join('\n'));
});

test('DeploymentController scales proportionally across ReplicaSets in the middle of a rollout', async (t) => {
  // New pods never become ready, so the rollout stays in the middle.
  let blockImage = '';
  const h = await harness(t, { ready: (p) => p.spec.containers[0].image !== blockImage });
  await h.client.create(DEPLOYMENTS, 'default', deployment('web', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 0 } } }));
  await eventually(() => rolledOut(h.client, 'web'), 'the first rollout');
  blockImage = 'nginx:2';
  await setImage(h.client, 'web', 'nginx:2');
  const sizes = async () => (await replicaSets(h.client)).map((rs) => [rs.spec.template.spec.containers[0].image, rs.spec.replicas]).sort();
  await eventually(async () => JSON.stringify(await sizes()) === JSON.stringify([['nginx:1', 10], ['nginx:2', 3]]), 'old 10 / new 3');
  await h.client.patch(DEPLOYMENTS, 'default', 'web', { spec: { replicas: 20 } });
  // 23 allowed (20 + maxSurge), 13 running: old gets round(10*23/13)-10 = 8, new round(3*23/13)-3 = 2.
  await eventually(async () => JSON.stringify(await sizes()) === JSON.stringify([['nginx:1', 18], ['nginx:2', 5]]), 'old 18 / new 5');
  for (const rs of await replicaSets(h.client)) {
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas'], '20');
    assert.equal(rs.metadata?.annotations?.['deployment.kubernetes.io/max-replicas'], '23');
  }
});

test('DeploymentController leaves a paused Deployment alone until it is resumed', async (t) => {
  const h = await harness(t);
  await h.client.create(DEPLOYMENTS, 'default', deployment('web', 2));
  await eventually(() => rolledOut(h.client, 'web'), 'the first rollout');
  await h.client.patch(DEPLOYMENTS, 'default', 'web', { spec: { paused: true } });
  await setImage(h.client, 'web', 'nginx:2');
  await eventually(async () => cond(await getD(h.client, 'web'), 'Progressing')?.reason === 'DeploymentPaused', 'the paused condition');
  const p = cond(await getD(h.client, 'web'), 'Progressing');
  assert.deepEqual([p.status, p.message], ['Unknown', 'Deployment is paused']);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await replicaSets(h.client)).length, 1, 'no new ReplicaSet while paused');
  await h.client.patch(DEPLOYMENTS, 'default', 'web', { spec: { paused: false } });
  await eventually(async () => (await replicaSets(h.client)).length === 2 && rolledOut(h.client, 'web'), 'the rollout after resuming');
});

test('DeploymentController keeps only revisionHistoryLimit old ReplicaSets', async (t) => {
  const h = await harness(t);
  await h.client.create(DEPLOYMENTS, 'default', deployment('web', 1, { revisionHistoryLimit: 1 }));
  for (const v of ['nginx:2', 'nginx:3', 'nginx:4']) {
    await eventually(() => rolledOut(h.client, 'web'), 'a rollout');
    await setImage(h.client, 'web', v);
    await eventually(async () => (await getD(h.client, 'web')).status?.observedGeneration === (await getD(h.client, 'web')).metadata?.generation, 'observed');
  }
  await eventually(async () => (await rolledOut(h.client, 'web')) && (await replicaSets(h.client)).length === 2, 'two ReplicaSets left');
  const images = (await replicaSets(h.client)).map((rs) => rs.spec.template.spec.containers[0].image).sort();
  assert.deepEqual(images, ['nginx:3', 'nginx:4']);
});

test('DeploymentController reports ProgressDeadlineExceeded when a rollout stops progressing', async (t) => {
  const h = await harness(t, { ready: () => false });
  await h.client.create(DEPLOYMENTS, 'default', deployment('web', 2, { progressDeadlineSeconds: 30 }));
  await eventually(async () => (await getD(h.client, 'web')).status?.replicas === 2, 'two pods');
  const [rs] = await replicaSets(h.client);
  assert.equal(cond(await getD(h.client, 'web'), 'Progressing')?.reason, 'ReplicaSetUpdated');
  h.advance(31_000);
  await h.deployments.reconcile('default/web');
  const d = await getD(h.client, 'web');
  const p = cond(d, 'Progressing');
  assert.deepEqual([p.status, p.reason, p.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs.metadata?.name}" has timed out progressing.`]);
  const a = cond(d, 'Available');
  assert.deepEqual([a.status, a.reason], ['False', 'MinimumReplicasUnavailable']);
  assert.equal(d.status.unavailableReplicas, 2);
});

test('DeploymentController bumps collisionCount when its ReplicaSet name is taken by another template', async (t) => {
  const h = await harness(t, { run: false });
  const d = await h.client.create(DEPLOYMENTS, 'default', deployment('web', 1));
  const hash = computeHash(d.spec.template);
  await h.client.create(REPLICA_SETS, 'default', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `web-${hash}`, namespace: 'default' },
    spec: { replicas: 0, selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  await h.run(h.deployments, h.replicaSets);
  await eventually(() => rolledOut(h.client, 'web'), 'the rollout');
  const done = await getD(h.client, 'web');
  assert.equal(done.status.collisionCount, 1);
  const ours = (await replicaSets(h.client)).find((rs) => rs.metadata?.ownerReferences?.[0]?.uid === d.metadata?.uid)!;
  assert.equal(ours.metadata?.name, `web-${computeHash(d.spec.template, 1)}`);
});

test('DeploymentController records the revision on the Deployment without a new generation', async (t) => {
  const h = await harness(t);
  await h.client.create(DEPLOYMENTS, 'default', deployment('web', 1));
  await eventually(() => rolledOut(h.client, 'web'), 'the rollout');
  await eventually(async () => (await getD(h.client, 'web')).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1', 'the revision annotation', 1000);
  assert.equal((await getD(h.client, 'web')).metadata?.generation, 1);
});
