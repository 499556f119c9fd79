// kubectl's typed create commands (create configmap|secret|namespace|serviceaccount|deployment|
// service|role|rolebinding|clusterrole|clusterrolebinding, auth can-i) send protobuf bodies; `run`
// sends JSON. Each must store the same object the JSON path stores, with no spurious empty fields.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBerth, ok } from './harness.js';
import type { Berth } from './harness.js';

let b: Berth;
before(async () => {
  b = await startBerth();
});
after(async () => {
  await b?.stop();
});

async function getJson(kind: string, name: string, ns?: string): Promise<any> {
  return JSON.parse(ok(await b.kubectl(['get', kind, name, '-o', 'json', ...(ns ? ['-n', ns] : [])])));
}

/** The object without what differs between two creations of it: identity, times, allocated IPs, and what controllers write. */
function comparable(obj: any): any {
  const o = structuredClone(obj);
  delete o.status;
  if (o.metadata.annotations) delete o.metadata.annotations['deployment.kubernetes.io/revision'];
  if (o.metadata.annotations && !Object.keys(o.metadata.annotations).length) delete o.metadata.annotations;
  delete o.metadata.generation;
  for (const k of ['name', 'uid', 'resourceVersion', 'creationTimestamp', 'managedFields']) delete o.metadata[k];
  if (o.metadata.labels) delete o.metadata.labels['kubernetes.io/metadata.name'];
  if (o.spec?.clusterIP) {
    delete o.spec.clusterIP;
    delete o.spec.clusterIPs;
  }
  return o;
}

test('kubectl create sends protobuf', async () => {
  const r = await b.kubectl(['create', 'configmap', 'wire', '--from-literal=a=b', '-v=8']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
});

test('kubectl create configmap, secret, namespace and serviceaccount store their content', async () => {
  assert.match(ok(await b.kubectl(['create', 'configmap', 'c1', '--from-literal=a=b', '--from-literal=empty='])), /^configmap\/c1 created/);
  const cm = await getJson('configmap', 'c1');
  assert.deepEqual(cm.data, { a: 'b', empty: '' });
  assert.deepEqual(Object.keys(cm.metadata).sort(), ['creationTimestamp', 'name', 'namespace', 'resourceVersion', 'uid']);
  assert.equal(cm.immutable, undefined);

  assert.match(ok(await b.kubectl(['create', 'secret', 'generic', 's1', '--from-literal=p=q'])), /^secret\/s1 created/);
  const secret = await getJson('secret', 's1');
  assert.deepEqual(secret.data, { p: Buffer.from('q').toString('base64') });
  assert.equal(secret.type, 'Opaque');

  ok(await b.kubectl(['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p']));
  const reg = await getJson('secret', 'reg');
  assert.equal(reg.type, 'kubernetes.io/dockerconfigjson');
  const config = JSON.parse(Buffer.from(reg.data['.dockerconfigjson'], 'base64').toString());
  assert.equal(config.auths['r.example'].username, 'u');

  assert.match(ok(await b.kubectl(['create', 'namespace', 'n1'])), /^namespace\/n1 created/);
  const ns = await getJson('namespace', 'n1');
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.equal(ns.status.phase, 'Active');

  assert.match(ok(await b.kubectl(['create', 'serviceaccount', 'sa1'])), /^serviceaccount\/sa1 created/);
  const sa = await getJson('serviceaccount', 'sa1');
  assert.equal(sa.automountServiceAccountToken, undefined);
});

test('kubectl create deployment keeps replicas and ports and adds no empty fields', async () => {
  assert.match(ok(await b.kubectl(['create', 'deployment', 'd1', '--image=nginx', '--replicas=2', '--port=80'])), /^deployment\.apps\/d1 created/);
  const d = await getJson('deployment', 'd1');
  assert.equal(d.spec.replicas, 2);
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'd1' } });
  assert.deepEqual(d.spec.template.metadata, { labels: { app: 'd1' } });
  const [c] = d.spec.template.spec.containers;
  assert.equal(c.name, 'nginx');
  assert.equal(c.image, 'nginx');
  assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  for (const [k, v] of Object.entries(c)) assert.notEqual(v, '', `container field ${k} is empty`);

  ok(await b.kubectl(['create', 'deployment', 'd0', '--image=nginx', '--replicas=0']));
  assert.equal((await getJson('deployment', 'd0')).spec.replicas, 0);
});

