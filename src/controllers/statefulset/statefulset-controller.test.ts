import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../../client/resources.js';
import { eventually } from '../test-cluster.js';
import {
  NS,
  bind,
  claimObject,
  getClaim,
  getPod,
  getSet,
  makeReady,
  podNames,
  readyWhenCreated,
  setPodStatus,
  sleep,
  waitEvent,
  webSet,
  withStatefulSets,
} from './sts-test-support.js';

test('pods get their identity: name, hostname, subdomain, labels, controller reference and the template', () =>
  withStatefulSets(async (c) => {
    const set = await c.client.create<KObject>(STATEFUL_SETS, NS, webSet('web', { start: 3 }));
    let pod: KObject | undefined;
    await eventually(async () => !!(pod = await getPod(c, 'web-3')), 'web-3');
    assert.equal(pod!.spec.hostname, 'web-3');
    assert.equal(pod!.spec.subdomain, 'nginx');
    assert.equal(pod!.metadata!.generateName, 'web-');
    assert.equal(pod!.metadata!.labels!['statefulset.kubernetes.io/pod-name'], 'web-3');
    assert.equal(pod!.metadata!.labels!['apps.kubernetes.io/pod-index'], '3');
    assert.equal(pod!.metadata!.labels!.app, 'web');
    assert.equal(pod!.metadata!.labels!.tier, 'web');
    assert.equal(pod!.metadata!.annotations!.note, 'from-template');
    assert.equal(pod!.spec.containers[0].image, 'nginx:1.25');
    const s = await getSet(c, 'web');
    await eventually(async () => !!(await getSet(c, 'web')).status?.updateRevision, 'updateRevision');
    assert.equal(pod!.metadata!.labels!['controller-revision-hash'], (await getSet(c, 'web')).status.updateRevision);
    assert.deepEqual(pod!.metadata!.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata!.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.equal(s.metadata?.uid, set.metadata?.uid);
    await waitEvent(c, 'web', { reason: 'SuccessfulCreate', message: 'create Pod web-3 in StatefulSet web successful' });
  }));

test('claims from volumeClaimTemplates are created before the pod, carry the selector labels, and are reused', () =>
  withStatefulSets(async (c) => {
    // www-web-0 exists already (an earlier incarnation's data): it is reused, not replaced.
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claimObject('www-web-0', { labels: { keep: 'me' } }));
    const before = await getClaim(c, 'www-web-0');
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 2, claims: ['www', 'logs'] }));
    const web0 = await readyWhenCreated(c, 'web-0');
    const claims = ['www-web-0', 'logs-web-0'];
    for (const name of claims) {
      const claim = await getClaim(c, name);
      assert.ok(claim, name);
      assert.ok(claim!.metadata!.creationTimestamp! <= web0.metadata!.creationTimestamp!, `${name} created before the pod`);
    }
    assert.equal((await getClaim(c, 'www-web-0'))!.metadata!.uid, before!.metadata!.uid);
    assert.equal((await getClaim(c, 'logs-web-0'))!.metadata!.labels!.app, 'web');
    const vols = Object.fromEntries(web0.spec.volumes.map((v: any) => [v.name, v.persistentVolumeClaim?.claimName]));
    assert.equal(vols.www, 'www-web-0');
    assert.equal(vols.logs, 'logs-web-0');
    await readyWhenCreated(c, 'web-1');
    assert.ok(await getClaim(c, 'www-web-1'));
    await waitEvent(c, 'web', { reason: 'SuccessfulCreate', message: 'create Claim logs-web-0 Pod web-0 in StatefulSet web success' });

    // A claim deleted while its pod is Pending comes back.
    await c.client.create(STATEFUL_SETS, NS, webSet('db', { replicas: 1, claims: ['data'] }));
    await eventually(async () => !!(await getPod(c, 'db-0')), 'db-0');
    const first = (await getClaim(c, 'data-db-0'))!;
    await c.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'data-db-0');
    await eventually(async () => {
      const again = await getClaim(c, 'data-db-0');
      return !!again && again.metadata!.uid !== first.metadata!.uid;
    }, 'data-db-0 recreated');
  }));

test('a claim being deleted holds back its pod, with a FailedCreate event, until it is gone', () =>
  withStatefulSets(async (c) => {
    await c.client.create(PERSISTENT_VOLUME_CLAIMS, NS, claimObject('www-web-0', { finalizers: ['example.com/hold'] }));
    await c.client.delete(PERSISTENT_VOLUME_CLAIMS, NS, 'www-web-0');
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { claims: ['www'] }));
    await waitEvent(c, 'web', { reason: 'FailedCreate', message: 'create Pod web-0 in StatefulSet web failed error: pvc www-web-0 is being deleted' });
    assert.equal(await getPod(c, 'web-0'), undefined);
    await c.client.patch(PERSISTENT_VOLUME_CLAIMS, NS, 'www-web-0', { metadata: { finalizers: null } });
    await eventually(async () => !!(await getPod(c, 'web-0')), 'web-0 after the claim went');
    assert.ok(!(await getClaim(c, 'www-web-0'))!.metadata!.deletionTimestamp);
  }));

test('OrderedReady creates one pod at a time, each after its predecessor is Running and Ready', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 3 }));
    await eventually(async () => !!(await getPod(c, 'web-0')), 'web-0');
    await sleep(150);
    assert.deepEqual(await podNames(c), ['web-0']);
    await setPodStatus(c, 'web-0', { phase: 'Running', ready: false });
    await sleep(150);
    assert.deepEqual(await podNames(c), ['web-0'], 'Running but not Ready holds web-1 back');
    await makeReady(c, 'web-0');
    await readyWhenCreated(c, 'web-1');
    await sleep(100);
    assert.equal(await getPod(c, 'web-2').then((p) => !!p && !!p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')), false);
    await readyWhenCreated(c, 'web-2');
    await eventually(async () => (await getSet(c, 'web')).status?.readyReplicas === 3, 'readyReplicas 3');
  }));

