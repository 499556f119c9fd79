// Issue 5's acceptance on a real `berth up` with no runtime flag (so the default, `process`): the
// Kubernetes StatefulSet walkthrough with real nginx processes, data that survives the pods'
// deletion, cluster DNS from inside a pod and from dig, kubectl exec (exit codes, stdin) and
// kubectl logs (tail, timestamps, previous, follow), and a busybox pod writing into an NFS-style
// claim. Runs as root with nginx-light and dnsutils installed (.ci/run installs them).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startBerth, ok } from './harness.js';
import type { Berth } from './harness.js';
import { NS, isReady, workloadClient } from './workload-support.js';
import { WEB_YAML } from './manifests.js';

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the process runtime needs root';
  for (const [bin, pkg] of [['nginx', 'nginx-light'], ['dig', 'dnsutils']]) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return `${bin} is not installed (Debian package ${pkg}; .ci/run installs it)`;
    }
  }
  return undefined;
}
const skip = missing();

let b: Berth;
const w = workloadClient(() => b, { waitMs: 30_000 });


const pod = (name: string) => w.getObj(`${NS}/pods/${name}`);
const readyPod = (name: string, notUid?: string) =>
  w.waitFor(`${name} Running and Ready`, async () => {
    const p = await pod(name);
    return isReady(p) && p.metadata.uid !== notUid && p;
  });

before(async () => {
  if (skip) return;
  // Its own pod range: other process-runtime tests may run beside it on this machine.
  b = await startBerth({ defaultRuntime: true, args: ['--cluster-cidr', '10.249.0.0/16'] });
  assert.match(b.output(), /agents: node-1 \(runtime process\)/, 'berth up with no flag runs the process runtime here');
});

after(async () => {
  await b?.stop();
});

test('the StatefulSet walkthrough: real nginx pods keep their pages through deletion; web-1 reaches web-0 by its DNS name', { skip }, async () => {
  ok(await b.kubectl(['apply', '-f', b.file('web.yaml', WEB_YAML)]));
  const first = [await readyPod('web-0'), await readyPod('web-1')];
  for (const i of [0, 1]) ok(await b.kubectl(['exec', `web-${i}`, '--', 'sh', '-c', 'echo hello $(hostname) > /usr/share/nginx/html/index.html']));
  assert.equal(ok(await b.kubectl(['exec', '-i', 'web-0', '--', 'curl', '-s', 'localhost'], { input: '' })), 'hello web-0\n');
  assert.equal(ok(await b.kubectl(['exec', 'web-1', '--', 'curl', '-s', 'localhost'])), 'hello web-1\n');

  ok(await b.kubectl(['delete', 'pod', '-l', 'app=nginx', '--wait=false']));
  const again = [await readyPod('web-0', first[0].metadata.uid), await readyPod('web-1', first[1].metadata.uid)];
  assert.equal(ok(await b.kubectl(['exec', 'web-0', '--', 'curl', '-s', 'localhost'])), 'hello web-0\n', "web-0's page survived");
  assert.equal(ok(await b.kubectl(['exec', 'web-1', '--', 'curl', '-s', 'localhost'])), 'hello web-1\n', "web-1's page survived");

  assert.equal(ok(await b.kubectl(['exec', 'web-1', '--', 'curl', '-s', 'web-0.nginx'])), 'hello web-0\n', 'web-0.nginx resolves from web-1');
  const hosts = ok(await b.kubectl(['exec', 'web-1', '--', 'getent', 'hosts', 'web-0.nginx']));
  assert.match(hosts, new RegExp(`^${again[0].status.podIP.replaceAll('.', '\\.')}\\s+web-0\\.nginx\\.default\\.svc\\.cluster\\.local`));
  assert.equal(ok(await b.kubectl(['exec', 'web-0', '--', 'hostname'])), 'web-0\n');

  const dnsPort = /SERVE cluster\.local on 0\.0\.0\.0:(\d+)/.exec(b.output())?.[1];
  assert.ok(dnsPort, b.output());
  const dig = execFileSync('dig', ['@127.0.0.1', '-p', dnsPort, 'web-0.nginx.default.svc.cluster.local', '+short'], { encoding: 'utf8' });
  assert.equal(dig.trim(), again[0].status.podIP, 'dig answers with the recreated web-0 IP');
  assert.notEqual(again[0].status.podIP, first[0].status.podIP, 'the recreated pod has a new IP');
});

