import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { CONTROLLER_REVISIONS, PODS, STATEFUL_SETS } from '../../client/resources.js';
import { eventually } from '../test-cluster.js';
import type { TestCluster } from '../test-cluster.js';
import { NS, getPod, getSet, makeReady, podNames, readyWhenCreated, revisionsOf, sleep, webSet, withStatefulSets } from './sts-test-support.js';

const image = (p: KObject | undefined) => p?.spec?.containers?.[0]?.image;
const setImage = (c: TestCluster, name: string, img: string) =>
  c.client.patch(STATEFUL_SETS, NS, name, { spec: { template: { spec: { containers: [{ name: 'nginx', image: img }] } } } }, { type: 'strategic' });

async function readyAll(c: TestCluster, names: string[]): Promise<void> {
  for (const n of names) await readyWhenCreated(c, n);
}

/** Follows a rollout: each pod that comes back with `img` is recorded and made Ready. */
async function followRollout(c: TestCluster, input: { pods: string[]; img: string }): Promise<string[]> {
  const order: string[] = [];
  while (order.length < input.pods.length) {
    for (const n of input.pods) {
      if (order.includes(n)) continue;
      const p = await getPod(c, n);
      if (p && image(p) === input.img && !p.metadata?.deletionTimestamp) {
        order.push(n);
        await makeReady(c, n);
      }
    }
    await sleep(2);
  }
  return order;
}

test('a rolling update replaces pods in reverse ordinal order, waiting for each to be Ready; status and revisions follow', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 3 }));
    await readyAll(c, ['web-0', 'web-1', 'web-2']);
    await eventually(async () => (await getSet(c, 'web')).status?.readyReplicas === 3, 'three ready');
    const before = await getSet(c, 'web');
    assert.equal(before.status.currentRevision, before.status.updateRevision);
    assert.equal(before.status.observedGeneration, before.metadata!.generation);
    assert.equal(before.status.collisionCount, 0);
    assert.equal(before.status.currentReplicas, 3);
    assert.equal(before.status.updatedReplicas, 3);
    assert.equal(before.status.availableReplicas, 3);

    await setImage(c, 'web', 'nginx:1.26');
    const order = await followRollout(c, { pods: ['web-0', 'web-1', 'web-2'], img: 'nginx:1.26' });
    assert.deepEqual(order, ['web-2', 'web-1', 'web-0']);
    await eventually(async () => {
      const s = await getSet(c, 'web');
      return s.status.currentRevision === s.status.updateRevision && s.status.updatedReplicas === 3 && s.status.readyReplicas === 3;
    }, 'rollout complete');
    const after = await getSet(c, 'web');
    assert.notEqual(after.status.updateRevision, before.status.updateRevision);
    assert.equal(after.status.observedGeneration, after.metadata!.generation);
    const revs = await revisionsOf(c, 'web');
    assert.deepEqual(
      revs.map((r) => [r.metadata!.name, r.revision]),
      [
        [before.status.updateRevision, 1],
        [after.status.updateRevision, 2],
      ],
    );
    const hash = after.status.updateRevision.slice('web-'.length);
    assert.equal(revs[1].metadata!.labels!['controller.kubernetes.io/hash'], hash);
    assert.equal(revs[1].metadata!.ownerReferences![0].uid, after.metadata!.uid);
    assert.equal(revs[1].data.spec.template.$patch, 'replace');
    assert.equal(revs[1].data.spec.template.spec.containers[0].image, 'nginx:1.26');
    for (const n of ['web-0', 'web-1', 'web-2']) assert.equal((await getPod(c, n))!.metadata!.labels!['controller-revision-hash'], after.status.updateRevision);
  }));

test('partition keeps the ordinals below it at the current revision', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }));
    await readyAll(c, ['web-0', 'web-1', 'web-2']);
    await setImage(c, 'web', 'nginx:1.26');
    assert.deepEqual(await followRollout(c, { pods: ['web-2'], img: 'nginx:1.26' }), ['web-2']);
    await eventually(async () => (await getSet(c, 'web')).status?.updatedReplicas === 1 && (await getSet(c, 'web')).status?.readyReplicas === 3, 'one updated');
    await sleep(150);
    assert.equal(image(await getPod(c, 'web-1')), 'nginx:1.25');
    assert.equal(image(await getPod(c, 'web-0')), 'nginx:1.25');
    const s = await getSet(c, 'web');
    assert.notEqual(s.status.currentRevision, s.status.updateRevision);
    assert.equal(s.status.currentReplicas, 2);
    // A pod below the partition that is deleted comes back at the current revision.
    const old1 = await getPod(c, 'web-1');
    await c.client.delete(PODS, NS, 'web-1');
    const back = await readyWhenCreated(c, 'web-1', { notUid: old1!.metadata!.uid });
    assert.equal(image(back), 'nginx:1.25');
    assert.equal(back.metadata!.labels!['controller-revision-hash'], s.status.currentRevision);
    await c.client.patch(STATEFUL_SETS, NS, 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
    assert.deepEqual(await followRollout(c, { pods: ['web-1', 'web-0'], img: 'nginx:1.26' }), ['web-1', 'web-0']);
    await eventually(async () => {
      const t = await getSet(c, 'web');
      return t.status.currentRevision === t.status.updateRevision && t.status.currentReplicas === 3;
    }, 'complete');
  }));

