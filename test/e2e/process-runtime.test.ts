// The process runtime's features, point by point from issue 5, on one real `berth up` with its
// default runtime and the real kubectl: command/args/env/envFrom/workingDir with `$(VAR)`
// expansion, every volume source it mounts (subPath, readOnly), init containers, restart policies
// and CrashLoopBackOff, readiness and liveness probes, graceful termination and preStop hooks, pod
// networking, an image it cannot run, kubectl exec with a terminal, and kubectl logs options.
// Every assertion is on what kubectl (or the host's file system, or a socket) shows. The host is
// every image (busybox/debian images run the host's /bin/sh); python3 serves HTTP and curl
// connects. Each test deletes its pods (--grace-period=1); after() waits until none is left.
// The berth has its own pod range, so process-pods.test.ts may run beside it; BERTH_E2E_LOG=<file>
// keeps berth's verbose transcript for a post-mortem.
// Deliberately not here: the StatefulSet walkthrough, DNS and kubectl exec/logs basics
// (process-pods.test.ts), agent restarts (process-agent.test.ts).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth, ok } from './harness.js';
import type { Berth, KubectlResult } from './harness.js';
import { NS, conditionOf, isReady, workloadClient } from './workload-support.js';

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the process runtime needs root';
  for (const [bin, pkg] of [['python3', 'python3'], ['curl', 'curl'], ['script', 'bsdutils']]) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return `${bin} is not installed (Debian package ${pkg})`;
    }
  }
  return undefined;
}
const skip = missing();

let b: Berth;
const w = workloadClient(() => b, { waitMs: 20_000 });
/** Host directories the tests mount as hostPath volumes; removed in after(). */
const hostDirs: string[] = [];

/** A shell that idles until SIGTERM (PID 1 in its namespace ignores signals it does not trap). */
const IDLE = "trap 'exit 0' TERM; sleep 3600 & wait";

function podOf(name: string, spec: any, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { suite: 'process-runtime', ...labels } }, spec: { terminationGracePeriodSeconds: 2, ...spec } };
}

const pod = (name: string) => w.getObj(`${NS}/pods/${name}`);
const exec = (name: string, cmd: string[], o: { container?: string } = {}): Promise<KubectlResult> =>
  b.kubectl(['exec', name, ...(o.container ? ['-c', o.container] : []), '--', ...cmd]);
const execOk = async (name: string, cmd: string[], o: { container?: string } = {}) => ok(await exec(name, cmd, o));

/** Waits for the pod to pass check; a timeout says what the pod and berth's log last showed. */
async function waitPod(name: string, check: (p: any) => boolean, o: { what: string; ms?: number }): Promise<any> {
  let last: any;
  try {
    return await w.waitFor(`${name}: ${o.what}`, async () => {
      last = await pod(name);
      return last && check(last) && last;
    }, o.ms ?? 20_000);
  } catch (e) {
    const log = b.output().split('\n').filter((l) => l.includes(name)).slice(-15).join('\n');
    throw new Error(`${(e as Error).message}\nlast status: ${JSON.stringify(last?.status)}\nberth's log about ${name}:\n${log}`);
  }
}
const waitReady = (name: string) => waitPod(name, isReady, { what: 'Running and Ready' });
const waitPhase = (name: string, phase: string) => waitPod(name, (p) => p.status?.phase === phase, { what: `phase ${phase}` });
const readyCondition = (p: any) => conditionOf(p, 'Ready')?.status === 'True';
const status = (p: any, c = 0) => p.status?.containerStatuses?.[c];

/** Deletes pods the way each test ends: a short grace period, not waiting for them to go. */
async function remove(...names: string[]): Promise<void> {
  await b.kubectl(['delete', 'pod', ...names, '--grace-period=1', '--wait=false', '--ignore-not-found']);
}

function hostDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'berth-e2e-hostpath-'));
  hostDirs.push(d);
  return d;
}

before(async () => {
  if (skip) return;
  // A pod range of its own: another berth on this machine (process-pods.test.ts, run beside this
  // file) has the default 10.244.0.0/24 for its node-1, and the host routes a range to one bridge.
  const verbose = process.env.BERTH_E2E_LOG ? ['-v'] : [];
  b = await startBerth({ defaultRuntime: true, args: ['--cluster-cidr', '10.236.0.0/16', ...verbose] });
  assert.match(b.output(), /agents: node-1 \(runtime process\)/, 'berth up with no flag runs the process runtime here');
});

