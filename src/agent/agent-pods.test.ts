import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import { PODS } from '../client/resources.js';
import { eventually } from '../controllers/test-cluster.js';
import { condition, isRunningReady, podObject, withAgent } from './agent-test-support.js';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

test('a pod bound to the node goes Pending → Running and Ready with the kubelet status fields', async () => {
  await withAgent({ runtime: { startDelayMs: 150 } }, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('web-0', { containers: [{ name: 'nginx', image: 'nginx:1.25', volumeMounts: [] }] }));
    await eventually(async () => (await w.pod('web-0'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating', 'ContainerCreating');
    const pending = (await w.pod('web-0'))!;
    assert.equal(pending.status.phase, 'Pending');
    assert.equal(pending.status.hostIP, '10.0.0.11');
    assert.match(pending.status.startTime, TIME);
    assert.equal(condition(pending, 'Ready').reason, 'ContainersNotReady');
    assert.equal(condition(pending, 'Ready').message, 'containers with unready status: [nginx]');
    assert.equal(pending.status.containerStatuses[0].imageID, '');
    assert.equal(pending.status.containerStatuses[0].containerID, undefined);

    await eventually(async () => isRunningReady(await w.pod('web-0')), 'Running and Ready');
    const s = (await w.pod('web-0'))!.status;
    assert.equal(s.phase, 'Running');
    assert.equal(s.qosClass, 'BestEffort');
    assert.equal(s.hostIP, '10.0.0.11');
    assert.deepEqual(s.hostIPs, [{ ip: '10.0.0.11' }]);
    assert.match(s.podIP, /^10\.244\.1\.\d+$/);
    assert.deepEqual(s.podIPs, [{ ip: s.podIP }]);
    assert.equal(s.startTime, pending.status.startTime);
    assert.deepEqual(
      s.conditions.map((c: any) => [c.type, c.status]),
      [
        ['PodReadyToStartContainers', 'True'],
        ['Initialized', 'True'],
        ['Ready', 'True'],
        ['ContainersReady', 'True'],
        ['PodScheduled', 'True'],
      ],
    );
    for (const c of s.conditions) {
      assert.match(c.lastTransitionTime, TIME);
      assert.equal(c.lastProbeTime ?? null, null); // the server drops the null Kubernetes serves
    }
    const cs = s.containerStatuses[0];
    assert.equal(cs.name, 'nginx');
    assert.equal(cs.image, 'nginx:1.25');
    assert.match(cs.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.match(cs.containerID, /^berth-simulated:\/\/[0-9a-f]{64}$/);
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.match(cs.state.running.startedAt, TIME);
  });
});

test('init containers run to completion before the containers start', async () => {
  await withAgent({}, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('init-0', { spec: { initContainers: [{ name: 'setup', image: 'busybox' }] } }));
    await eventually(async () => isRunningReady(await w.pod('init-0')), 'Running');
    const s = (await w.pod('init-0'))!.status;
    const init = s.initContainerStatuses[0];
    assert.equal(init.name, 'setup');
    assert.equal(init.ready, true);
    assert.equal(init.state.terminated.exitCode, 0);
    assert.equal(init.state.terminated.reason, 'Completed');
    assert.match(init.state.terminated.containerID, /^berth-simulated:\/\//);
    assert.equal(condition({ status: s } as KObject, 'Initialized').status, 'True');
  });
});

test('berth.dev/simulated-ready: "false" makes the pod unready, and removing it makes it ready again', async () => {
  await withAgent({}, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('web-0', { annotations: { 'berth.dev/simulated-ready': 'false' } }));
    await eventually(async () => (await w.pod('web-0'))?.status?.phase === 'Running', 'Running');
    await eventually(async () => condition(await w.pod('web-0'), 'Ready')?.reason === 'ContainersNotReady', 'unready');
    const p = (await w.pod('web-0'))!;
    assert.equal(condition(p, 'Ready').status, 'False');
    assert.equal(condition(p, 'Ready').message, 'containers with unready status: [nginx]');
    assert.equal(condition(p, 'ContainersReady').status, 'False');
    assert.equal(p.status.containerStatuses[0].ready, false);
    assert.equal(p.status.containerStatuses[0].started, true);
    await w.tc.client.patch(PODS, 'default', 'web-0', { metadata: { annotations: { 'berth.dev/simulated-ready': null } } });
    await eventually(async () => isRunningReady(await w.pod('web-0')), 'ready again');
    await w.tc.client.patch(PODS, 'default', 'web-0', { metadata: { annotations: { 'berth.dev/simulated-ready': 'false' } } });
    await eventually(async () => condition(await w.pod('web-0'), 'Ready')?.status === 'False', 'unready again');
  });
});

