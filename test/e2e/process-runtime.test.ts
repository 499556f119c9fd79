// The process runtime's container specification, point by point from issue 5, on a real
// `berth up` with its default runtime and the real kubectl: command/args/env/envFrom/workingDir with
// `$(VAR)` expansion, every volume source it mounts (subPath, readOnly), init containers and the
// logs of a finished pod. Assertions are on what kubectl, the host's file system or a socket shows.
// The lifecycle (restarts, probes, termination), networking and exec/logs options are in
// process-lifecycle.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ok } from './harness.js';
import { NS, conditionOf } from './workload-support.js';
import { IDLE, podOf, processRuntimeSuite, status } from './process-runtime-support.js';

const s = processRuntimeSuite({ clusterCidr: '10.236.0.0/16' });
const { skip, w, exec, execOk, waitReady, waitPhase, remove, hostDir } = s;

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
      const text = ok(await s.berth().kubectl(['logs', 'env-pod']));
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
    await s.berth().kubectl(['delete', 'pvc', 'vol-claim', '--wait=false']);
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
    await w.waitFor('the main container\'s log', async () => ok(await s.berth().kubectl(['logs', 'init-order', '-c', 'main'])) === 'first\nsecond\nmain\n');
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
    assert.match(ok(await s.berth().kubectl(['get', 'pod', 'init-fail', '--no-headers'])), /^init-fail\s+0\/1\s+Init:Error\s+0\s/);
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
    assert.equal(ok(await s.berth().kubectl(['logs', 'done-pod'])), 'finished\n');
    assert.equal(ok(await s.berth().kubectl(['logs', 'done-pod', '-c', 'prep'])), 'prepared\n');
  } finally {
    await remove('done-pod');
  }
});