after(async () => {
  if (b) {
    await b.kubectl(['delete', 'pod', '-l', 'suite=process-runtime', '--grace-period=1', '--ignore-not-found', '--wait=false']);
    await w.waitFor('every pod of this file gone', async () => (await w.list(`${NS}/pods`, { labelSelector: 'suite=process-runtime' })).length === 0, 30_000).catch(() => undefined);
    await b.stop();
    // BERTH_E2E_LOG=<file>: berth's verbose transcript, for a failure's post-mortem.
    if (process.env.BERTH_E2E_LOG) writeFileSync(process.env.BERTH_E2E_LOG, b.output());
  }
  for (const d of hostDirs) rmSync(d, { recursive: true, force: true });
});

// 1. The container's process and environment.

test('command, args and env: $(VAR) expansion, $$ escaping, unresolved references verbatim; ConfigMap/Secret keys, envFrom with a prefix, fieldRefs, workingDir', { skip }, async () => {
  await w.apply(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'env-colors' }, data: { color: 'blue' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'env-bulk' }, data: { alpha: 'one', beta: 'two' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'env-secret' }, stringData: { password: 's3cret' } },
  );
  await w.apply(
    podOf('env-pod', {
      containers: [
        {
          name: 'main',
          image: 'busybox:1.36',
          command: ['sh', '-c', `echo "ARGS=$1|$2|$3"; echo "CWD=$PWD"; env; echo END; ${IDLE}`, 'sh'],
          args: ['$(GREETING)-arg', '$$(GREETING)', '$(NOT_DEFINED_ANYWHERE)'],
          workingDir: '/usr/share',
          envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'env-bulk' } }],
          env: [
            { name: 'GREETING', value: 'hello' },
            { name: 'COMPOSED', value: '$(GREETING) there' },
            { name: 'ESCAPED', value: '$$(GREETING)' },
            { name: 'UNRESOLVED', value: '$(NOT_DEFINED_ANYWHERE)' },
            { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'env-colors', key: 'color' } } },
            { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'password' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
        },
      ],
    }),
  );
  try {
    const p = await waitReady('env-pod');
    const out = await w.waitFor('the whole environment in the log', async () => {
      const text = ok(await b.kubectl(['logs', 'env-pod']));
      return /^END$/m.test(text) && text;
    });
    const lines = new Set(out.split('\n'));
    const has = (line: string) => assert.ok(lines.has(line), `expected the line ${JSON.stringify(line)} in:\n${out}`);
    has('ARGS=hello-arg|$(GREETING)|$(NOT_DEFINED_ANYWHERE)');
    has('CWD=/usr/share');
    has('GREETING=hello');
    has('COMPOSED=hello there');
    has('ESCAPED=$(GREETING)');
    has('UNRESOLVED=$(NOT_DEFINED_ANYWHERE)');
    has('FROM_CM=blue');
    has('FROM_SECRET=s3cret');
    has('CFG_alpha=one');
    has('CFG_beta=two');
    has('POD_NAME=env-pod');
    assert.ok(p.status.podIP, 'the pod has an IP');
    has(`POD_IP=${p.status.podIP}`);
  } finally {
    await remove('env-pod');
  }
});

// 2. Volumes.

test('volumes: an emptyDir shared by two containers of one pod, and a subPath of it', { skip }, async () => {
  await w.apply(
    podOf('vol-shared', {
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [
        { name: 'writer', image: 'busybox', command: ['sh', '-c', `echo from-writer > /shared/note; mkdir -p /shared/sub; echo in-sub > /shared/sub/file; ${IDLE}`], volumeMounts: [{ name: 'scratch', mountPath: '/shared' }] },
        {
          name: 'reader',
          image: 'busybox',
          command: ['sh', '-c', IDLE],
          volumeMounts: [
            { name: 'scratch', mountPath: '/shared' },
            { name: 'scratch', mountPath: '/only-sub', subPath: 'sub' },
          ],
        },
      ],
    }),
  );
  try {
    await waitReady('vol-shared');
    await w.waitFor('the writer\'s file seen by the reader', async () => (await exec('vol-shared', ['cat', '/shared/note'], { container: 'reader' })).stdout === 'from-writer\n');
    assert.equal(await execOk('vol-shared', ['cat', '/only-sub/file'], { container: 'reader' }), 'in-sub\n', 'the subPath mount shows the sub-directory');
    assert.equal(await execOk('vol-shared', ['ls', '/only-sub'], { container: 'reader' }), 'file\n');
    ok(await exec('vol-shared', ['sh', '-c', 'echo back > /shared/reply'], { container: 'reader' }));
    assert.equal(await execOk('vol-shared', ['cat', '/shared/reply'], { container: 'writer' }), 'back\n', 'writes go both ways');
  } finally {
    await remove('vol-shared');
  }
});