test('kubectl create service stores ports with their target ports', async () => {
  assert.match(ok(await b.kubectl(['create', 'service', 'clusterip', 'svc1', '--tcp=80:8080'])), /^service\/svc1 created/);
  const svc = await getJson('service', 'svc1');
  assert.deepEqual(svc.spec.ports, [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.match(svc.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);

  ok(await b.kubectl(['create', 'service', 'nodeport', 'np1', '--tcp=81:8081']));
  const np = await getJson('service', 'np1');
  assert.equal(np.spec.type, 'NodePort');
  assert.ok(np.spec.ports[0].nodePort >= 30000, JSON.stringify(np.spec.ports));

  ok(await b.kubectl(['create', 'service', 'clusterip', 'headless', '--clusterip=None']));
  assert.equal((await getJson('service', 'headless')).spec.clusterIP, 'None');
});

test('kubectl create role, rolebinding, clusterrole and clusterrolebinding store rules and subjects', async () => {
  assert.match(ok(await b.kubectl(['create', 'role', 'r1', '--verb=get', '--resource=pods'])), /^role\.rbac\.authorization\.k8s\.io\/r1 created/);
  assert.deepEqual((await getJson('role', 'r1')).rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]);

  assert.match(ok(await b.kubectl(['create', 'rolebinding', 'rb1', '--role=r1', '--user=alice'])), /rolebinding\.rbac\.authorization\.k8s\.io\/rb1 created/);
  const rb = await getJson('rolebinding', 'rb1');
  assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' });
  assert.deepEqual(rb.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }]);

  ok(await b.kubectl(['create', 'clusterrole', 'cr1', '--verb=get', '--resource=nodes']));
  assert.deepEqual((await getJson('clusterrole', 'cr1')).rules, [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]);

  ok(await b.kubectl(['create', 'clusterrolebinding', 'crb1', '--clusterrole=cr1', '--group=devs', '--serviceaccount=default:sa1']));
  const crb = await getJson('clusterrolebinding', 'crb1');
  assert.deepEqual(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr1' });
  assert.deepEqual(crb.subjects, [
    { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'devs' },
    { kind: 'ServiceAccount', name: 'sa1', namespace: 'default' },
  ]);
});

test('kubectl run creates a pod and kubectl auth can-i answers', async () => {
  assert.match(ok(await b.kubectl(['run', 'p1', '--image=busybox', '--', 'sleep', '10'])), /^pod\/p1 created/);
  const pod = await getJson('pod', 'p1');
  assert.deepEqual(pod.spec.containers[0].args, ['sleep', '10']);
  assert.equal(ok(await b.kubectl(['auth', 'can-i', 'get', 'pods'])).trim(), 'yes');
});

test('protobuf and JSON bodies of the same command store the same object', async () => {
  const commands: [string, string[]][] = [
    ['configmap', ['create', 'configmap', 'same', '--from-literal=k=v']],
    ['secret', ['create', 'secret', 'generic', 'same', '--from-literal=k=v']],
    ['deployment', ['create', 'deployment', 'same', '--image=nginx', '--replicas=3', '--port=8080']],
    ['service', ['create', 'service', 'clusterip', 'same', '--tcp=80:http']],
    ['role', ['create', 'role', 'same', '--verb=get,list', '--resource=configmaps', '--resource-name=a']],
    ['rolebinding', ['create', 'rolebinding', 'same', '--clusterrole=view', '--serviceaccount=default:x']],
    ['namespace', ['create', 'namespace', 'same']],
  ];
  for (const [kind, args] of commands) {
    ok(await b.kubectl(args));
    const json = ok(await b.kubectl([...args, '--dry-run=client', '-o', 'json']));
    const renamed = json.replace('"name": "same"', '"name": "same-json"');
    ok(await b.kubectl(['create', '-f', '-'], { input: renamed }));
    const fromProtobuf = comparable(await getJson(kind, 'same'));
    const fromJson = comparable(await getJson(kind, 'same-json'));
    assert.deepEqual(fromProtobuf, fromJson, kind);
  }
});
