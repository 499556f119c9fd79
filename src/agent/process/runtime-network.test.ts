import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { logTexts, processPod, runPod, skipReason, until, withRuntime } from './process-test-support.js';
import { bridgeName, podNetworkNames } from './pod-network.js';

const CIDR = '10.251.12.0/24';
const skip = skipReason;

/** A TCP server on port 8080 in the container that answers its pod's name. */
const server = (name: string) => ['node', '-e', `require('net').createServer((s) => s.end('${name}\\n')).listen(8080, () => console.log('listening'))`];
/** A client that prints what host:8080 answers, or the error. */
const client = (host: string) => ['node', '-e', `const s = require('net').connect(8080, '${host}'); let d = ''; s.on('data', (b) => (d += b)); s.on('end', () => console.log(d.trim())); s.on('error', (e) => console.log('error ' + e.code))`];

function ask(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, host);
    let d = '';
    s.on('data', (b) => (d += b));
    s.on('end', () => resolve(d.trim()));
    s.on('error', reject);
  });
}

test('pods reach each other by pod IP, the host reaches a pod, and localhost is the pod’s own', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-n1' }, async ({ rt }) => {
    const a = processPod('a', { containers: [{ name: 'srv', image: 'busybox', command: server('pod-a') }] });
    await runPod(rt, a, { ip: '10.251.12.10', podCIDR: CIDR });
    const logA = rt.logPath!({ podUid: a.metadata!.uid!, container: 'srv', previous: false });
    await until(async () => (await logTexts(logA)).includes('listening'), 'pod a to listen');
    assert.equal(await ask('10.251.12.10', 8080), 'pod-a', 'the host reaches the pod by its IP');
    const b = processPod('b', {
      containers: [
        { name: 'remote', image: 'busybox', command: client('10.251.12.10') },
        { name: 'local', image: 'busybox', command: client('127.0.0.1') },
      ],
    });
    const [remote, local] = await runPod(rt, b, { ip: '10.251.12.11', podCIDR: CIDR });
    await until(() => remote.phase === 'exited' && local.phase === 'exited', 'the clients to finish');
    const uid = b.metadata!.uid!;
    assert.deepEqual(await logTexts(rt.logPath!({ podUid: uid, container: 'remote', previous: false })), ['pod-a']);
    assert.deepEqual(await logTexts(rt.logPath!({ podUid: uid, container: 'local', previous: false })), ['error ECONNREFUSED'], "pod b's localhost is not pod a's");
  });
});

test('the DNS relay on the gateway forwards UDP to the cluster DNS server', { skip }, async () => {
  const upstream = createSocket('udp4');
  upstream.on('message', (msg, r) => upstream.send(Buffer.concat([Buffer.from('echo:'), msg]), r.port, r.address));
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
  try {
    await withRuntime({ nodeName: 'proc-n2', dns: { host: '127.0.0.1', port: upstream.address().port } }, async ({ rt }) => {
      const script = `const s = require('dgram').createSocket('udp4'); s.on('message', (m) => { console.log(String(m)); s.close(); }); s.send('ping', 53, '10.251.13.1'); setTimeout(() => process.exit(2), 3000).unref()`;
      const pod = processPod('dns', { containers: [{ name: 'q', image: 'busybox', command: ['node', '-e', script] }] });
      const [c] = await runPod(rt, pod, { ip: '10.251.13.4', podCIDR: '10.251.13.0/24' });
      await until(() => c.phase === 'exited', 'the query to finish');
      assert.deepEqual(await logTexts(rt.logPath!({ podUid: pod.metadata!.uid!, container: 'q', previous: false })), ['echo:ping']);
      assert.equal(c.exitCode, 0);
    });
  } finally {
    upstream.close();
  }
});

test('removePod leaves no network namespace, veth, process or directory', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-n3' }, async ({ rt, dataDir }) => {
    const pod = processPod('gone', { containers: [{ name: 'sleep', image: 'registry.k8s.io/pause:3.10' }] });
    const uid = pod.metadata!.uid!;
    const [c] = await runPod(rt, pod, { ip: '10.251.14.3', podCIDR: '10.251.14.0/24' });
    assert.equal(c.phase, 'running');
    const names = podNetworkNames(uid);
    assert.ok(existsSync(`/run/netns/${names.netns}`));
    assert.ok(existsSync(`/sys/class/net/${names.veth}`));
    assert.ok(existsSync(`/sys/class/net/${bridgeName('proc-n3', resolve(dataDir))}`));
    const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    const ours = (list: string[]) =>
      list.filter((p) => {
        try {
          return require_cmdline(p).includes(uid) || require_cmdline(p).includes(join(dataDir, 'runtime'));
        } catch {
          return false;
        }
      });
    assert.ok(ours(pids).length > 0, 'the pod has processes');
    await rt.stopContainer(uid, 'sleep', { gracePeriodSeconds: 30 });
    await until(() => c.phase === 'exited', 'the pause container to end on SIGTERM');
    assert.equal(c.exitCode, 0);
    await rt.removePod(uid);
    assert.equal(rt.pod(uid), undefined);
    assert.ok(!existsSync(`/run/netns/${names.netns}`), 'netns removed');
    assert.ok(!existsSync(`/sys/class/net/${names.veth}`), 'veth removed');
    assert.ok(!existsSync(join(dataDir, 'runtime', 'pods', uid)), 'pod directory removed');
    await until(() => ours(readdirSync('/proc').filter((p) => /^\d+$/.test(p))).length === 0, 'no process of the pod left', 3000);
  });
});

import { readFileSync } from 'node:fs';
function require_cmdline(pid: string): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
}