test('volumes: configMap and secret files (all keys, and items with a path)', { skip }, async () => {
  await w.apply(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'vol-cm' }, data: { 'app.conf': 'mode=fast\n', other: 'x' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'vol-secret' }, stringData: { token: 'abc123' } },
  );
  await w.apply(
    podOf('vol-objects', {
      volumes: [
        { name: 'cm', configMap: { name: 'vol-cm' } },
        { name: 'cm-items', configMap: { name: 'vol-cm', items: [{ key: 'app.conf', path: 'nested/renamed.conf' }] } },
        { name: 'sec', secret: { secretName: 'vol-secret' } },
      ],
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', IDLE],
          volumeMounts: [
            { name: 'cm', mountPath: '/etc/app' },
            { name: 'cm-items', mountPath: '/etc/items' },
            { name: 'sec', mountPath: '/etc/secret' },
          ],
        },
      ],
    }),
  );
  try {
    await waitReady('vol-objects');
    assert.equal(await execOk('vol-objects', ['cat', '/etc/app/app.conf']), 'mode=fast\n');
    assert.equal(await execOk('vol-objects', ['cat', '/etc/app/other']), 'x');
    assert.equal(await execOk('vol-objects', ['cat', '/etc/items/nested/renamed.conf']), 'mode=fast\n', 'items put a key at its path');
    const listed = await exec('vol-objects', ['ls', '/etc/items/other']);
    assert.notEqual(listed.code, 0, 'a key not in items is not projected');
    assert.equal(await execOk('vol-objects', ['cat', '/etc/secret/token']), 'abc123', 'the secret file holds the decoded value');
  } finally {
    await remove('vol-objects');
  }
});

test('volumes: a downwardAPI volume writes the labels file', { skip }, async () => {
  await w.apply(
    podOf(
      'vol-downward',
      {
        volumes: [{ name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } }],
        containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', IDLE], volumeMounts: [{ name: 'info', mountPath: '/etc/podinfo' }] }],
      },
      { tier: 'frontend', zone: 'a' },
    ),
  );
  try {
    await waitReady('vol-downward');
    // The kubelet's format (pkg/fieldpath FormatMap): key="value" lines sorted by key.
    assert.equal(await execOk('vol-downward', ['cat', '/etc/podinfo/labels']), 'suite="process-runtime"\ntier="frontend"\nzone="a"');
    assert.equal(await execOk('vol-downward', ['cat', '/etc/podinfo/name']), 'vol-downward');
  } finally {
    await remove('vol-downward');
  }
});

test('volumes: hostPath read and written both ways; readOnly mounts refuse writes', { skip }, async () => {
  const dir = hostDir();
  writeFileSync(join(dir, 'from-host'), 'host says hi\n');
  await w.apply(
    podOf('vol-host', {
      volumes: [{ name: 'h', hostPath: { path: dir, type: 'Directory' } }],
      containers: [
        {
          name: 'main',
          image: 'debian:12',
          command: ['sh', '-c', IDLE],
          volumeMounts: [
            { name: 'h', mountPath: '/host' },
            { name: 'h', mountPath: '/host-ro', readOnly: true },
          ],
        },
      ],
    }),
  );
  try {
    await waitReady('vol-host');
    assert.equal(await execOk('vol-host', ['cat', '/host/from-host']), 'host says hi\n');
    ok(await exec('vol-host', ['sh', '-c', 'echo pod says hi > /host/from-pod']));
    assert.equal(readFileSync(join(dir, 'from-pod'), 'utf8'), 'pod says hi\n', 'the pod wrote into the host directory');
    assert.equal(await execOk('vol-host', ['cat', '/host-ro/from-host']), 'host says hi\n', 'a read-only mount reads');
    const denied = await exec('vol-host', ['touch', '/host-ro/nope']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Read-only file system/);
    assert.ok(!existsSync(join(dir, 'nope')));
  } finally {
    await remove('vol-host');
  }
});

