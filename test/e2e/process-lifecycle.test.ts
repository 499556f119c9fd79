// The process runtime's lifecycle, point by point from issue 5, on a real `berth up` with its
// default runtime and the real kubectl: restart policies and CrashLoopBackOff, readiness and liveness
// probes and their events, graceful termination and preStop hooks, pod networking, an image it
// cannot run, kubectl exec with a terminal, and kubectl logs options. The container specification
// (env, volumes, init containers) is in process-runtime.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ok } from './harness.js';
import { IDLE, podOf, processRuntimeSuite, readyCondition, status } from './process-runtime-support.js';

const s = processRuntimeSuite({ clusterCidr: '10.237.0.0/16' });
const { skip, w, pod, exec, execOk, waitPod, waitReady, waitPhase, remove, hostDir } = s;

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
    assert.match(ok(await s.berth().kubectl(['get', 'pod', 'crasher', '--no-headers'])), /^crasher\s+0\/1\s+CrashLoopBackOff\s+\d+ \(.+ ago\)\s/);
    const events = JSON.parse(ok(await s.berth().kubectl(['get', 'events', '--field-selector', 'involvedObject.name=crasher', '-o', 'json']))).items;
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
    assert.match(ok(await s.berth().kubectl(['get', 'pod', 'never', '--no-headers'])), /^never\s+0\/1\s+Error\s+0\s/);
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
      const items: any[] = JSON.parse(ok(await s.berth().kubectl(['get', 'events', '--field-selector', 'involvedObject.name=probe-events', '-o', 'json']))).items;
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
  await w.waitFor('the trap is set', async () => /started/.test(ok(await s.berth().kubectl(['logs', 'term-trap']))));
  ok(await s.berth().kubectl(['delete', 'pod', 'term-trap']));
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
  await w.waitFor('the trap is set', async () => /started/.test(ok(await s.berth().kubectl(['logs', 'term-ignore']))));
  const t0 = Date.now();
  ok(await s.berth().kubectl(['delete', 'pod', 'term-ignore']));
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
  await w.waitFor('the trap is set', async () => /started/.test(ok(await s.berth().kubectl(['logs', 'term-prestop']))));
  ok(await s.berth().kubectl(['delete', 'pod', 'term-prestop']));
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
    assert.match(ok(await s.berth().kubectl(['get', 'pod', 'no-entrypoint', '--no-headers'])), /^no-entrypoint\s+0\/1\s+CreateContainerError\s+0\s/);
    const events = await w.waitFor('a Warning Failed event', async () => {
      const items = JSON.parse(ok(await s.berth().kubectl(['get', 'events', '--field-selector', 'involvedObject.name=no-entrypoint', '-o', 'json']))).items;
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
  const quoted = ['kubectl', '--kubeconfig', s.berth().kubeconfig, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
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
      const out = ok(await s.berth().kubectl(['logs', 'log-pod', '--since=1h']));
      return out === 'line 1\nline 2\nline 3\nline 4\nline 5\n' && out;
    });
    assert.ok(all);
    assert.equal(ok(await s.berth().kubectl(['logs', 'log-pod', '--limit-bytes=10'])), 'line 1\nlin');
    // The lines are older than a second once a second has passed.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(ok(await s.berth().kubectl(['logs', 'log-pod', '--since=1s'])), '', '--since leaves out older lines');
    assert.equal(ok(await s.berth().kubectl(['logs', 'log-pod', '--since=1h', '--limit-bytes=7'])), 'line 1\n');
  } finally {
    await remove('log-pod');
  }
});
