// The acceptance walkthrough of the API server, as a user does it with the real kubectl.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { startBerth, eventually } from './harness.js';
import type { Berth } from './harness.js';
import { RBAC, STORAGE, WORKLOADS } from './manifests.js';

let b: Berth;
before(async () => {
  b = await startBerth();
});
after(async () => {
  await b?.stop();
});

function ok(r: { code: number; stdout: string; stderr: string }): string {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

function headerOf(out: string): string[] {
  return out.split('\n')[0].trim().split(/\s{2,}/);
}

test('kubectl apply creates every kind, then reports unchanged, then configured after an edit', async () => {
  const all = b.file('all.yaml', [STORAGE, WORKLOADS, RBAC].join('---\n'));
  const first = ok(await b.kubectl(['apply', '-f', all]));
  for (const line of [
    'storageclass.storage.k8s.io/fast created',
    'persistentvolume/pv-rbd created',
    'persistentvolumeclaim/claim1 created',
    'service/nginx created',
    'statefulset.apps/web created',
    'deployment.apps/helper created',
    'serviceaccount/provisioner created',
    'clusterrole.rbac.authorization.k8s.io/provisioner-runner created',
    'clusterrolebinding.rbac.authorization.k8s.io/run-provisioner created',
    'role.rbac.authorization.k8s.io/leader-locking created',
    'rolebinding.rbac.authorization.k8s.io/leader-locking created',
  ]) {
    assert.ok(first.includes(line), `missing "${line}" in:\n${first}`);
  }
  const second = ok(await b.kubectl(['apply', '-f', all]));
  assert.ok(second.includes('statefulset.apps/web unchanged'), second);
  assert.ok(second.includes('persistentvolume/pv-rbd unchanged'), second);
  const edited = b.file('edited.yaml', WORKLOADS.replace('replicas: 2', 'replicas: 3'));
  const third = ok(await b.kubectl(['apply', '-f', edited]));
  assert.ok(third.includes('statefulset.apps/web configured'), third);
  assert.ok(third.includes('service/nginx unchanged'), third);
  const sts = JSON.parse(ok(await b.kubectl(['get', 'sts', 'web', '-o', 'json'])));
  assert.equal(sts.spec.replicas, 3);
  assert.equal(sts.metadata.generation, 2);
  assert.equal(sts.spec.updateStrategy.type, 'RollingUpdate');
});

test('kubectl get shows Kubernetes columns for each kind', async () => {
  assert.deepEqual(headerOf(ok(await b.kubectl(['get', 'sts']))), ['NAME', 'READY', 'AGE']);
  assert.deepEqual(headerOf(ok(await b.kubectl(['get', 'sts', '-o', 'wide']))), ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES']);
  assert.deepEqual(headerOf(ok(await b.kubectl(['get', 'pvc']))), [
    'NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE',
  ]);
  assert.deepEqual(headerOf(ok(await b.kubectl(['get', 'pv']))), [
    'NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE',
  ]);
  assert.deepEqual(headerOf(ok(await b.kubectl(['get', 'sc']))), [
    'NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE',
  ]);
  const svc = ok(await b.kubectl(['get', 'svc', 'nginx', '-o', 'wide']));
  assert.deepEqual(headerOf(svc), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
  assert.match(svc.split('\n')[1], /^nginx\s+ClusterIP\s+None\s+<none>\s+80\/TCP\s+\S+\s+app=nginx/);
  const pv = ok(await b.kubectl(['get', 'pv', 'pv-rbd']));
  // The StatefulSet's claim www-web-0 (class fast) may already have bound it.
  assert.match(pv.split('\n')[1], /^pv-rbd\s+1Gi\s+RWO\s+Retain\s+(Pending|Available|Bound)\s/);
  assert.deepEqual(headerOf(ok(await b.kubectl(['get', 'deploy']))), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  assert.deepEqual(headerOf(ok(await b.kubectl(['get', 'ns']))), ['NAME', 'STATUS', 'AGE']);
  assert.deepEqual(headerOf(ok(await b.kubectl(['get', 'clusterrolebinding', 'run-provisioner', '-o', 'wide']))), [
    'NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS',
  ]);
});

test('kubectl get supports -o name|yaml, -l, --show-labels and -A', async () => {
  assert.equal(ok(await b.kubectl(['get', 'svc', '-l', 'app=nginx', '-o', 'name'])).trim(), 'service/nginx');
  assert.match(ok(await b.kubectl(['get', 'sts', 'web', '-o', 'yaml'])), /kind: StatefulSet\n/);
  const labels = ok(await b.kubectl(['get', 'pv', '--show-labels']));
  assert.match(labels, /LABELS/);
  assert.match(labels, /type=rbd/);
  const all = ok(await b.kubectl(['get', 'ns', '-A']));
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(all, new RegExp(`^${ns}\\s+Active`, 'm'));
  const svcs = ok(await b.kubectl(['get', 'svc', '-A']));
  assert.deepEqual(headerOf(svcs).slice(0, 2), ['NAMESPACE', 'NAME']);
  assert.match(svcs, /default\s+kubernetes\s+ClusterIP\s+10\.96\.0\.1/);
});

test('kubectl get -w prints changes as they happen', async () => {
  const child = spawn('kubectl', ['--kubeconfig', b.kubeconfig, 'get', 'configmaps', '-w', '--request-timeout', '0']);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  try {
    // kubectl prints nothing for an empty list in watch mode: wait until its watch is open.
    await eventually(async () => /apiserver_longrunning_requests [1-9]/.test((await b.http('GET', '/metrics')).text), 15_000);
    ok(await b.kubectl(['create', 'configmap', 'watched', '--from-literal', 'a=b']));
    await eventually(async () => /watched\s+1\s/.test(out), 15_000);
    assert.equal(out.match(/watched/g)?.length, 1, out);
  } finally {
    child.kill();
  }
});

test('kubectl patch (strategic, merge, json), label, annotate and scale', async () => {
  ok(await b.kubectl(['patch', 'sts', 'web', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}']));
  let sts = JSON.parse(ok(await b.kubectl(['get', 'sts', 'web', '-o', 'json'])));
  assert.equal(sts.spec.template.spec.containers.length, 1);
  assert.equal(sts.spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.equal(sts.spec.template.spec.containers[0].ports[0].containerPort, 80, 'SMP keeps the other fields of the merged container');
  ok(await b.kubectl(['patch', 'sts', 'web', '--type', 'merge', '-p', '{"spec":{"minReadySeconds":5}}']));
  ok(await b.kubectl(['patch', 'sts', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":3}]']));
  ok(await b.kubectl(['label', 'sts', 'web', 'tier=frontend']));
  ok(await b.kubectl(['annotate', 'sts', 'web', 'note=hello']));
  assert.equal(ok(await b.kubectl(['scale', 'sts', 'web', '--replicas=5'])).trim(), 'statefulset.apps/web scaled');
  sts = JSON.parse(ok(await b.kubectl(['get', 'sts', 'web', '-o', 'json'])));
  assert.equal(sts.spec.minReadySeconds, 5);
  assert.equal(sts.spec.revisionHistoryLimit, 3);
  assert.equal(sts.metadata.labels.tier, 'frontend');
  assert.equal(sts.metadata.annotations.note, 'hello');
  assert.equal(sts.spec.replicas, 5);
  const bad = await b.kubectl(['scale', 'sts', 'web', '--replicas=5', '--current-replicas=2']);
  assert.notEqual(bad.code, 0);
});

test('kubectl edit saves the edited object and reports no change when nothing changed', async () => {
  const editor = b.file('editor.sh', '#!/bin/sh\nsed -i "s/app: nginx$/app: nginx2/" "$1"\n');
  chmodSync(editor, 0o755);
  const edited = await b.kubectl(['edit', 'svc', 'nginx'], { env: { KUBE_EDITOR: editor } });
  assert.equal(edited.code, 0, edited.stderr);
  assert.match(edited.stdout, /service\/nginx edited/);
  const svc = JSON.parse(ok(await b.kubectl(['get', 'svc', 'nginx', '-o', 'json'])));
  assert.equal(svc.metadata.labels.app, 'nginx2');
  const same = await b.kubectl(['edit', 'svc', 'nginx'], { env: { KUBE_EDITOR: 'true' } });
  assert.match(same.stdout + same.stderr, /Edit cancelled, no changes made/);
});

test('kubectl patch rejects an immutable change with the Kubernetes message', async () => {
  const r = await b.kubectl(['patch', 'sts', 'web', '--type', 'merge', '-p', '{"spec":{"serviceName":"other"}}']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /The StatefulSet "web" is invalid: spec: Forbidden: updates to statefulset spec for fields other than/);
});

test('kubectl apply --server-side creates, and reports conflicts with another manager', async () => {
  const cm = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
data:
  key: one
`;
  const f = b.file('ssa.yaml', cm);
  assert.match(ok(await b.kubectl(['apply', '--server-side', '-f', f])), /configmap\/ssa serverside-applied/);
  const f2 = b.file('ssa2.yaml', cm.replace('one', 'two'));
  const r = await b.kubectl(['apply', '--server-side', '--field-manager', 'other', '-f', f2]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl"/);
  assert.match(r.stderr, /\.data\.key/);
  ok(await b.kubectl(['apply', '--server-side', '--field-manager', 'other', '--force-conflicts', '-f', f2]));
  assert.equal(ok(await b.kubectl(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.key}'])), 'two');
});

test('kubectl delete waits for finalizers and honours --dry-run=server', async () => {
  ok(await b.kubectl(['create', 'configmap', 'dry', '--dry-run=server', '--from-literal', 'x=y']));
  const gone = await b.kubectl(['get', 'cm', 'dry']);
  assert.match(gone.stderr, /configmaps "dry" not found/);
  const f = b.file('fin.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fin\n  finalizers: ["example.com/hold"]\n');
  ok(await b.kubectl(['apply', '-f', f]));
  ok(await b.kubectl(['delete', 'cm', 'fin', '--wait=false']));
  const held = JSON.parse(ok(await b.kubectl(['get', 'cm', 'fin', '-o', 'json'])));
  assert.ok(held.metadata.deletionTimestamp, 'terminating object keeps existing');
  ok(await b.kubectl(['patch', 'cm', 'fin', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']));
  await eventually(async () => (await b.kubectl(['get', 'cm', 'fin'])).code !== 0);
  const d = ok(await b.kubectl(['delete', 'deploy', 'helper']));
  assert.match(d, /deployment.apps "helper" deleted/);
  const nf = await b.kubectl(['delete', 'deploy', 'helper']);
  assert.equal(nf.code, 1);
  assert.match(nf.stderr, /Error from server \(NotFound\): deployments.apps "helper" not found/);
});

test('kubectl describe, explain and api-resources work', async () => {
  const d = ok(await b.kubectl(['describe', 'sts', 'web']));
  assert.match(d, /Name:\s+web/);
  assert.match(d, /Selector:\s+app=nginx/);
  const pvc = ok(await b.kubectl(['describe', 'pvc', 'claim1']));
  assert.match(pvc, /Name:\s+claim1/);
  assert.match(pvc, /StorageClass:\s+fast/);
  const e = ok(await b.kubectl(['explain', 'pvc.spec']));
  assert.match(e, /KIND:\s+PersistentVolumeClaim/);
  assert.match(e, /accessModes/);
  const ar = ok(await b.kubectl(['api-resources']));
  assert.match(ar, /^persistentvolumeclaims\s+pvc\s+v1\s+true\s+PersistentVolumeClaim/m);
  assert.match(ar, /^statefulsets\s+sts\s+apps\/v1\s+true\s+StatefulSet/m);
});

test('bad input gets Kubernetes errors and changes nothing', async () => {
  const unknown = b.file('unknown.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\nbogus: 1\n');
  const r1 = await b.kubectl(['create', '-f', unknown]);
  assert.notEqual(r1.code, 0);
  assert.match(r1.stderr, /strict decoding error: unknown field "bogus"/);
  const badName = b.file('badname.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n');
  const r2 = await b.kubectl(['create', '-f', badName]);
  assert.notEqual(r2.code, 0);
  assert.match(r2.stderr, /The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  const big = await b.http('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'big' }, data: { x: 'a'.repeat(4 * 1024 * 1024) } });
  assert.equal(big.status, 413);
  assert.equal(big.body.reason, 'RequestEntityTooLarge');
  const deep = await b.http('POST', '/api/v1/namespaces/default/configmaps', '['.repeat(200_000) + ']'.repeat(200_000));
  assert.equal(deep.status, 400);
  const withRv = await b.http('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'rv', resourceVersion: '5' } });
  assert.equal(withRv.status, 400);
  const cur = await b.http('GET', '/api/v1/namespaces/default/configmaps/ssa');
  const stale = await b.http('PUT', '/api/v1/namespaces/default/configmaps/ssa', { ...cur.body, metadata: { ...cur.body.metadata, resourceVersion: '1' } });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
  const directive = await b.http('PATCH', '/api/v1/namespaces/default/configmaps/ssa', { $patch: 'explode' }, {
    'content-type': 'application/strategic-merge-patch+json',
  });
  assert.equal(directive.status, 400, directive.text);
  const after = ok(await b.kubectl(['get', 'cm', '-o', 'name']));
  assert.ok(!/configmap\/(u|big|rv|Bad_Name)\n/.test(after), after);
});

test('deleting a namespace deletes what is in it', async () => {
  ok(await b.kubectl(['create', 'namespace', 'scratch']));
  ok(await b.kubectl(['-n', 'scratch', 'create', 'configmap', 'a', '--from-literal', 'k=v']));
  ok(await b.kubectl(['-n', 'scratch', 'create', 'serviceaccount', 'robot']));
  ok(await b.kubectl(['delete', 'namespace', 'scratch', '--timeout', '30s']));
  const r = await b.kubectl(['get', 'namespace', 'scratch']);
  assert.match(r.stderr, /namespaces "scratch" not found/);
  const leftover = await b.http('GET', '/api/v1/namespaces/scratch/configmaps');
  assert.equal(leftover.body.items.length, 0);
  const protectedNs = await b.kubectl(['delete', 'namespace', 'default']);
  assert.notEqual(protectedNs.code, 0);
  assert.match(protectedNs.stderr, /forbidden/i);
});
