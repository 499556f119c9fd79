import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { processPod, runPod, skipReason, until, withRuntime } from './process-test-support.js';

const skip = skipReason;

test('a new runtime on the same data directory adopts running containers, execs into them and sees their exit', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-a1' }, async (w) => {
    const pod = processPod('survivor', {
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'trap "exit 4" TERM; echo started; while :; do sleep 0.1; done'] }],
    });
    const uid = pod.metadata!.uid!;
    const [before] = await runPod(w.rt, pod, { ip: '10.251.16.4', podCIDR: '10.251.16.0/24' });
    const rt = await w.reopen();
    assert.equal(rt.pod(uid), undefined, 'nothing is known before adopt');
    const rp = rt.adopt(pod)!;
    assert.ok(rp.sandbox.ready);
    assert.equal(rp.sandbox.ip, '10.251.16.4');
    const [c] = rp.containers;
    assert.equal(c.id, before.id);
    assert.equal(c.phase, 'running');
    assert.equal(c.startedAt?.getTime(), before.startedAt?.getTime());
    const s = await rt.exec!({ podUid: uid, container: 'main', command: ['hostname'], tty: false, stdin: false });
    let out = '';
    s.stdout.on('data', (b) => (out += b));
    assert.equal((await s.exit).exitCode, 0);
    assert.equal(out, 'survivor\n');
    await rt.stopContainer(uid, 'main', { gracePeriodSeconds: 10 });
    await until(() => c.phase === 'exited', 'the adopted container to exit');
    assert.equal(c.exitCode, 4);
    assert.ok(existsSync(rt.logPath!({ podUid: uid, container: 'main', previous: false })!));
  });
});

test('pods on disk that nobody adopts are removed after orphanCleanupMs', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-a2', orphanCleanupMs: 300 }, async (w) => {
    const pod = processPod('orphan', { containers: [{ name: 'main', image: 'registry.k8s.io/pause' }] });
    await runPod(w.rt, pod, { ip: '10.251.17.4', podCIDR: '10.251.17.0/24' });
    await w.reopen();
    await until(() => !existsSync(`${w.dataDir}/runtime/pods/${pod.metadata!.uid}`), 'the orphan to be removed', 5000);
  });
});
