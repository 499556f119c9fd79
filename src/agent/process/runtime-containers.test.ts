import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logTexts, processPod, runPod, skipReason, until, withRuntime } from './process-test-support.js';

const CIDR = '10.251.11.0/24';
const skip = skipReason;

test('a container writes into its volume, sees its hostname, /etc/hosts, resolv.conf and expanded env, and exits with its code', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-c1' }, async ({ rt, tempDir }) => {
    const vol = await tempDir();
    const script = [
      'echo hello > /data/out',
      'hostname > /data/hostname',
      'cat /etc/hosts > /data/hosts',
      'cat /etc/resolv.conf > /data/resolv',
      'echo "$GREETING|$POD|$NS|$LITERAL|$ESCAPED" > /data/env',
      // $$ is Kubernetes' escaped $: the shell sees $$.
      'echo "$$$$" > /data/pid',
      'pwd > /data/pwd',
      'echo out; echo err >&2',
      'exit 3',
    ].join('; ');
    const pod = processPod('web-0', {
      subdomain: 'nginx',
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', script],
          workingDir: '/work/dir',
          env: [
            { name: 'WHO', value: 'world' },
            { name: 'GREETING', value: 'hello $(WHO)' },
            { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'LITERAL', value: '$(UNDEFINED)' },
            { name: 'ESCAPED', value: '$$(WHO)' },
          ],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
    });
    const [c] = await runPod(rt, pod, { ip: '10.251.11.5', podCIDR: CIDR, volumes: [{ name: 'data', hostPath: vol, readOnly: false }] });
    await until(() => c.phase === 'exited', 'the container to exit');
    assert.equal(c.exitCode, 3);
    assert.equal(c.reason, 'Error');
    const read = (f: string) => readFile(join(vol, f), 'utf8');
    assert.equal(await read('out'), 'hello\n');
    assert.equal(await read('hostname'), 'web-0\n');
    assert.match(await read('hosts'), /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
    assert.match(await read('hosts'), /\n10\.251\.11\.5\tweb-0\.nginx\.default\.svc\.cluster\.local\tweb-0\n/);
    assert.match(await read('resolv'), /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b.*\nnameserver 10\.251\.11\.1\noptions ndots:5\n$/);
    assert.equal(await read('env'), 'hello world|web-0|default|$(UNDEFINED)|$(WHO)\n');
    assert.equal(await read('pid'), '1\n', 'the command is PID 1 of its PID namespace');
    assert.equal(await read('pwd'), '/work/dir\n');
    const log = await readFile(rt.logPath!({ podUid: pod.metadata!.uid!, container: 'main', previous: false })!, 'utf8');
    assert.match(log, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z stdout F out\n/m);
    assert.match(log, /^\S+ stderr F err$/m);
  });
});

test('SIGTERM ends a container that handles it; one that ignores it is killed when the grace period ends', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-c2' }, async ({ rt }) => {
    const pod = processPod('term', {
      containers: [
        { name: 'polite', image: 'busybox', command: ['sh', '-c', 'trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'] },
        { name: 'stubborn', image: 'busybox', command: ['sleep', '1000'] },
      ],
    });
    const [polite, stubborn] = await runPod(rt, pod, { ip: '10.251.11.6', podCIDR: CIDR });
    assert.equal(polite.phase, 'running');
    const uid = pod.metadata!.uid!;
    const t0 = Date.now();
    await rt.stopContainer(uid, 'polite', { gracePeriodSeconds: 30 });
    await rt.stopContainer(uid, 'stubborn', { gracePeriodSeconds: 2 });
    assert.equal(stubborn.stopping, true);
    await until(() => polite.phase === 'exited', 'the polite container to exit');
    assert.equal(polite.exitCode, 0);
    assert.equal(polite.reason, 'Completed');
    assert.equal(stubborn.phase, 'running', 'PID 1 without a handler ignores SIGTERM');
    await until(() => stubborn.phase === 'exited', 'the stubborn container to be killed');
    assert.ok(Date.now() - t0 >= 1900, 'killed at the end of the grace period');
    assert.equal(stubborn.exitCode, 137);
    assert.deepEqual(await logTexts(rt.logPath!({ podUid: uid, container: 'polite', previous: false })), ['bye']);
  });
});

test('a restarted container is a new instance with its own log; the previous log stays readable', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-c3' }, async ({ rt, tempDir }) => {
    const vol = await tempDir();
    await writeFile(join(vol, 'count'), '');
    const c = { name: 'crash', image: 'busybox', command: ['sh', '-c', 'echo x >> /data/count; echo "run $(wc -l < /data/count)"; exit 1'], volumeMounts: [{ name: 'data', mountPath: '/data' }] };
    const pod = processPod('crash', { containers: [c] });
    const uid = pod.metadata!.uid!;
    const events: string[] = [];
    rt.watch((u) => events.push(u));
    const [first] = await runPod(rt, pod, { ip: '10.251.11.7', podCIDR: CIDR, volumes: [{ name: 'data', hostPath: vol, readOnly: false }] });
    await until(() => first.phase === 'exited', 'the first run to exit');
    assert.ok(events.includes(uid), 'the exit is reported through watch()');
    const second = await rt.startContainer(uid, { pod, kind: 'regular', container: c, attempt: 1 });
    await until(() => second.phase === 'exited', 'the second run to exit');
    assert.notEqual(second.id, first.id);
    assert.equal(second.attempt, 1);
    assert.deepEqual(await logTexts(rt.logPath!({ podUid: uid, container: 'crash', previous: false })), ['run 2']);
    assert.deepEqual(await logTexts(rt.logPath!({ podUid: uid, container: 'crash', previous: true })), ['run 1']);
    assert.deepEqual(rt.pod(uid)!.containers.map((x) => x.attempt), [0, 1]);
  });
});

test('start failures carry the kubelet reasons: StartError, CreateContainerError, CreateContainerConfigError', { skip }, async () => {
  const lookup = { configMap: async () => undefined, secret: async () => ({ data: { other: Buffer.from('x').toString('base64') } }) };
  await withRuntime({ nodeName: 'proc-c4', lookup, imageMapFile: '/nonexistent/images.yaml' }, async ({ rt }) => {
    const pod = processPod('bad', { containers: [] });
    const uid = pod.metadata!.uid!;
    await runPod(rt, pod, { ip: '10.251.11.8', podCIDR: CIDR });
    const start = (container: any) => rt.startContainer(uid, { pod, kind: 'regular', container, attempt: 0 });
    const missing = await start({ name: 'a', image: 'busybox', command: ['no-such-program'] });
    assert.equal(missing.phase, 'exited');
    assert.equal(missing.exitCode, 128);
    assert.equal(missing.reason, 'StartError');
    assert.match(missing.message!, /exec: "no-such-program": executable file not found in \$PATH/);
    await assert.rejects(start({ name: 'b', image: 'example.com/unknown:1' }), (e: any) => {
      assert.equal(e.reason, 'CreateContainerError');
      assert.equal(e.message, `image "example.com/unknown:1" is not in berth's image map (/nonexistent/images.yaml); give the container a command`);
      return true;
    });
    await assert.rejects(start({ name: 'c', image: 'busybox', command: ['true'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }), (e: any) => {
      assert.equal(e.reason, 'CreateContainerConfigError');
      assert.equal(e.message, 'configmap "cfg" not found');
      return true;
    });
    await assert.rejects(start({ name: 'd', image: 'busybox', command: ['true'], env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }), {
      message: "couldn't find key k in Secret default/s",
    });
  });
});
