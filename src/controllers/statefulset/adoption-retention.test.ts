import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { CONTROLLER_REVISIONS, PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../../client/resources.js';
import { eventually } from '../test-cluster.js';
import type { TestCluster } from '../test-cluster.js';
import { NS, getClaim, getPod, getSet, makeReady, podNames, readyWhenCreated, sleep, webSet, withStatefulSets } from './sts-test-support.js';

const orphanPod = (name: string, labels: Record<string, string>): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] },
});

const refsOf = async (c: TestCluster, claim: string) =>
  ((await getClaim(c, claim))?.metadata?.ownerReferences ?? []).map((r: any) => `${r.kind}/${r.name}${r.controller ? ' controller' : ''}${r.blockOwnerDeletion ? ' block' : ''}`);

test('orphan pods matching the selector and named for the set are adopted; pods that stop matching are released', () =>
  withStatefulSets(async (c) => {
    await c.client.create(PODS, NS, orphanPod('web-1', { app: 'web' }));
    await c.client.create(PODS, NS, orphanPod('other-0', { app: 'web' }));
    const orphan = await getPod(c, 'web-1');
    await makeReady(c, 'web-1');
    const set = await c.client.create<KObject>(STATEFUL_SETS, NS, webSet('web', { replicas: 2, updateStrategy: { type: 'OnDelete' } }));
    await readyWhenCreated(c, 'web-0');
    await eventually(async () => (await getPod(c, 'web-1'))?.metadata?.ownerReferences?.[0]?.uid === set.metadata!.uid, 'web-1 adopted');
    const adopted = (await getPod(c, 'web-1'))!;
    assert.equal(adopted.metadata!.uid, orphan!.metadata!.uid, 'the same pod, not a new one');
    assert.equal(adopted.metadata!.ownerReferences![0].controller, true);
    assert.equal(adopted.metadata!.ownerReferences![0].blockOwnerDeletion, true);
    await eventually(async () => (await getPod(c, 'web-1'))?.metadata?.labels?.['statefulset.kubernetes.io/pod-name'] === 'web-1', 'identity label added');
    await eventually(async () => (await getSet(c, 'web')).status?.readyReplicas === 2, 'both counted');
    assert.equal((await getPod(c, 'other-0'))!.metadata!.ownerReferences, undefined, 'other-0 is not a member of web');

    // web-0 stops matching: released, and no second web-0 is made while it exists.
    await c.client.patch(PODS, NS, 'web-0', { metadata: { labels: { app: 'elsewhere' } } });
    await eventually(async () => !(await getPod(c, 'web-0'))?.metadata?.ownerReferences?.length, 'web-0 released');
    await sleep(100);
    assert.equal((await getPod(c, 'web-0'))!.metadata!.labels!.app, 'elsewhere');
    await c.client.delete(PODS, NS, 'web-0');
    await eventually(async () => (await getPod(c, 'web-0'))?.metadata?.labels?.app === 'web', 'a new web-0 once the released one is gone');
  }));

test('ControllerRevisions are adopted and released like pods; a set being deleted adopts nothing', () =>
  withStatefulSets(async (c) => {
    await c.client.create(CONTROLLER_REVISIONS, NS, {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'web-old', namespace: NS, labels: { app: 'web' } },
      data: { spec: { template: { $patch: 'replace', metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'x', image: 'busybox' }] } } } },
      revision: 7,
    });
    const set = await c.client.create<KObject>(STATEFUL_SETS, NS, webSet('web'));
    await eventually(async () => (await c.client.get<KObject>(CONTROLLER_REVISIONS, NS, 'web-old')).metadata?.ownerReferences?.[0]?.uid === set.metadata!.uid, 'adopted');
    // The set's own revision is numbered after the adopted one.
    await eventually(async () => !!(await getSet(c, 'web')).status?.updateRevision, 'update revision');
    const own = await c.client.get<KObject>(CONTROLLER_REVISIONS, NS, (await getSet(c, 'web')).status.updateRevision);
    assert.equal(own.revision, 8);
    await c.client.patch(CONTROLLER_REVISIONS, NS, 'web-old', { metadata: { labels: { app: 'gone' } } });
    await eventually(async () => !(await c.client.get<KObject>(CONTROLLER_REVISIONS, NS, 'web-old')).metadata?.ownerReferences?.length, 'released');

    // A set that is being deleted does not adopt.
    const held = webSet('held', { replicas: 0 });
    held.metadata!.finalizers = ['example.com/hold'];
    await c.client.create(STATEFUL_SETS, NS, held);
    await c.client.delete(STATEFUL_SETS, NS, 'held');
    await c.client.create(PODS, NS, orphanPod('held-0', { app: 'held' }));
    await sleep(200);
    assert.equal((await getPod(c, 'held-0'))!.metadata!.ownerReferences, undefined);
  }));