test('volumes: a PersistentVolumeClaim is the PV\'s directory on the host', { skip }, async () => {
  await w.apply(
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'vol-claim' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } } },
    podOf('vol-pvc', {
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'vol-claim' } }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', IDLE], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    }),
  );
  try {
    await waitReady('vol-pvc');
    ok(await exec('vol-pvc', ['sh', '-c', 'echo persisted > /data/proof']));
    const claim = await w.getObj(`${NS}/persistentvolumeclaims/vol-claim`);
    const pv = await w.getObj(`/api/v1/persistentvolumes/${claim.spec.volumeName}`);
    const path = pv.spec.hostPath?.path ?? pv.spec.local?.path;
    assert.ok(path, `the PV has a host directory: ${JSON.stringify(pv.spec)}`);
    assert.equal(readFileSync(join(path, 'proof'), 'utf8'), 'persisted\n');
  } finally {
    await remove('vol-pvc');
    await b.kubectl(['delete', 'pvc', 'vol-claim', '--wait=false']);
  }
});

// 3. Init containers.

test('init containers run in order before the main container, which sees what they wrote', { skip }, async () => {
  const mount = [{ name: 'w', mountPath: '/w' }];
  await w.apply(
    podOf('init-order', {
      volumes: [{ name: 'w', emptyDir: {} }],
      initContainers: [
        { name: 'first', image: 'busybox', command: ['sh', '-c', 'echo first >> /w/log'], volumeMounts: mount },
        { name: 'second', image: 'busybox', command: ['sh', '-c', 'sleep 0.3; echo second >> /w/log'], volumeMounts: mount },
      ],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `echo main >> /w/log; cat /w/log; ${IDLE}`], volumeMounts: mount }],
    }),
  );
  try {
    const p = await waitReady('init-order');
    await w.waitFor('the main container\'s log', async () => ok(await b.kubectl(['logs', 'init-order', '-c', 'main'])) === 'first\nsecond\nmain\n');
    const inits = p.status.initContainerStatuses;
    assert.deepEqual(inits.map((s: any) => [s.name, s.state.terminated?.reason, s.state.terminated?.exitCode, s.ready]), [
      ['first', 'Completed', 0, true],
      ['second', 'Completed', 0, true],
    ]);
    assert.ok(new Date(inits[1].state.terminated.startedAt) >= new Date(inits[0].state.terminated.finishedAt), 'second started after first finished');
    assert.ok(new Date(status(p).state.running.startedAt) >= new Date(inits[1].state.terminated.finishedAt), 'main started after the init containers');
    assert.equal(conditionOf(p, 'Initialized')?.status, 'True');
  } finally {
    await remove('init-order');
  }
});

test('a failing init container with restartPolicy Never fails the pod (Init:Error); the main container never starts', { skip }, async () => {
  await w.apply(
    podOf('init-fail', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'broken', image: 'busybox', command: ['sh', '-c', 'echo failing; exit 3'] }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo main ran'] }],
    }),
  );
  try {
    const p = await waitPhase('init-fail', 'Failed');
    const init = p.status.initContainerStatuses[0];
    assert.equal(init.state.terminated.exitCode, 3);
    assert.equal(init.state.terminated.reason, 'Error');
    assert.equal(init.restartCount, 0);
    assert.equal(status(p).state.waiting?.reason, 'PodInitializing');
    assert.equal(conditionOf(p, 'Initialized')?.status, 'False');
    assert.match(ok(await b.kubectl(['get', 'pod', 'init-fail', '--no-headers'])), /^init-fail\s+0\/1\s+Init:Error\s+0\s/);
  } finally {
    await remove('init-fail');
  }
});

