import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { PODS } from '../../client/resources.js';
import { eventually } from '../../controllers/test-cluster.js';
import { podObject } from '../../agent/agent-test-support.js';
import { hasKubectl, withKubectlWorld } from './kubectl-test-world.js';
import type { KubectlWorld } from './kubectl-test-world.js';

const skip = (await hasKubectl()) ? false : 'kubectl is not installed';

const at = (s: number) => new Date(Date.UTC(2024, 4, 1, 10, 0, s)).toISOString().replace('.000Z', '.000000123Z');

test('kubectl logs, --tail, --timestamps, --since and the API server validation texts', { skip }, async () => {
  await withKubectlWorld({}, async (w) => {
    w.runtime.writeLog(w.uid, 'nginx', [
      { time: at(0), text: 'alpha' },
      { time: at(1), text: 'be', partial: true },
      { time: at(2), text: 'ta', stream: 'stderr' },
      { time: at(3), text: 'gamma' },
    ]);
    assert.deepEqual(await w.kubectl(['logs', 'web-0']), { code: 0, stdout: 'alpha\nbeta\ngamma\n', stderr: '' });
    assert.equal((await w.kubectl(['logs', 'web-0', '--tail=2'])).stdout, 'beta\ngamma\n');
    assert.equal((await w.kubectl(['logs', 'web-0', '--tail=1', '--timestamps'])).stdout, '2024-05-01T10:00:03.000000123Z gamma\n');
    // Every line here is from 2024: a day's window has none, a long one has all.
    assert.equal((await w.kubectl(['logs', 'web-0', '--since=24h'])).stdout, '');
    assert.equal((await w.kubectl(['logs', 'web-0', '--since-time=2024-05-01T10:00:03Z'])).stdout, 'gamma\n');
    assert.equal((await w.kubectl(['logs', 'web-0', '--limit-bytes=8'])).stdout, 'alpha\nbe');

    const get = async (q: string) => {
      const r = await fetch(`${w.url}/api/v1/namespaces/default/pods/web-0/log?${q}`);
      return { status: r.status, body: r.headers.get('content-type')?.startsWith('application/json') ? await r.json() : await r.text() };
    };
    assert.equal((await get('tailLines=-1')).body.message, 'PodLogOptions "web-0" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
    assert.equal((await get('limitBytes=0')).body.message, 'PodLogOptions "web-0" is invalid: limitBytes: Invalid value: 0: must be greater than 0');
    assert.equal((await get('sinceSeconds=0')).body.message, 'PodLogOptions "web-0" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0');
    const both = await get('sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z');
    assert.equal(both.status, 422);
    assert.equal(both.body.message, 'PodLogOptions "web-0" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
    const plain = await get('container=nginx');
    assert.equal(plain.status, 200);
  });
});

test('kubectl logs names the containers to choose from, and says when there is no previous instance', { skip }, async () => {
  const pod = podObject('web-0', { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] });
  await withKubectlWorld({ pod }, async (w) => {
    const r = await fetch(`${w.url}/api/v1/namespaces/default/pods/web-0/log`);
    assert.equal(r.status, 400);
    assert.equal((await r.json()).message, 'a container name must be specified for pod web-0, choose one of: [a b]');
    const prev = await w.kubectl(['logs', 'web-0', '-c', 'b', '--previous']);
    assert.equal(prev.code, 1);
    assert.match(prev.stderr, /Error from server \(BadRequest\): previous terminated container "b" in pod "web-0" not found/);
    const bad = await w.kubectl(['logs', 'web-0', '-c', 'zzz']);
    assert.match(bad.stderr, /container zzz is not valid for pod web-0/);
  });
});

async function restartCount(w: KubectlWorld): Promise<number> {
  const pod = await w.tc.client.get<KObject>(PODS, 'default', 'web-0');
  const st = pod.status?.containerStatuses?.[0];
  return st?.state?.running ? st.restartCount : -1;
}

test('kubectl logs --previous reads the instance before a restart', { skip }, async () => {
  await withKubectlWorld({ agent: { timings: { backOffInitialMs: 10, backOffMaxMs: 10 } } }, async (w) => {
    w.runtime.writeLog(w.uid, 'nginx', [{ time: at(0), text: 'first life' }]);
    // The container ends on its own (a stop the agent did not ask for: the runtime tells nobody).
    await w.runtime.stopContainer(w.uid, 'nginx', { gracePeriodSeconds: 0 });
    await w.agent.reconcile('default/web-0');
    await eventually(async () => (await restartCount(w)) === 1, 'nginx restarted', 15_000);
    w.runtime.writeLog(w.uid, 'nginx', [{ time: at(5), text: 'second life' }]);
    assert.equal((await w.kubectl(['logs', 'web-0', '--previous'])).stdout, 'first life\n');
    assert.equal((await w.kubectl(['logs', 'web-0', '-p', '--timestamps'])).stdout, '2024-05-01T10:00:00.000000123Z first life\n');
    assert.equal((await w.kubectl(['logs', 'web-0'])).stdout, 'second life\n');
  });
});

test('kubectl logs -f streams appended lines and ends when the container does', { skip }, async () => {
  await withKubectlWorld({}, async (w) => {
    w.runtime.writeLog(w.uid, 'nginx', [{ time: at(0), text: 'before' }]);
    let out = '';
    let exited: number | null | undefined;
    const run = w.kubectl(['logs', '-f', 'web-0']).then((r) => {
      out = r.stdout;
      exited = r.code;
      return r;
    });
    await new Promise((r) => setTimeout(r, 500));
    w.runtime.writeLog(w.uid, 'nginx', [{ time: at(1), text: 'during 1' }]);
    w.runtime.writeLog(w.uid, 'nginx', [{ time: at(2), text: 'during 2' }]);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(exited, undefined, 'kubectl logs -f is still following');
    await w.runtime.stopContainer(w.uid, 'nginx', { gracePeriodSeconds: 0 });
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(out, 'before\nduring 1\nduring 2\n');
  });
});