test('kubectl exec: stdout, stderr, exit codes and stdin; a missing container is named', { skip }, async () => {
  const r = await b.kubectl(['exec', 'web-0', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'out\n');
  assert.match(r.stderr, /err\n/);
  assert.match(r.stderr, /command terminated with exit code 3/);
  assert.equal(ok(await b.kubectl(['exec', '-i', 'web-0', '--', 'cat'], { input: 'through stdin\n' })), 'through stdin\n');
  const bad = await b.kubectl(['exec', 'web-0', '-c', 'nope', '--', 'true']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /container nope is not valid for pod web-0/);
});

test('kubectl logs: the access log, --tail, --timestamps, -f, and --previous after a restart', { skip }, async () => {
  ok(await b.kubectl(['exec', 'web-0', '--', 'curl', '-s', '-o', '/dev/null', 'localhost/logged']));
  const logs = await w.waitFor('the access log line', async () => {
    const out = ok(await b.kubectl(['logs', 'web-0']));
    return /"GET \/logged HTTP\/1\.1" 404/.test(out) && out;
  });
  assert.ok(logs.split('\n').length > 1);
  const tail = ok(await b.kubectl(['logs', 'web-0', '--tail=1']));
  assert.equal(tail.trim().split('\n').length, 1);
  assert.match(ok(await b.kubectl(['logs', 'web-0', '--tail=1', '--timestamps'])), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z /);

  ok(
    await b.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata:
  name: counter
spec:
  containers:
  - name: count
    image: busybox
    command: ["sh", "-c", "i=0; while [ $i -lt 3 ]; do echo line $i; i=$((i+1)); sleep 0.2; done; sleep 1; exit 1"]
`,
    }),
  );
  // -f streams lines as they are written.
  const follow = spawn('kubectl', ['--kubeconfig', b.kubeconfig, 'logs', '-f', 'counter'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let followed = '';
  follow.stdout.on('data', (d) => (followed += d));
  try {
    await w.waitFor('line 2 through logs -f', async () => /line 2/.test(followed));
  } finally {
    follow.kill();
  }
  const restarted = await w.waitFor('counter restarted once', async () => {
    const p = await pod('counter');
    return (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p;
  });
  assert.equal(restarted.status.containerStatuses[0].lastState.terminated.exitCode, 1);
  assert.match(ok(await b.kubectl(['logs', 'counter', '--previous'])), /^line 0\nline 1\nline 2\n$/);
});

test('a busybox pod on an NFS-style claim touches /mnt/SUCCESS; the file is in the export directory', { skip }, async () => {
  ok(
    await b.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: nfs-client
provisioner: berth.dev/nfs-subdir
parameters:
  archiveOnDelete: "false"
---
kind: PersistentVolumeClaim
apiVersion: v1
metadata:
  name: test-claim
spec:
  storageClassName: nfs-client
  accessModes:
    - ReadWriteMany
  resources:
    requests:
      storage: 1Mi
---
kind: Pod
apiVersion: v1
metadata:
  name: test-pod
spec:
  containers:
  - name: test-pod
    image: busybox:stable
    command:
      - "/bin/sh"
    args:
      - "-c"
      - "touch /mnt/SUCCESS && exit 0 || exit 1"
    volumeMounts:
      - name: nfs-pvc
        mountPath: "/mnt"
  restartPolicy: "Never"
  volumes:
    - name: nfs-pvc
      persistentVolumeClaim:
        claimName: test-claim
`,
    }),
  );
  await w.waitFor('test-pod Succeeded', async () => (await pod('test-pod'))?.status?.phase === 'Succeeded');
  const pvc = await w.getObj(`${NS}/persistentvolumeclaims/test-claim`);
  const exportDir = join(b.dataDir, 'volumes', 'nfs-export');
  const dir = readdirSync(exportDir).find((d) => d === `default-test-claim-${pvc.spec.volumeName}`);
  assert.ok(dir, `no directory for the claim in ${exportDir}: ${readdirSync(exportDir).join(', ')}`);
  assert.ok(existsSync(join(exportDir, dir, 'SUCCESS')));
});