test('OrderedReady scales down from the highest ordinal, one at a time, and not while a pod is unhealthy', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 4 }));
    for (const n of ['web-0', 'web-1', 'web-2', 'web-3']) {
      await readyWhenCreated(c, n);
      await bind(c, n);
    }
    // web-0 (a pod that stays) is unhealthy: no scale-down happens.
    await setPodStatus(c, 'web-0', { phase: 'Running', ready: false });
    await eventually(async () => (await getSet(c, 'web')).status?.readyReplicas === 3, 'web-0 seen unready');
    await c.client.patch(STATEFUL_SETS, NS, 'web', { spec: { replicas: 1 } });
    await sleep(200);
    const terminating = async (n: string) => !!(await getPod(c, n))?.metadata?.deletionTimestamp;
    for (const n of ['web-1', 'web-2', 'web-3']) assert.equal(await terminating(n), false, `${n} kept while web-0 is unready`);
    await makeReady(c, 'web-0');
    // Highest first, and the next only once the previous one is gone (bound pods terminate gracefully).
    for (const [n, rest] of [
      ['web-3', ['web-2', 'web-1']],
      ['web-2', ['web-1']],
      ['web-1', []],
    ] as const) {
      await eventually(() => terminating(n), `${n} terminating`);
      await sleep(100);
      for (const r of rest) assert.equal(await terminating(r), false, `${r} waits for ${n}`);
      await c.client.delete(PODS, NS, n, { gracePeriodSeconds: 0 });
    }
    await eventually(async () => (await podNames(c)).join() === 'web-0', 'only web-0 left');
    await waitEvent(c, 'web', { reason: 'SuccessfulDelete', message: 'delete Pod web-3 in StatefulSet web successful' });
  }));

test('Parallel creates and deletes without waiting', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 5, policy: 'Parallel', claims: ['www'] }));
    await eventually(async () => (await podNames(c)).length === 5, 'five pods without readiness');
    assert.equal((await c.client.list(PERSISTENT_VOLUME_CLAIMS, NS)).items.length, 5);
    await c.client.patch(STATEFUL_SETS, NS, 'web', { spec: { replicas: 2 } });
    await eventually(async () => (await podNames(c)).join() === 'web-0,web-1', 'scaled down to two at once');
    await eventually(async () => (await getSet(c, 'web')).status?.replicas === 2, 'status.replicas 2');
    assert.equal((await c.client.list(PERSISTENT_VOLUME_CLAIMS, NS)).items.length, 5, 'claims kept (Retain)');
  }));

test('a Failed or Succeeded pod is deleted and replaced under the same name', () =>
  withStatefulSets(async (c) => {
    await c.client.create(STATEFUL_SETS, NS, webSet('web', { replicas: 2 }));
    const old0 = await readyWhenCreated(c, 'web-0');
    const old1 = await readyWhenCreated(c, 'web-1');
    await setPodStatus(c, 'web-0', { phase: 'Failed', ready: false });
    await readyWhenCreated(c, 'web-0', { notUid: old0.metadata!.uid });
    await waitEvent(c, 'web', { reason: 'RecreatingFailedPod', message: 'StatefulSet default/web is recreating failed Pod web-0' });
    await setPodStatus(c, 'web-1', { phase: 'Succeeded', ready: false });
    await readyWhenCreated(c, 'web-1', { notUid: old1.metadata!.uid });
    await waitEvent(c, 'web', { reason: 'RecreatingTerminatedPod', message: 'StatefulSet default/web is recreating terminated Pod web-1' });
    await waitEvent(c, 'web', { reason: 'SuccessfulDelete', message: 'delete Pod web-0 in StatefulSet web successful' });
  }));

test('at most one pod per identity: no new web-0 while the old one is Terminating', () =>
  withStatefulSets(async (c) => {
    for (const policy of ['OrderedReady', 'Parallel'] as const) {
      const name = policy === 'Parallel' ? 'par' : 'web';
      await c.client.create(STATEFUL_SETS, NS, webSet(name, { replicas: 2, policy }));
      const old = await readyWhenCreated(c, `${name}-0`);
      await readyWhenCreated(c, `${name}-1`);
      await bind(c, `${name}-0`);
      // No agent confirms the deletion: the pod stays Terminating for an hour.
      await c.client.delete(PODS, NS, `${name}-0`, { gracePeriodSeconds: 3600 });
      for (let i = 0; i < 30; i++) {
        const pods = (await c.client.list<KObject>(PODS, NS)).items.filter((p) => p.metadata?.name === `${name}-0`);
        assert.equal(pods.length, 1);
        assert.equal(pods[0].metadata?.uid, old.metadata?.uid, 'still the old pod');
        assert.ok(pods[0].metadata?.deletionTimestamp);
        await sleep(10);
      }
      // Failing the pod while it terminates changes nothing either.
      await setPodStatus(c, `${name}-0`, { phase: 'Failed', ready: false });
      await sleep(100);
      assert.equal((await getPod(c, `${name}-0`))?.metadata?.uid, old.metadata?.uid);
      await c.client.delete(PODS, NS, `${name}-0`, { gracePeriodSeconds: 0 });
      await eventually(async () => {
        const p = await getPod(c, `${name}-0`);
        return !!p && p.metadata?.uid !== old.metadata?.uid;
      }, `a new ${name}-0 once the old one is gone`);
    }
  }));