test('kubectl logs of a finished pod: the Succeeded main container and its init container', { skip }, async () => {
  await w.apply(
    podOf('done-pod', {
      restartPolicy: 'Never',
      initContainers: [{ name: 'prep', image: 'busybox', command: ['sh', '-c', 'echo prepared'] }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo finished'] }],
    }),
  );
  try {
    await waitPhase('done-pod', 'Succeeded');
    assert.equal(ok(await b.kubectl(['logs', 'done-pod'])), 'finished\n');
    assert.equal(ok(await b.kubectl(['logs', 'done-pod', '-c', 'prep'])), 'prepared\n');
  } finally {
    await remove('done-pod');
  }
});

// 4. restartPolicy.

test('restartPolicy Always: an exiting container restarts (restartCount, lastState.terminated) and a crashing one reaches CrashLoopBackOff', { skip }, async () => {
  await w.apply(podOf('crasher', { containers: [{ name: 'crash', image: 'busybox', command: ['sh', '-c', 'echo attempt; exit 3'] }] }));
  try {
    const restarted = await waitPod('crasher', (p) => (status(p)?.restartCount ?? 0) >= 1 && !!status(p)?.lastState?.terminated, { what: 'restarted at least once' });
    assert.equal(status(restarted).lastState.terminated.exitCode, 3);
    assert.equal(status(restarted).lastState.terminated.reason, 'Error');
    // The kubelet restarts at once the first time, then backs off 10 s, doubling.
    const looping = await waitPod('crasher', (p) => status(p)?.state?.waiting?.reason === 'CrashLoopBackOff', { what: 'waiting in CrashLoopBackOff', ms: 30_000 });
    assert.match(status(looping).state.waiting.message, /^back-off \d+s restarting failed container=crash pod=crasher_default\(.+\)$/);
    assert.match(ok(await b.kubectl(['get', 'pod', 'crasher', '--no-headers'])), /^crasher\s+0\/1\s+CrashLoopBackOff\s+\d+ \(.+ ago\)\s/);
    const events = JSON.parse(ok(await b.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=crasher', '-o', 'json']))).items;
    assert.ok(events.some((e: any) => e.type === 'Warning' && e.reason === 'BackOff'), `a BackOff event: ${JSON.stringify(events.map((e: any) => e.reason))}`);
  } finally {
    await remove('crasher');
  }
});

test('restartPolicy OnFailure: a failure restarts, exit 0 ends the pod Succeeded; Never: Failed with the exit code', { skip }, async () => {
  await w.apply(
    podOf('on-failure', {
      restartPolicy: 'OnFailure',
      volumes: [{ name: 'w', emptyDir: {} }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'if [ -f /w/tried ]; then echo second; exit 0; fi; touch /w/tried; exit 1'], volumeMounts: [{ name: 'w', mountPath: '/w' }] }],
    }),
    podOf('never', { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 5'] }] }),
  );
  try {
    const done = await waitPhase('on-failure', 'Succeeded');
    assert.equal(status(done).restartCount, 1);
    assert.equal(status(done).lastState.terminated.exitCode, 1);
    assert.equal(status(done).state.terminated.exitCode, 0);
    assert.equal(status(done).state.terminated.reason, 'Completed');
    const failed = await waitPhase('never', 'Failed');
    assert.equal(status(failed).restartCount, 0);
    assert.equal(status(failed).state.terminated.exitCode, 5);
    assert.equal(status(failed).state.terminated.reason, 'Error');
    assert.match(ok(await b.kubectl(['get', 'pod', 'never', '--no-headers'])), /^never\s+0\/1\s+Error\s+0\s/);
  } finally {
    await remove('on-failure', 'never');
  }
});

// 5. Probes.

test('a readiness httpGet probe: Ready while the path serves, not Ready when it is removed, Ready again', { skip }, async () => {
  await w.apply(
    podOf('probe-http', {
      containers: [
        {
          name: 'web',
          image: 'python:3.11',
          command: ['sh', '-c', 'mkdir -p /srv && cd /srv && echo ok > healthz && exec python3 -m http.server 8080'],
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    }),
  );
  try {
    await waitReady('probe-http');
    ok(await exec('probe-http', ['rm', '/srv/healthz']));
    const notReady = await waitPod('probe-http', (p) => !readyCondition(p), { what: 'not Ready after the path went' });
    assert.equal(status(notReady).ready, false);
    assert.equal(notReady.status.phase, 'Running', 'an unready pod keeps running');
    assert.equal(status(notReady).restartCount, 0, 'readiness does not restart');
    ok(await exec('probe-http', ['sh', '-c', 'echo ok > /srv/healthz']));
    await waitReady('probe-http');
  } finally {
    await remove('probe-http');
  }
});

test('a readiness tcpSocket probe: not Ready until the port listens', { skip }, async () => {
  await w.apply(
    podOf('probe-tcp', {
      containers: [
        {
          name: 'main',
          image: 'python:3.11',
          command: ['sh', '-c', 'while [ ! -f /tmp/go ]; do sleep 0.2; done; exec python3 -m http.server 9000'],
          readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    }),
  );
  try {
    await waitPod('probe-tcp', (p) => p.status?.phase === 'Running' && !!status(p)?.state?.running, { what: 'Running' });
    await w.stays('probe-tcp not Ready while nothing listens', async () => !readyCondition(await pod('probe-tcp')), 2000);
    ok(await exec('probe-tcp', ['touch', '/tmp/go']));
    await waitReady('probe-tcp');
  } finally {
    await remove('probe-tcp');
  }
});

test('an exec liveness probe that starts failing restarts the container', { skip }, async () => {
  await w.apply(
    podOf('probe-live', {
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', `touch /tmp/alive; ${IDLE}`],
          livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
        },
      ],
    }),
  );
  try {
    const first = await waitReady('probe-live');
    assert.equal(status(first).restartCount, 0);
    await w.stays('no restart while the probe passes', async () => status(await pod('probe-live'))?.restartCount === 0, 2000);
    ok(await exec('probe-live', ['rm', '/tmp/alive']));
    await waitPod('probe-live', (p) => (status(p)?.restartCount ?? 0) >= 1, { what: 'restarted by its liveness probe' });
    // The new instance has its own writable layer, where its command made the file again.
    const again = await waitReady('probe-live');
    assert.equal(status(again).restartCount, 1, 'one restart: the new instance passes its probe');
    assert.notEqual(status(again).containerID, status(first).containerID);
    assert.equal(status(again).lastState.terminated.containerID, status(first).containerID, 'the killed instance is the last state');
    assert.equal(status(again).lastState.terminated.exitCode, 0, 'its TERM trap exited 0');
  } finally {
    await remove('probe-live');
  }
});

test('probe failures are events: Warning Unhealthy "Liveness probe failed: ..." and Normal Killing', { skip }, async () => {
  await w.apply(
    podOf('probe-events', {
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', IDLE],
          livenessProbe: { exec: { command: ['cat', '/tmp/never-there'] }, periodSeconds: 1, failureThreshold: 2 },
        },
      ],
    }),
  );
  try {
    const events = await w.waitFor('an Unhealthy and a Killing event', async () => {
      const items: any[] = JSON.parse(ok(await b.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=probe-events', '-o', 'json']))).items;
      const unhealthy = items.find((e) => e.reason === 'Unhealthy');
      const killing = items.find((e) => e.reason === 'Killing');
      return unhealthy && killing && { unhealthy, killing };
    }, 8000);
    assert.equal(events.unhealthy.type, 'Warning');
    assert.match(events.unhealthy.message, /^Liveness probe failed: cat: .*never-there/);
    assert.equal(events.killing.type, 'Normal');
    assert.equal(events.killing.message, 'Container main failed liveness probe, will be restarted');
  } finally {
    await remove('probe-events');
  }
});

// 6. Graceful termination.

test('graceful termination: a container trapping SIGTERM runs its handler before the pod is gone', { skip }, async () => {
  const dir = hostDir();
  await w.apply(
    podOf('term-trap', {
      terminationGracePeriodSeconds: 10,
      volumes: [{ name: 'h', hostPath: { path: dir } }],
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', "trap 'echo got TERM > /host/marker; exit 0' TERM; echo started; sleep 3600 & wait"], volumeMounts: [{ name: 'h', mountPath: '/host' }] }],
    }),
  );
  await waitReady('term-trap');
  await w.waitFor('the trap is set', async () => /started/.test(ok(await b.kubectl(['logs', 'term-trap']))));
  ok(await b.kubectl(['delete', 'pod', 'term-trap']));
  assert.equal(readFileSync(join(dir, 'marker'), 'utf8'), 'got TERM\n');
});

test('graceful termination: a container ignoring SIGTERM is killed when terminationGracePeriodSeconds (2) ends', { skip }, async () => {
  await w.apply(
    podOf('term-ignore', {
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', "trap '' TERM; echo started; while :; do sleep 0.2; done"] }],
    }),
  );
  await waitReady('term-ignore');
  await w.waitFor('the trap is set', async () => /started/.test(ok(await b.kubectl(['logs', 'term-ignore']))));
  const t0 = Date.now();
  ok(await b.kubectl(['delete', 'pod', 'term-ignore']));
  const took = Date.now() - t0;
  // Not a timing benchmark: the bounds only tell "waited for the grace period" from "killed at
  // once" and from "waited the default 30 s".
  assert.ok(took >= 1500, `the container had its grace period (deleted after ${took} ms)`);
  assert.ok(took < 15_000, `SIGKILL came after about 2 s, not 30 (deleted after ${took} ms)`);
});

test('a preStop exec hook runs before SIGTERM', { skip }, async () => {
  const dir = hostDir();
  await w.apply(
    podOf('term-prestop', {
      terminationGracePeriodSeconds: 10,
      volumes: [{ name: 'h', hostPath: { path: dir } }],
      containers: [
        {
          name: 'main',
          image: 'busybox',
          command: ['sh', '-c', "trap 'echo term >> /host/order; exit 0' TERM; echo started; sleep 3600 & wait"],
          lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo prestop >> /host/order'] } } },
          volumeMounts: [{ name: 'h', mountPath: '/host' }],
        },
      ],
    }),
  );
  await waitReady('term-prestop');
  await w.waitFor('the trap is set', async () => /started/.test(ok(await b.kubectl(['logs', 'term-prestop']))));
  ok(await b.kubectl(['delete', 'pod', 'term-prestop']));
  assert.equal(readFileSync(join(dir, 'order'), 'utf8'), 'prestop\nterm\n');
});

// 7. Networking.

test('networking: hostname and /etc/hosts; pod to pod and host to pod over pod IPs; each pod has its own localhost', { skip }, async () => {
  await w.apply(
    podOf('net-server', {
      containers: [
        {
          name: 'web',
          image: 'python:3.11',
          command: ['sh', '-c', 'mkdir -p /srv && cd /srv && echo hello-from-server > index.html && python3 -m http.server 8081 --bind 127.0.0.1 & cd /srv && exec python3 -m http.server 8080'],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        },
      ],
    }),
    podOf('net-client', { containers: [{ name: 'main', image: 'debian', command: ['sh', '-c', IDLE] }] }),
  );
  try {
    const server = await waitReady('net-server');
    const client = await waitReady('net-client');
    const ip = server.status.podIP;
    assert.ok(ip && client.status.podIP && ip !== client.status.podIP, 'each pod has its own IP');

    assert.equal(await execOk('net-server', ['hostname']), 'net-server\n');
    const hosts = await execOk('net-server', ['cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${ip.replaceAll('.', '\\.')}\\tnet-server$`, 'm'));
    assert.match(hosts, /^127\.0\.0\.1\tlocalhost$/m);

    assert.equal(await execOk('net-client', ['curl', '-sS', '-m', '5', `http://${ip}:8080/`]), 'hello-from-server\n', 'pod to pod');
    const fromHost = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) });
    assert.equal(await fromHost.text(), 'hello-from-server\n', 'host to pod');

    await w.waitFor('the loopback server in net-server', async () => (await exec('net-server', ['curl', '-sS', '-m', '2', 'http://127.0.0.1:8081/'])).stdout === 'hello-from-server\n');
    const other = await exec('net-client', ['curl', '-sS', '-m', '2', 'http://127.0.0.1:8081/']);
    assert.equal(other.code, 7, `net-client's localhost is its own: curl exits 7 (could not connect): ${other.stderr}`);
    const outside = await exec('net-client', ['curl', '-sS', '-m', '2', `http://${ip}:8081/`]);
    assert.notEqual(outside.code, 0, 'a server bound to the pod\'s 127.0.0.1 is not reachable on its pod IP');
  } finally {
    await remove('net-server', 'net-client');
  }
});

// 8. An image the runtime cannot run.

test('an image neither in the image map nor given a command waits in CreateContainerError with a Warning event', { skip }, async () => {
  await w.apply(podOf('no-entrypoint', { containers: [{ name: 'main', image: 'registry.example.com/team/unknown-app:2.0' }] }));
  try {
    const p = await waitPod('no-entrypoint', (x) => status(x)?.state?.waiting?.reason === 'CreateContainerError', { what: 'waiting in CreateContainerError' });
    assert.match(status(p).state.waiting.message, /unknown-app.*image map/);
    assert.equal(p.status.phase, 'Pending');
    assert.match(ok(await b.kubectl(['get', 'pod', 'no-entrypoint', '--no-headers'])), /^no-entrypoint\s+0\/1\s+CreateContainerError\s+0\s/);
    const events = await w.waitFor('a Warning Failed event', async () => {
      const items = JSON.parse(ok(await b.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=no-entrypoint', '-o', 'json']))).items;
      return items.find((e: any) => e.type === 'Warning' && e.reason === 'Failed');
    });
    assert.match(events.message, /^Error: .*image map/);
  } finally {
    await remove('no-entrypoint');
  }
});

// 9. kubectl exec with a terminal, kubectl logs options.

/** Runs kubectl under script(1), so its stdin is a terminal of 30 rows and 100 columns. */
function kubectlInTerminal(args: string[]): Promise<{ code: number | null; out: string }> {
  const quoted = ['kubectl', '--kubeconfig', b.kubeconfig, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return new Promise((resolve) => {
    // stdin stays open (and empty): script would pass an end of file on to the terminal.
    const child = spawn('script', ['-qfec', `stty rows 30 cols 100; ${quoted}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      child.stdin.end();
      resolve({ code, out: out.replaceAll('\r\n', '\n') });
    });
  });
}

test('kubectl exec -it gives the command a terminal of kubectl\'s size', { skip }, async () => {
  await w.apply(podOf('tty-pod', { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', IDLE] }] }));
  try {
    await waitReady('tty-pod');
    const r = await kubectlInTerminal(['exec', '-it', 'tty-pod', '--', 'sh', '-c', '[ -t 0 ] && [ -t 1 ] && echo both-terminals; stty size; echo "TERM=$TERM"']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^both-terminals$/m, 'stdin and stdout are a terminal');
    assert.match(r.out, /^30 100$/m, 'the terminal has kubectl\'s size');
    assert.match(r.out, /^TERM=xterm$/m);
    const plain = await exec('tty-pod', ['sh', '-c', '[ -t 0 ] || [ -t 1 ] || echo no-terminal']);
    assert.equal(plain.stdout, 'no-terminal\n', 'without -t there is no terminal');
  } finally {
    await remove('tty-pod');
  }
});

test('kubectl exec -it: `tty` names the terminal in the container\'s own devpts, as under runc', { skip }, async () => {
  await w.apply(podOf('tty-name', { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', IDLE] }] }));
  try {
    await waitReady('tty-name');
    const r = await kubectlInTerminal(['exec', '-it', 'tty-name', '--', 'tty']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^\/dev\/pts\/\d+$/m, 'tty names a terminal');
  } finally {
    await remove('tty-name');
  }
});

test('kubectl logs --since and --limit-bytes', { skip }, async () => {
  await w.apply(podOf('log-pod', { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', `for i in 1 2 3 4 5; do echo line $i; done; ${IDLE}`] }] }));
  try {
    await waitReady('log-pod');
    const all = await w.waitFor('five lines', async () => {
      const out = ok(await b.kubectl(['logs', 'log-pod', '--since=1h']));
      return out === 'line 1\nline 2\nline 3\nline 4\nline 5\n' && out;
    });
    assert.ok(all);
    assert.equal(ok(await b.kubectl(['logs', 'log-pod', '--limit-bytes=10'])), 'line 1\nlin');
    // The lines are older than a second once a second has passed.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(ok(await b.kubectl(['logs', 'log-pod', '--since=1s'])), '', '--since leaves out older lines');
    assert.equal(ok(await b.kubectl(['logs', 'log-pod', '--since=1h', '--limit-bytes=7'])), 'line 1\n');
  } finally {
    await remove('log-pod');
  }
});