test('whenDeleted=Delete: the set controls its claims', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 2, claims: ['www'], retention: { whenDeleted: 'Delete', whenScaled: 'Retain' } }));
    await readyWhenCreated(c, 'web-0');
    await readyWhenCreated(c, 'web-1');
    assert.deepEqual(await refsOf(c, 'www-web-0'), ['StatefulSet/web controller block']);
    await c.client.patch(STATEFUL_SETS, NS, 'web', { spec: { replicas: 1 } });
    await eventually(async () => (await podNames(c)).join() === 'web-0', 'scaled down');
    assert.deepEqual(await refsOf(c, 'www-web-1'), ['StatefulSet/web controller block'], 'a scaled-away claim stays with the set');
    // Changing the policy to Retain removes the reference.
    await c.client.patch(STATEFUL_SETS, NS, 'web', { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain' } } });
    await eventually(async () => (await refsOf(c, 'www-web-0')).length === 0, 'reference removed under Retain');
  }));

test('whenScaled=Delete: a condemned pod controls its claims before it is deleted; a stale claim blocks its ordinal', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 2, claims: ['www'], retention: { whenDeleted: 'Delete', whenScaled: 'Delete' } }));
    await readyWhenCreated(c, 'web-0');
    const web1 = await readyWhenCreated(c, 'web-1');
    assert.deepEqual(await refsOf(c, 'www-web-1'), ['StatefulSet/web controller block']);
    await c.client.patch(STATEFUL_SETS, NS, 'web', { spec: { replicas: 1 } });
    await eventually(async () => (await podNames(c)).join() === 'web-0', 'scaled down');
    const claim = (await getClaim(c, 'www-web-1'))!;
    assert.deepEqual(claim.metadata!.ownerReferences, [
      { apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: web1.metadata!.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.deepEqual(await refsOf(c, 'www-web-0'), ['StatefulSet/web controller block']);
    // Scaling back up before the garbage collector removed the claim: web-1 waits for it.
    await c.client.patch(STATEFUL_SETS, NS, 'web', { spec: { replicas: 2 } });
    await sleep(200);
    assert.equal(await getPod(c, 'web-1'), undefined, 'no pod on a claim that is about to be collected');
    await c.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'www-web-1');
    await readyWhenCreated(c, 'web-1');
    const fresh = (await getClaim(c, 'www-web-1'))!;
    assert.notEqual(fresh.metadata!.uid, claim.metadata!.uid);
    assert.deepEqual(await refsOf(c, 'www-web-1'), ['StatefulSet/web controller block']);
  }));

test('whenScaled=Delete with whenDeleted=Retain: live claims carry no reference', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 2, policy: 'Parallel', claims: ['www'], retention: { whenDeleted: 'Retain', whenScaled: 'Delete' } }));
    await readyWhenCreated(c, 'web-0');
    await readyWhenCreated(c, 'web-1');
    await sleep(100);
    assert.deepEqual(await refsOf(c, 'www-web-0'), []);
    await c.client.patch(STATEFUL_SETS, NS, 'web', { spec: { replicas: 1 } });
    await eventually(async () => (await podNames(c)).join() === 'web-0', 'scaled down');
    assert.deepEqual(await refsOf(c, 'www-web-1'), ['Pod/web-1 controller block']);
    assert.deepEqual(await refsOf(c, 'www-web-0'), []);
  }));