test('a readiness probe passes once its initialDelaySeconds have passed (unless the runtime ignores delays)', async () => {
  const probe = { readinessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 1 } };
  await withAgent({}, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('slow', { containers: [{ name: 'nginx', image: 'nginx', ...probe }] }));
    await eventually(async () => (await w.pod('slow'))?.status?.phase === 'Running', 'Running');
    assert.equal(condition(await w.pod('slow'), 'Ready').status, 'False');
    await eventually(async () => isRunningReady(await w.pod('slow')), 'ready after the delay', 3000);
  });
  await withAgent({ runtime: { honourInitialDelay: false } }, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('fast', { containers: [{ name: 'nginx', image: 'nginx', ...probe }] }));
    await eventually(async () => isRunningReady(await w.pod('fast')), 'ready at once', 500);
  });
});

test('graceful deletion stops the containers, writes the final status and removes the object', async () => {
  await withAgent({}, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('web-0'));
    await eventually(async () => isRunningReady(await w.pod('web-0')), 'Running');
    const seen: KObject[] = [];
    const abort = new AbortController();
    const watching = (async () => {
      for await (const ev of w.tc.client.watch<KObject>(PODS, 'default', { fieldSelector: 'metadata.name=web-0' }, abort.signal)) seen.push(ev.object);
    })().catch(() => undefined);
    await w.tc.client.delete(PODS, 'default', 'web-0');
    await eventually(async () => (await w.pod('web-0')) === undefined, 'the pod object gone');
    abort.abort();
    await watching;
    const final = seen.filter((p) => p.metadata?.deletionTimestamp).pop()!;
    assert.equal(final.status.phase, 'Succeeded');
    const term = final.status.containerStatuses[0].state.terminated;
    assert.equal(term.exitCode, 0);
    assert.equal(term.reason, 'Completed');
    assert.equal(condition(final, 'Ready').status, 'False');
    assert.equal(condition(final, 'PodReadyToStartContainers').status, 'False');
  });
});

test('with honourGracePeriod a deleted pod stays Terminating for its grace period', async () => {
  await withAgent({ runtime: { honourGracePeriod: true } }, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('web-0', { spec: { terminationGracePeriodSeconds: 1 } }));
    await eventually(async () => isRunningReady(await w.pod('web-0')), 'Running');
    const started = Date.now();
    await w.tc.client.delete(PODS, 'default', 'web-0');
    await new Promise((r) => setTimeout(r, 500));
    const terminating = await w.pod('web-0');
    assert.ok(terminating?.metadata?.deletionTimestamp, 'still there, Terminating');
    assert.equal(terminating.status.phase, 'Running');
    await eventually(async () => (await w.pod('web-0')) === undefined, 'gone after the grace period', 3000);
    assert.ok(Date.now() - started >= 1000, 'not before the grace period');
  });
});

test('pod IPs are unique on the node, and a released address is given to a pod that waited for one', async () => {
  // A /29 hands out .2 to .6: five addresses.
  await withAgent({ agent: { podCIDR: '10.244.1.0/29' } }, async (w) => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const n of names) await w.tc.client.create(PODS, 'default', podObject(n));
    await eventually(async () => (await Promise.all(names.map((n) => w.pod(n)))).every(isRunningReady), 'five pods Running');
    const ips = (await Promise.all(names.map((n) => w.pod(n)))).map((p) => p!.status.podIP).sort();
    assert.deepEqual(ips, ['10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5', '10.244.1.6']);
    await w.tc.client.create(PODS, 'default', podObject('f'));
    await new Promise((r) => setTimeout(r, 200));
    const waiting = (await w.pod('f'))!;
    assert.equal(waiting.status.phase, 'Pending');
    assert.equal(waiting.status.podIP, undefined);
    const freed = (await w.pod('c'))!.status.podIP;
    await w.tc.client.delete(PODS, 'default', 'c');
    await eventually(async () => isRunningReady(await w.pod('f')), 'f Running with the released address');
    assert.equal((await w.pod('f'))!.status.podIP, freed);
  });
});

