import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import type { Runtime } from '../runtime.js';
import { processPod, runPod, skipReason, until, withRuntime } from './process-test-support.js';

const CIDR = '10.251.15.0/24';
const skip = skipReason;

const collect = (r: Readable | undefined) =>
  new Promise<string>((resolve) => {
    let s = '';
    if (!r) return resolve(s);
    r.on('data', (b) => (s += b));
    r.on('end', () => resolve(s));
  });

async function exec(rt: Runtime, o: { podUid: string; command: string[]; stdin?: string; tty?: boolean }) {
  const session = await rt.exec!({ podUid: o.podUid, container: 'main', command: o.command, tty: o.tty ?? false, stdin: o.stdin !== undefined });
  if (o.stdin !== undefined) session.stdin!.end(o.stdin);
  const [stdout, stderr, exit] = await Promise.all([collect(session.stdout), collect(session.stderr), session.exit]);
  return { stdout, stderr, exitCode: exit.exitCode };
}

test('exec runs in the container (filesystem, hostname, env, working directory) with stdout, stderr, stdin, tty and the exit code', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-e1' }, async ({ rt }) => {
    const pod = processPod('exec-me', {
      containers: [{ name: 'main', image: 'registry.k8s.io/pause', workingDir: '/srv', env: [{ name: 'COLOR', value: 'blue' }] }],
    });
    const uid = pod.metadata!.uid!;
    await runPod(rt, pod, { ip: '10.251.15.4', podCIDR: CIDR });
    const r = await exec(rt, { podUid: uid, command: ['sh', '-c', 'echo "$(hostname) $COLOR $(pwd)"; echo oops >&2; touch /inside; exit 7'] });
    assert.deepEqual(r, { stdout: 'exec-me blue /srv\n', stderr: 'oops\n', exitCode: 7 });
    assert.equal((await exec(rt, { podUid: uid, command: ['ls', '/inside'] })).stdout, '/inside\n', 'the container keeps its own writable layer');
    assert.equal((await exec(rt, { podUid: uid, command: ['sh', '-c', 'echo $$'] })).stdout.trim() !== '1', true, 'exec runs beside PID 1');
    assert.equal((await exec(rt, { podUid: uid, command: ['tr', 'a-z', 'A-Z'], stdin: 'hello\n' })).stdout, 'HELLO\n');
    const tty = await exec(rt, { podUid: uid, command: ['sh', '-c', 'stty size; read line; echo "got $line"'], tty: true, stdin: 'typed\n' });
    assert.equal(tty.exitCode, 0);
    assert.match(tty.stdout, /(^|\n)24 80\r\n/, 'a terminal of the default size');
    assert.match(tty.stdout, /got typed\r\n$/);
    assert.equal(tty.stderr, '', 'a terminal carries both streams');
    await assert.rejects(rt.exec!({ podUid: uid, container: 'nope', command: ['true'], tty: false, stdin: false }), { message: 'container nope not found in pod exec-me' });
  });
});

test('a readiness httpGet probe flips with the server; a failing liveness probe kills the container', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-e2' }, async ({ rt }) => {
    const serve = `require('http').createServer((q, s) => { s.statusCode = require('fs').existsSync('/tmp/sick') ? 500 : 200; s.end('ok'); }).listen(8080)`;
    const spec = {
      name: 'main',
      image: 'busybox',
      command: ['node', '-e', serve],
      ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1, successThreshold: 1, timeoutSeconds: 1 },
      livenessProbe: { exec: { command: ['sh', '-c', 'test ! -e /tmp/dead'] }, periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 1 },
    };
    const pod = processPod('probed', { containers: [spec], terminationGracePeriodSeconds: 2 });
    const uid = pod.metadata!.uid!;
    const changes: string[] = [];
    rt.watch((u) => changes.push(u));
    const [c] = await runPod(rt, pod, { ip: '10.251.15.5', podCIDR: CIDR });
    const ready = async () => (await rt.probe({ pod, container: c, kind: 'readiness', probe: spec.readinessProbe, now: new Date() })).success;
    await until(ready, 'the readiness probe to pass');
    assert.ok(changes.includes(uid), 'the change is reported through watch()');
    await exec(rt, { podUid: uid, command: ['touch', '/tmp/sick'] });
    await until(async () => !(await ready()), 'the readiness probe to fail');
    await exec(rt, { podUid: uid, command: ['rm', '/tmp/sick'] });
    await until(ready, 'the readiness probe to pass again');
    assert.equal(c.phase, 'running');
    await exec(rt, { podUid: uid, command: ['touch', '/tmp/dead'] });
    // node as PID 1 ignores SIGTERM: killed at the end of the probe's grace period.
    await until(() => c.phase === 'exited', 'the liveness failure to kill the container', 15_000);
    assert.equal(c.exitCode, 137);
  });
});
