import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { WebSocket } from 'ws';
import { PODS } from '../../client/resources.js';
import { podObject } from '../../agent/agent-test-support.js';
import { hasKubectl, withKubectlWorld } from './kubectl-test-world.js';

const skip = (await hasKubectl()) ? false : 'kubectl is not installed';
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

test('kubectl exec: stdout, stderr and the exit code come through the API server and the agent', { skip }, async () => {
  await withKubectlWorld({}, async (w) => {
    const r = await w.kubectl(['exec', 'web-0', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
    assert.equal(r.code, 3);
    const ok = await w.kubectl(['exec', 'web-0', '-c', 'nginx', '--', 'sh', '-c', 'echo fine']);
    assert.deepEqual(ok, { code: 0, stdout: 'fine\n', stderr: '' });
  });
});

test('kubectl exec -i: piped stdin reaches the command and its end ends it (v5 close signal)', { skip }, async () => {
  await withKubectlWorld({}, async (w) => {
    const r = await w.kubectl(['exec', '-i', 'web-0', '--', 'cat'], { input: 'line one\nline two\n' });
    assert.deepEqual(r, { code: 0, stdout: 'line one\nline two\n', stderr: '' });
    assert.equal(w.runtime.running.size, 0);
  });
});

test('kubectl exec errors read as Kubernetes writes them', { skip }, async () => {
  await withKubectlWorld({}, async (w) => {
    const bad = await w.kubectl(['exec', 'web-0', '-c', 'nope', '--', 'true']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /container nope is not valid for pod web-0/);
    const gone = await w.kubectl(['exec', 'web-9', '--', 'true']);
    assert.match(gone.stderr, /pods "web-9" not found/);
    // SPDY (the old protocol) is refused with a pointer to WebSockets.
    const spdy = await w.kubectl(['exec', 'web-0', '--', 'true'], { env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } });
    assert.equal(spdy.code, 1);
    assert.match(spdy.stderr, /berth serves exec over WebSocket only/);
  });
});

test('exec into a pod without a node, and into a container the agent does not run', { skip }, async () => {
  const pod = podObject('web-0', { containers: [{ name: 'nginx', image: 'nginx' }, { name: 'late', image: 'busybox' }] });
  await withKubectlWorld({ pod }, async (w) => {
    await w.tc.client.create(PODS, 'default', { ...podObject('pending-0'), spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const pending = await w.kubectl(['exec', 'pending-0', '--', 'true']);
    assert.match(pending.stderr, /pod pending-0 does not have a host assigned/);
    const both = await w.kubectl(['exec', 'web-0', '--', 'true']);
    assert.equal(both.code, 0, both.stderr); // kubectl picks the first container itself
    // Stop the second container in the runtime: the agent no longer runs it.
    await w.runtime.stopContainer(w.uid, 'late', { gracePeriodSeconds: 0 });
    const late = await w.kubectl(['exec', 'web-0', '-c', 'late', '--', 'true']);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /Internal error occurred: unable to upgrade connection: container not found \("late"\)/);
  });
});

test('an older client on v4.channel.k8s.io gets the same streams; the API server answers pings', { skip }, async () => {
  await withKubectlWorld({}, async (w) => {
    const url = `${w.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/web-0/exec?command=sh&command=-c&command=echo+v4%3B+exit+2&stdout=true&stderr=true`;
    const ws = new WebSocket(url, ['v4.channel.k8s.io']);
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(d));
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    assert.equal(ws.protocol, 'v4.channel.k8s.io');
    const pong = new Promise((resolve) => ws.once('pong', resolve));
    ws.ping();
    await pong;
    const code = await new Promise((resolve) => ws.once('close', resolve));
    assert.equal(code, 1000);
    assert.equal(frames.find((f) => f[0] === 1)?.subarray(1).toString(), 'v4\n');
    const status = JSON.parse(frames.find((f) => f[0] === 3)!.subarray(1).toString());
    assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '2' }]);
  });
});

test('kubectl exec -it: the command gets a terminal (kubectl run under a pseudo-terminal by script)', { skip: skip || (!hasScript && 'util-linux script is not installed') }, async () => {
  await withKubectlWorld({}, async (w) => {
    const line = ['kubectl', ...w.baseArgs, 'exec', '-it', 'web-0', '--', 'sh', '-c', 'test -t 0 && test -t 1 && echo on-a-tty'].map(shellQuote).join(' ');
    const out = await new Promise<string>((resolve) => execFile('script', ['-qec', line, '/dev/null'], { timeout: 30_000 }, (_e, stdout) => resolve(stdout)));
    assert.match(out, /on-a-tty\r?\n/);
  });
});