test('a pod whose containers exit follows its restart policy', async () => {
  await withAgent({ agent: { timings: { backOffInitialMs: 300, backOffMaxMs: 1000 } } }, async (w) => {
    const exit = (code: string) => ({ 'berth.dev/simulated-exit-code': code });
    await w.tc.client.create(PODS, 'default', podObject('never-fails', { annotations: exit('3'), spec: { restartPolicy: 'Never' } }));
    await w.tc.client.create(PODS, 'default', podObject('onfailure-ok', { annotations: exit('0'), spec: { restartPolicy: 'OnFailure' } }));
    await w.tc.client.create(PODS, 'default', podObject('crashing', { annotations: exit('1') }));
    await eventually(async () => (await w.pod('never-fails'))?.status?.phase === 'Failed', 'Failed');
    const failed = (await w.pod('never-fails'))!;
    assert.equal(failed.status.containerStatuses[0].state.terminated.exitCode, 3);
    assert.equal(failed.status.containerStatuses[0].state.terminated.reason, 'Error');
    assert.equal(condition(failed, 'Ready').reason, 'PodFailed');
    await eventually(async () => (await w.pod('onfailure-ok'))?.status?.phase === 'Succeeded', 'Succeeded');
    await eventually(async () => (await w.pod('crashing'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff', 'CrashLoopBackOff');
    const crashing = (await w.pod('crashing'))!;
    assert.equal(crashing.status.phase, 'Running');
    const cs = crashing.status.containerStatuses[0];
    assert.ok(cs.restartCount >= 1);
    assert.match(cs.state.waiting.message, /^back-off \d+ms restarting failed container=nginx pod=crashing_default\(.+\)$/);
    assert.equal(cs.lastState.terminated.exitCode, 1);
    await eventually(async () => ((await w.pod('crashing'))?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 3, 'more restarts', 4000);
  });
});

test('a restarted agent adopts its running pods without restarting them', async () => {
  await withAgent({}, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('web-0'));
    await eventually(async () => isRunningReady(await w.pod('web-0')), 'Running');
    const before = (await w.pod('web-0'))!;
    await w.restart();
    await w.tc.client.create(PODS, 'default', podObject('web-1'));
    await eventually(async () => isRunningReady(await w.pod('web-1')), 'a new pod Running after the restart');
    const after = (await w.pod('web-0'))!;
    assert.equal(after.metadata?.resourceVersion, before.metadata?.resourceVersion, 'status untouched');
    assert.notEqual((await w.pod('web-1'))!.status.podIP, before.status.podIP, 'the adopted address stays reserved');
    // The adopted pod is still managed: deleting it is confirmed by the new agent.
    await w.tc.client.delete(PODS, 'default', 'web-0');
    await eventually(async () => (await w.pod('web-0')) === undefined, 'web-0 deletion confirmed');
  });
});

test('pods bound to another node are left alone', async () => {
  await withAgent({}, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('elsewhere', { node: 'node-2' }));
    await w.tc.client.create(PODS, 'default', podObject('here'));
    await eventually(async () => isRunningReady(await w.pod('here')), 'here Running');
    assert.equal((await w.pod('elsewhere'))!.status.phase, 'Pending');
    assert.equal((await w.pod('elsewhere'))!.status.conditions, undefined);
  });
});

test('a changed image restarts the container', async () => {
  await withAgent({}, async (w) => {
    await w.tc.client.create(PODS, 'default', podObject('web-0', { spec: { restartPolicy: 'Never' } }));
    await eventually(async () => isRunningReady(await w.pod('web-0')), 'Running');
    const before = (await w.pod('web-0'))!.status.containerStatuses[0];
    await w.tc.client.patch(PODS, 'default', 'web-0', { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } }, { type: 'strategic' });
    await eventually(async () => (await w.pod('web-0'))?.status?.containerStatuses?.[0]?.image === 'nginx:1.26', 'the new image running');
    const p = (await w.pod('web-0'))!;
    const after = p.status.containerStatuses[0];
    assert.equal(p.status.phase, 'Running');
    assert.equal(after.restartCount, 1);
    assert.notEqual(after.containerID, before.containerID);
    assert.ok(after.state.running);
    assert.equal(after.lastState.terminated.containerID, before.containerID);
  });
});