test('OnDelete updates a pod only when it is deleted', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 2, updateStrategy: { type: 'OnDelete' } }));
    await readyAll(c, ['web-0', 'web-1']);
    await setImage(c, 'web', 'nginx:1.26');
    await eventually(async () => {
      const s = await getSet(c, 'web');
      return s.status.observedGeneration === s.metadata!.generation && s.status.currentRevision !== s.status.updateRevision;
    }, 'new update revision observed');
    await sleep(150);
    assert.equal(image(await getPod(c, 'web-0')), 'nginx:1.25');
    assert.equal(image(await getPod(c, 'web-1')), 'nginx:1.25');
    const old = await getPod(c, 'web-1');
    await c.client.delete(PODS, NS, 'web-1');
    const fresh = await readyWhenCreated(c, 'web-1', { notUid: old!.metadata!.uid });
    assert.equal(image(fresh), 'nginx:1.26');
    assert.equal(image(await getPod(c, 'web-0')), 'nginx:1.25');
    await eventually(async () => (await getSet(c, 'web')).status?.updatedReplicas === 1, 'updatedReplicas 1');
  }));

test('a rollback reuses the earlier revision with a new number; history is cut to revisionHistoryLimit', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 1, historyLimit: 2 }));
    await readyAll(c, ['web-0']);
    const images = ['nginx:1.26', 'nginx:1.27', 'nginx:1.28'];
    for (const img of images) {
      await setImage(c, 'web', img);
      await followRollout(c, { pods: ['web-0'], img });
    }
    await eventually(async () => {
      const s = await getSet(c, 'web');
      return s.status.currentRevision === s.status.updateRevision && s.status.readyReplicas === 1;
    }, 'last rollout done');
    // Four revisions were made; two beyond the live one remain (limit 2).
    await eventually(async () => (await revisionsOf(c, 'web')).length === 3, 'history truncated to 2 + live');
    let revs = await revisionsOf(c, 'web');
    assert.deepEqual(
      revs.map((r) => r.revision),
      [2, 3, 4],
    );
    // kubectl rollout undo: the previous revision's data as a strategic merge patch.
    const previous = revs[1];
    await c.client.patch(STATEFUL_SETS, NS, 'web', previous.data, { type: 'strategic' });
    await followRollout(c, { pods: ['web-0'], img: 'nginx:1.27' });
    await eventually(async () => (await getSet(c, 'web')).status?.updateRevision === previous.metadata!.name, 'rolled back to the old revision');
    revs = await revisionsOf(c, 'web');
    assert.deepEqual(
      revs.map((r) => [r.metadata!.name, r.revision]),
      [
        [revs[0].metadata!.name, 2],
        [revs[1].metadata!.name, 4],
        [previous.metadata!.name, 5],
      ],
    );
    assert.equal(revs.filter((r) => r.metadata!.uid === previous.metadata!.uid).length, 1, 'the same object, renumbered');
    const s = await getSet(c, 'web');
    await eventually(async () => (await getSet(c, 'web')).status?.currentRevision === previous.metadata!.name, 'current = rolled back');
    assert.equal(s.status.collisionCount, 0);
  }));

test('availableReplicas waits for minReadySeconds, and OrderedReady waits for availability', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 2, minReadySeconds: 1 }));
    await eventually(async () => !!(await getPod(c, 'web-0')), 'web-0');
    // Ready from the next whole second (conditions carry seconds), so availability is ≥ 1 s away.
    const since = new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await makeReady(c, 'web-0', { since });
    await eventually(async () => (await getSet(c, 'web')).status?.readyReplicas === 1, 'ready 1');
    const s = await getSet(c, 'web');
    assert.equal(s.status.availableReplicas, 0);
    assert.deepEqual(await podNames(c), ['web-0'], 'web-1 waits for web-0 to be available');
    await eventually(async () => (await getSet(c, 'web')).status?.availableReplicas === 1, 'available after minReadySeconds', 3000);
    await readyWhenCreated(c, 'web-1');
    await eventually(async () => (await getSet(c, 'web')).status?.availableReplicas === 2, 'both available', 3000);
    assert.ok((await c.client.list(CONTROLLER_REVISIONS, NS)).items.length >= 1);
  }));
