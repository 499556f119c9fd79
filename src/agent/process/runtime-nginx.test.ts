import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processPod, runPod, skipReason, until, withRuntime } from './process-test-support.js';

const skip = skipReason ?? (existsSync('/usr/sbin/nginx') ? undefined : 'nginx is not installed (apt-get install -y nginx-light)');

test('the nginx image serves /usr/share/nginx/html on port 80 of the pod IP and logs requests to stdout', { skip }, async () => {
  await withRuntime({ nodeName: 'proc-x1' }, async ({ rt, tempDir }) => {
    const html = await tempDir();
    await writeFile(join(html, 'index.html'), 'hello web-0\n');
    // nginx's workers run as www-data (the official image's are `nginx`), as provisioned volumes (0777) allow.
    await chmod(html, 0o755);
    const pod = processPod('web-0', { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.24', ports: [{ containerPort: 80, name: 'web' }], volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] });
    const [c] = await runPod(rt, pod, { ip: '10.251.18.4', podCIDR: '10.251.18.0/24', volumes: [{ name: 'www', hostPath: html, readOnly: false }] });
    let body = '';
    await until(async () => {
      body = await fetch('http://10.251.18.4/').then((r) => r.text()).catch(() => '');
      return body !== '';
    }, 'nginx to answer');
    assert.equal(body, 'hello web-0\n');
    const log = rt.logPath!({ podUid: pod.metadata!.uid!, container: 'nginx', previous: false });
    await until(async () => /stdout F 10\.251\.18\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200/.test(await readFile(log!, 'utf8')), 'the access log line');
    assert.equal(c.phase, 'running');
    await rt.stopContainer(pod.metadata!.uid!, 'nginx', { gracePeriodSeconds: 10 });
    await until(() => c.phase === 'exited', 'nginx to stop on SIGTERM');
    assert.equal(c.exitCode, 0);
  });
});
