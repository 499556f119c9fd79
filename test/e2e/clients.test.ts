// Real client libraries against berth: the official Python client (Debian's python3-kubernetes)
// and @kubernetes/client-node list, watch and create.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { startBerth } from './harness.js';
import type { Berth } from './harness.js';

let b: Berth;
before(async () => {
  b = await startBerth();
});
after(async () => {
  await b?.stop();
});

const PYTHON = `
import sys, threading
from kubernetes import client, config, watch
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
names = [ns.metadata.name for ns in v1.list_namespace().items]
assert "kube-system" in names, names
seen = []
def watcher():
    w = watch.Watch()
    for ev in w.stream(v1.list_namespaced_config_map, namespace="default", timeout_seconds=20):
        seen.append((ev["type"], ev["object"].metadata.name))
        if ev["object"].metadata.name == "from-python":
            w.stop()
t = threading.Thread(target=watcher)
t.start()
import time; time.sleep(1)
cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="from-python", labels={"by": "python"}), data={"k": "v"})
created = v1.create_namespaced_config_map("default", cm)
assert created.metadata.resource_version
t.join(25)
assert ("ADDED", "from-python") in seen, seen
listed = v1.list_namespaced_config_map("default", label_selector="by=python")
assert [c.metadata.name for c in listed.items] == ["from-python"]
try:
    v1.read_namespaced_config_map("nope", "default")
    raise SystemExit("expected 404")
except client.exceptions.ApiException as e:
    assert e.status == 404, e.status
print("python-ok")
`;

const hasPythonClient = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import kubernetes'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('the official Python client lists, watches and creates', {
  skip: hasPythonClient ? false : "Debian's python3-kubernetes is not installed (.ci/run installs it)",
}, async () => {
  const out = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', PYTHON, b.kubeconfig], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
  assert.match(out, /python-ok/);
});

test('@kubernetes/client-node lists, watches and creates', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(b.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const nss = await core.listNamespace();
  assert.ok(nss.items.some((n) => n.metadata?.name === 'default'));

  const seen: string[] = [];
  const watch = new k8s.Watch(kc);
  let done!: () => void;
  const gotIt = new Promise<void>((r) => (done = r));
  const req = await watch.watch(
    '/api/v1/namespaces/default/configmaps',
    {},
    (type, obj) => {
      seen.push(`${type}:${obj.metadata?.name}`);
      if (obj.metadata?.name === 'from-node') done();
    },
    () => undefined,
  );
  await new Promise((r) => setTimeout(r, 300));
  const created = await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'from-node' }, data: { k: 'v' } },
  });
  assert.ok(created.metadata?.uid);
  await Promise.race([gotIt, new Promise((_, rej) => setTimeout(() => rej(new Error(`no watch event: ${seen}`)), 10_000))]);
  req.abort();
  assert.ok(seen.includes('ADDED:from-node'), seen.join(','));
  const got = await core.readNamespacedConfigMap({ name: 'from-node', namespace: 'default' });
  assert.equal(got.data?.k, 'v');
});
