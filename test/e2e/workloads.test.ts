// Issue 4, the stateless workloads and the machinery around StatefulSets, as a user sees them with
// the real kubectl against `berth up --nodes 3 --runtime simulated`: Deployments (create, rollout
// status/history/undo, set image, scale) and their `<deploy>-<pod-template-hash>` ReplicaSets;
// Endpoints and EndpointSlices with ready and not-ready addresses and publishNotReadyAddresses;
// the garbage collector's background, foreground and orphan propagation (and owners that do not
// exist, and cycles); the scheduler's nodeSelector, node affinity, taints, resource requests,
// cordon and volume rules (ReadWriteOncePod one pod at a time, a ReadWriteOnce volume attached to
// one node at a time), with FailedScheduling and Multi-Attach messages worded as Kubernetes 1.32
// words them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { startBerth } from './harness.js';
import type { Berth } from './harness.js';
import { APPS, NS, conditionOf, isReady, workloadClient } from './workload-support.js';

let b: Berth;
before(async () => {
  b = await startBerth({ args: ['--nodes', '3', '--runtime', 'simulated'] });
  await waitFor('3 Ready nodes', async () => (await list('/api/v1/nodes')).filter((n) => condition(n, 'Ready') === 'True').length === 3);
});
after(async () => {
  await b?.stop();
});

// ---- helpers ----

const UNREADY = 'berth.dev/simulated-ready';
const IMAGE = 'registry.k8s.io/nginx-slim:0.21';
const IMAGE2 = 'registry.k8s.io/nginx-slim:0.24';
const h = workloadClient(() => b);
const { kubectl, apply, getObj, waitFor, stays } = h;
const list = (path: string, selector?: string) => h.list(path, selector ? { labelSelector: selector } : undefined);
const condition = (obj: any, type: string): string | undefined => conditionOf(obj, type)?.status;
const pods = (selector: string) => list(`${NS}/pods`, selector);
const replicaSets = (selector: string) => list(`${APPS}/replicasets`, selector);
const pod = (name: string) => getObj(`${NS}/pods/${name}`);
const deployment = (name: string) => getObj(`${APPS}/deployments/${name}`);

async function waitGone(path: string, ms = 20_000): Promise<void> {
  await waitFor(`${path} to be gone`, async () => (await getObj(path)) === undefined, ms);
}

async function waitPodsReady(selector: string, n: number): Promise<any[]> {
  return waitFor(`${n} Ready pods ${selector}`, async () => {
    const ps = (await pods(selector)).filter((p) => !p.metadata.deletionTimestamp);
    return ps.length === n && ps.every(isReady) ? ps : undefined;
  });
}

/** The newest FailedScheduling message of a pod. */
async function failedScheduling(name: string, re: RegExp): Promise<string> {
  return waitFor(`a FailedScheduling event on ${name} matching ${re}`, async () => {
    const r = await b.http('GET', `${NS}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${name},reason=FailedScheduling`)}`);
    const msgs: string[] = r.body.items.map((e: any) => e.message);
    return msgs.find((m) => re.test(m));
  });
}

function bare(name: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string>; spec?: Record<string, unknown>; cpu?: string } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: extra.labels ?? { run: name }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: IMAGE, ports: [{ containerPort: 80 }], ...(extra.cpu ? { resources: { requests: { cpu: extra.cpu } } } : {}) }],
      ...extra.spec,
    },
  };
}

function deploymentOf(name: string, replicas: number, template: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: IMAGE }], ...template } },
    },
  };
}

// ---- Deployments and ReplicaSets ----

let firstRs = '';

test('kubectl create deployment: a ReplicaSet <deploy>-<pod-template-hash> owns three Ready pods, and rollout status says so', async () => {
  assert.match(await kubectl('create', 'deployment', 'hello', `--image=${IMAGE}`, '--replicas=3'), /deployment\.apps\/hello created/);
  const status = await kubectl('rollout', 'status', 'deployment/hello', '--timeout=30s');
  assert.match(status, /deployment "hello" successfully rolled out/);
  const d = await deployment('hello');
  const [rs] = await replicaSets('app=hello');
  const hash = rs.metadata.labels['pod-template-hash'];
  assert.match(hash, /^[0-9a-z]{1,10}$/);
  assert.equal(rs.metadata.name, `hello-${hash}`);
  firstRs = rs.metadata.name;
  assert.deepEqual(rs.spec.selector.matchLabels, { app: 'hello', 'pod-template-hash': hash });
  assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  const ps = await waitPodsReady('app=hello', 3);
  for (const p of ps) {
    assert.match(p.metadata.name, new RegExp(`^hello-${hash}-[a-z0-9]{5}$`));
    assert.equal(p.metadata.labels['pod-template-hash'], hash);
    assert.deepEqual(p.metadata.ownerReferences.map((r: any) => [r.kind, r.name, r.uid, r.controller]), [['ReplicaSet', rs.metadata.name, rs.metadata.uid, true]]);
  }
  const get = await kubectl('get', 'deployment', 'hello');
  assert.match(get, /^hello\s+3\/3\s+3\s+3\s/m, get);
  const getRs = await kubectl('get', 'rs', '-l', 'app=hello');
  assert.match(getRs, new RegExp(`^${rs.metadata.name}\\s+3\\s+3\\s+3\\s`, 'm'), getRs);
  assert.equal(d.status.observedGeneration, d.metadata.generation);
});

test('kubectl set image rolls out a second ReplicaSet; rollout history lists both; rollout undo brings the first back as revision 3', async () => {
  assert.match(await kubectl('set', 'image', 'deployment/hello', `nginx-slim=${IMAGE2}`), /deployment\.apps\/hello image updated/);
  assert.match(await kubectl('rollout', 'status', 'deployment/hello', '--timeout=30s'), /successfully rolled out/);
  const rss = await replicaSets('app=hello');
  assert.equal(rss.length, 2);
  const second = rss.find((r) => r.metadata.name !== firstRs)!;
  assert.equal(second.spec.replicas, 3);
  assert.equal(second.metadata.annotations['deployment.kubernetes.io/revision'], '2');
  assert.equal(rss.find((r) => r.metadata.name === firstRs)!.spec.replicas, 0);
  const ps = await waitPodsReady('app=hello', 3);
  for (const p of ps) assert.equal(p.spec.containers[0].image, IMAGE2);
  assert.match(await kubectl('rollout', 'history', 'deployment/hello'), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  assert.match(await kubectl('rollout', 'history', 'deployment/hello', '--revision=1'), new RegExp(`Image:\\s+${IMAGE.replace(/\./g, '\\.')}`));

  assert.match(await kubectl('rollout', 'undo', 'deployment/hello'), /deployment\.apps\/hello rolled back/);
  assert.match(await kubectl('rollout', 'status', 'deployment/hello', '--timeout=30s'), /successfully rolled out/);
  const after = await replicaSets('app=hello');
  assert.equal(after.length, 2, 'the old ReplicaSet is reused, not recreated');
  const first = after.find((r) => r.metadata.name === firstRs)!;
  assert.equal(first.spec.replicas, 3);
  assert.equal(first.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  for (const p of await waitPodsReady('app=hello', 3)) assert.equal(p.spec.containers[0].image, IMAGE);
  assert.match(await kubectl('rollout', 'history', 'deployment/hello'), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/);
  assert.equal((await deployment('hello')).spec.template.spec.containers[0].image, IMAGE);
});

test('kubectl scale deployment: the current ReplicaSet follows', async () => {
  assert.match(await kubectl('scale', 'deployment', 'hello', '--replicas=5'), /deployment\.apps\/hello scaled/);
  assert.match(await kubectl('rollout', 'status', 'deployment/hello', '--timeout=30s'), /successfully rolled out/);
  await waitPodsReady('app=hello', 5);
  const rs = (await replicaSets('app=hello')).find((r) => r.metadata.name === firstRs)!;
  assert.equal(rs.spec.replicas, 5);
  const d = await waitFor('deployment status 5/5', async () => {
    const x = await deployment('hello');
    return x.status.readyReplicas === 5 && x.status.availableReplicas === 5 && x.status.updatedReplicas === 5 ? x : undefined;
  });
  assert.equal(d.status.replicas, 5);
  assert.match(await kubectl('get', 'deployment', 'hello'), /^hello\s+5\/5\s+5\s+5\s/m);
  await kubectl('scale', 'deployment', 'hello', '--replicas=2');
  await waitPodsReady('app=hello', 2);
});

test('a ReplicaSet of its own replaces a deleted pod and adopts a matching orphan pod', async () => {
  await apply(bare('stray', { labels: { tier: 'frontend' } }));
  await waitFor('stray Ready', async () => isReady(await pod('stray')));
  await apply({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'frontend' },
    spec: { replicas: 3, selector: { matchLabels: { tier: 'frontend' } }, template: { metadata: { labels: { tier: 'frontend' } }, spec: { containers: [{ name: 'php', image: IMAGE }] } } },
  });
  const ps = await waitPodsReady('tier=frontend', 3);
  const rs = await getObj(`${APPS}/replicasets/frontend`);
  const stray = ps.find((p) => p.metadata.name === 'stray');
  assert.ok(stray, 'the existing pod counts as one of the three');
  assert.deepEqual(stray.metadata.ownerReferences.map((r: any) => r.uid), [rs.metadata.uid]);
  const victim = ps.find((p) => p.metadata.name !== 'stray')!;
  await kubectl('delete', 'pod', victim.metadata.name);
  const again = await waitPodsReady('tier=frontend', 3);
  assert.ok(!again.some((p) => p.metadata.uid === victim.metadata.uid));
  await kubectl('delete', 'rs', 'frontend');
  await waitFor('frontend pods gone', async () => (await pods('tier=frontend')).length === 0);
});

// ---- Endpoints and EndpointSlices ----

test('Endpoints and EndpointSlices: ready pods in addresses, unready pods in notReadyAddresses, and back when ready', async () => {
  await apply(
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'mixed' }, spec: { selector: { role: 'mixed' }, ports: [{ name: 'http', port: 80, targetPort: 80 }] } },
    bare('mixed-ready', { labels: { role: 'mixed' } }),
    bare('mixed-unready', { labels: { role: 'mixed' }, annotations: { [UNREADY]: 'false' } }),
  );
  const ready = await waitFor('mixed-ready Ready', async () => ((await pod('mixed-ready')) && isReady(await pod('mixed-ready')) ? pod('mixed-ready') : undefined));
  const unready = await waitFor('mixed-unready Running, not Ready', async () => {
    const p = await pod('mixed-unready');
    return p?.status?.phase === 'Running' && p.status.podIP && condition(p, 'Ready') === 'False' ? p : undefined;
  });
  const ep = await waitFor('Endpoints mixed with one ready and one not-ready address', async () => {
    const e = await getObj(`${NS}/endpoints/mixed`);
    const s = e?.subsets?.[0];
    return s?.addresses?.length === 1 && s?.notReadyAddresses?.length === 1 ? e : undefined;
  });
  assert.equal(ep.subsets[0].addresses[0].ip, ready.status.podIP);
  assert.equal(ep.subsets[0].addresses[0].targetRef.name, 'mixed-ready');
  assert.equal(ep.subsets[0].notReadyAddresses[0].ip, unready.status.podIP);
  assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
  const out = await kubectl('get', 'endpoints', 'mixed');
  assert.match(out, new RegExp(`^mixed\\s+${ready.status.podIP.replace(/\./g, '\\.')}:80\\s`, 'm'), out);

  const slices = await list('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', 'kubernetes.io/service-name=mixed');
  assert.equal(slices.length, 1);
  assert.equal(slices[0].addressType, 'IPv4');
  assert.equal(slices[0].metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  const byPod = Object.fromEntries(slices[0].endpoints.map((e: any) => [e.targetRef.name, e]));
  assert.deepEqual(byPod['mixed-ready'].conditions, { ready: true, serving: true, terminating: false });
  assert.deepEqual(byPod['mixed-unready'].conditions, { ready: false, serving: false, terminating: false });
  assert.deepEqual(byPod['mixed-ready'].addresses, [ready.status.podIP]);
  assert.equal(byPod['mixed-ready'].nodeName, ready.spec.nodeName);
  assert.deepEqual(slices[0].ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);

  await kubectl('annotate', 'pod', 'mixed-unready', `${UNREADY}=true`, '--overwrite');
  await waitFor('both addresses ready', async () => {
    const e = await getObj(`${NS}/endpoints/mixed`);
    const s = e?.subsets?.[0];
    return s?.addresses?.length === 2 && !s.notReadyAddresses?.length;
  });
  await waitFor('both slice endpoints ready', async () => {
    const [s] = await list('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', 'kubernetes.io/service-name=mixed');
    return s?.endpoints?.length === 2 && s.endpoints.every((e: any) => e.conditions.ready === true);
  });
});

test('publishNotReadyAddresses: an unready pod is listed in addresses (and ready in its EndpointSlice, not serving)', async () => {
  await apply(
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'peers' }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { role: 'peer' }, ports: [{ name: 'peer', port: 2380 }] } },
    bare('peer-unready', { labels: { role: 'peer' }, annotations: { [UNREADY]: 'false' } }),
  );
  const p = await waitFor('peer-unready Running, not Ready', async () => {
    const x = await pod('peer-unready');
    return x?.status?.phase === 'Running' && x.status.podIP && condition(x, 'Ready') === 'False' ? x : undefined;
  });
  const ep = await waitFor('Endpoints peers', async () => {
    const e = await getObj(`${NS}/endpoints/peers`);
    return e?.subsets?.[0]?.addresses?.length === 1 ? e : undefined;
  });
  assert.equal(ep.subsets[0].addresses[0].ip, p.status.podIP);
  assert.equal(ep.subsets[0].notReadyAddresses, undefined);
  const [slice] = await waitFor('EndpointSlice of peers', async () => {
    const s = await list('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', 'kubernetes.io/service-name=peers');
    return s[0]?.endpoints?.length === 1 ? s : undefined;
  });
  assert.deepEqual(slice.endpoints[0].conditions, { ready: true, serving: false, terminating: false });
});

// ---- garbage collection ----

test('kubectl delete deployment (background): the garbage collector removes its ReplicaSets and pods', async () => {
  await apply(deploymentOf('gcbg', 2));
  await waitPodsReady('app=gcbg', 2);
  assert.match(await kubectl('delete', 'deployment', 'gcbg'), /deployment\.apps "gcbg" deleted/);
  await waitGone(`${APPS}/deployments/gcbg`);
  await waitFor('gcbg ReplicaSets and pods gone', async () => (await replicaSets('app=gcbg')).length === 0 && (await pods('app=gcbg')).length === 0);
});

test('--cascade=foreground: the Deployment stays, with the foregroundDeletion finalizer, until its dependents are gone', async () => {
  await apply(deploymentOf('gcfg', 2));
  const [held] = await waitPodsReady('app=gcfg', 2);
  // One pod cannot go until its finalizer is removed: its ReplicaSet and Deployment must wait for it.
  await kubectl('patch', 'pod', held.metadata.name, '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}');
  assert.match(await kubectl('delete', 'deployment', 'gcfg', '--cascade=foreground', '--wait=false'), /deployment\.apps "gcfg" deleted/);
  await waitFor('the held pod Terminating', async () => (await pod(held.metadata.name))?.metadata?.deletionTimestamp);
  await waitFor('the other pod gone', async () => (await pods('app=gcfg')).length === 1);
  await stays('the Deployment and its ReplicaSet wait for the held pod', async () => {
    const d = await deployment('gcfg');
    const [rs] = await replicaSets('app=gcfg');
    return !!d?.metadata.deletionTimestamp && d.metadata.finalizers?.includes('foregroundDeletion') && !!rs?.metadata.deletionTimestamp && rs.metadata.finalizers?.includes('foregroundDeletion');
  });
  await kubectl('patch', 'pod', held.metadata.name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}');
  await waitGone(`${APPS}/deployments/gcfg`);
  assert.deepEqual(await replicaSets('app=gcfg'), []);
  assert.deepEqual(await pods('app=gcfg'), []);
});

test('--cascade=orphan: the ReplicaSet and pods stay, released from the Deployment', async () => {
  await apply(deploymentOf('gcor', 2));
  const before = await waitPodsReady('app=gcor', 2);
  assert.match(await kubectl('delete', 'deployment', 'gcor', '--cascade=orphan'), /deployment\.apps "gcor" deleted/);
  await waitGone(`${APPS}/deployments/gcor`);
  const [rs] = await waitFor('the ReplicaSet released', async () => {
    const r = await replicaSets('app=gcor');
    return r.length === 1 && !(r[0].metadata.ownerReferences ?? []).length ? r : undefined;
  });
  await stays('the pods keep running, owned by their ReplicaSet', async () => {
    const ps = await pods('app=gcor');
    return ps.length === 2 && ps.every((p) => isReady(p) && before.some((x) => x.metadata.uid === p.metadata.uid) && p.metadata.ownerReferences[0].uid === rs.metadata.uid);
  }, 1000);
  await kubectl('delete', 'rs', rs.metadata.name);
  await waitFor('gcor pods gone', async () => (await pods('app=gcor')).length === 0);
});

test('an object whose owner does not exist (by uid) is deleted; an ownership cycle does not block foreground deletion', async () => {
  const ghost = { apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: '4f3e1a52-0000-4000-8000-000000000001' };
  await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'orphaned', ownerReferences: [ghost] }, data: { a: 'b' } });
  await waitGone(`${NS}/configmaps/orphaned`);

  await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cycle-a' } });
  const a = await getObj(`${NS}/configmaps/cycle-a`);
  await apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cycle-b', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cycle-a', uid: a.metadata.uid, blockOwnerDeletion: true }] } });
  const bObj = await getObj(`${NS}/configmaps/cycle-b`);
  await kubectl('patch', 'configmap', 'cycle-a', '--type=merge', '-p', JSON.stringify({ metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cycle-b', uid: bObj.metadata.uid, blockOwnerDeletion: true }] } }));
  await kubectl('delete', 'configmap', 'cycle-a', '--cascade=foreground', '--wait=false');
  await waitGone(`${NS}/configmaps/cycle-a`);
  await waitGone(`${NS}/configmaps/cycle-b`);
});

// ---- scheduling ----

test('nodeSelector places a pod on the labelled node', async () => {
  await kubectl('label', 'node', 'node-2', 'disktype=ssd');
  await apply(bare('on-ssd', { spec: { nodeSelector: { disktype: 'ssd' } } }));
  const p = await waitFor('on-ssd Ready', async () => {
    const x = await pod('on-ssd');
    return isReady(x) ? x : undefined;
  });
  assert.equal(p.spec.nodeName, 'node-2');
  const d = await kubectl('describe', 'pod', 'on-ssd');
  assert.match(d, /Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\/on-ssd to node-2/, d);

  // The same through required node affinity, and an affinity no node matches.
  const affinity = (values: string[]) => ({
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disktype', operator: 'In', values }] }] } } },
  });
  await apply(bare('affine', { spec: affinity(['ssd', 'nvme']) }), bare('no-match', { spec: affinity(['tape']) }));
  await waitFor('affine Ready on node-2', async () => {
    const x = await pod('affine');
    return isReady(x) && x.spec.nodeName === 'node-2';
  });
  const msg = await failedScheduling('no-match', /^0\/3/);
  assert.equal(msg, "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  await kubectl('delete', 'pod', 'on-ssd', 'affine', 'no-match');
});

test('a taint without a toleration: FailedScheduling "0/3 nodes are available: ..." as kube-scheduler words it; removing the taint schedules the pod', async () => {
  await kubectl('taint', 'node', 'node-1', 'dedicated=db:NoSchedule');
  await apply(bare('wants-node-1', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-1' } } }));
  const msg = await failedScheduling('wants-node-1', /^0\/3 nodes are available/);
  assert.equal(
    msg,
    "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
  );
  const p = await pod('wants-node-1');
  assert.equal(p.status.phase, 'Pending');
  const sc = p.status.conditions.find((c: any) => c.type === 'PodScheduled');
  assert.deepEqual([sc.status, sc.reason, sc.message], ['False', 'Unschedulable', msg]);
  const d = await kubectl('describe', 'pod', 'wants-node-1');
  assert.match(d, /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: db\}/, d);

  // A toleration of it elsewhere lets a pod in.
  await apply(bare('tolerates', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-1' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] } }));
  await waitFor('tolerates Ready on node-1', async () => {
    const x = await pod('tolerates');
    return isReady(x) && x.spec.nodeName === 'node-1';
  });
  await kubectl('taint', 'node', 'node-1', 'dedicated-');
  await waitFor('wants-node-1 Ready on node-1', async () => {
    const x = await pod('wants-node-1');
    return isReady(x) && x.spec.nodeName === 'node-1';
  });
  await kubectl('delete', 'pod', 'wants-node-1', 'tolerates');
});

test('requests beyond every node: "Insufficient cpu"; beyond what is left: the same, with preemption finding no victims', async () => {
  await apply(bare('huge', { cpu: '100' }));
  const huge = await failedScheduling('huge', /Insufficient cpu/);
  assert.equal(huge, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');

  // Each node has 4 cpus allocatable: three pods of 3 cpus take one node each, a fourth fits nowhere.
  const alloc = (await list('/api/v1/nodes')).map((n) => n.status.allocatable.cpu);
  assert.deepEqual(alloc, ['4', '4', '4']);
  await apply(bare('big-1', { cpu: '3' }), bare('big-2', { cpu: '3' }), bare('big-3', { cpu: '3' }));
  const placed = await waitFor('three big pods Ready', async () => {
    const ps = await Promise.all(['big-1', 'big-2', 'big-3'].map(pod));
    return ps.every(isReady) ? ps : undefined;
  });
  assert.deepEqual(placed.map((p) => p.spec.nodeName).sort(), ['node-1', 'node-2', 'node-3']);
  await apply(bare('big-4', { cpu: '3' }));
  const msg = await failedScheduling('big-4', /Insufficient cpu/);
  assert.equal(msg, '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
  assert.equal((await pod('big-4')).status.phase, 'Pending');
  const d = await kubectl('describe', 'pod', 'big-4');
  assert.match(d, /Warning\s+FailedScheduling\s+.*0\/3 nodes are available: 3 Insufficient cpu\./, d);

  // Room made: the waiting pod is placed.
  await kubectl('delete', 'pod', 'big-1');
  await waitFor('big-4 Ready', async () => isReady(await pod('big-4')));
  await kubectl('delete', 'pod', 'huge', 'big-2', 'big-3', 'big-4');
});

test('a ReadWriteOncePod claim is used by one pod at a time', async () => {
  await apply(
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'shared' }, provisioner: 'berth.dev/nfs-subdir', parameters: { onDelete: 'delete' } },
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'solo' }, spec: { storageClassName: 'shared', accessModes: ['ReadWriteOncePod'], resources: { requests: { storage: '1Gi' } } } },
  );
  const withClaim = (name: string, claimName: string, nodeName?: string) =>
    bare(name, {
      spec: {
        ...(nodeName ? { nodeSelector: { 'kubernetes.io/hostname': nodeName } } : {}),
        containers: [{ name: 'app', image: IMAGE, volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
      },
    });
  await apply(withClaim('solo-a', 'solo'));
  await waitFor('solo-a Ready', async () => isReady(await pod('solo-a')));
  await apply(withClaim('solo-b', 'solo'));
  const msg = await failedScheduling('solo-b', /^0\/3/);
  // kube-scheduler 1.32 reports the conflict from VolumeRestrictions' Filter, once per node, as
  // Unschedulable (preemption is tried: the pod holding the claim is not of lower priority).
  assert.equal(
    msg,
    '0/3 nodes are available: 3 node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
  );
  assert.equal((await pod('solo-b')).status.phase, 'Pending');
  await kubectl('delete', 'pod', 'solo-a');
  await waitFor('solo-b Ready once solo-a is gone', async () => isReady(await pod('solo-b')));
  await kubectl('delete', 'pod', 'solo-b');
  await kubectl('delete', 'pvc', 'solo');
});

test('a ReadWriteOnce volume is attached to one node at a time: a pod on another node waits with Multi-Attach error', async () => {
  await apply({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'rwo' }, spec: { storageClassName: 'shared', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  const withClaim = (name: string, nodeName: string) =>
    bare(name, {
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': nodeName },
        containers: [{ name: 'app', image: IMAGE, volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'rwo' } }],
      },
    });
  await apply(withClaim('rwo-a', 'node-1'));
  await waitFor('rwo-a Ready', async () => isReady(await pod('rwo-a')));
  const pv = (await getObj(`${NS}/persistentvolumeclaims/rwo`)).spec.volumeName;
  // Another pod on the same node shares the attachment.
  await apply(withClaim('rwo-c', 'node-1'));
  await waitFor('rwo-c Ready on node-1', async () => isReady(await pod('rwo-c')));
  await apply(withClaim('rwo-b', 'node-2'));
  const ev = await waitFor('FailedAttachVolume on rwo-b', async () => {
    const r = await b.http('GET', `${NS}/events?fieldSelector=${encodeURIComponent('involvedObject.name=rwo-b,reason=FailedAttachVolume')}`);
    return r.body.items[0];
  });
  assert.equal(ev.type, 'Warning');
  assert.match(ev.message, new RegExp(`^Multi-Attach error for volume "${pv}" Volume is already used by pod\\(s\\) (rwo-a, rwo-c|rwo-c, rwo-a)$`));
  const podB = await pod('rwo-b');
  assert.equal(podB.spec.nodeName, 'node-2');
  assert.notEqual(podB.status.phase, 'Running');
  assert.match(await kubectl('get', 'pod', 'rwo-b'), /^rwo-b\s+0\/1\s+ContainerCreating\s/m);
  const vas = (await list('/apis/storage.k8s.io/v1/volumeattachments')).filter((v) => v.spec.source.persistentVolumeName === pv);
  assert.deepEqual(vas.map((v) => [v.spec.nodeName, v.status?.attached ?? false]).sort(), [['node-1', true], ['node-2', false]]);

  await kubectl('delete', 'pod', 'rwo-a', 'rwo-c');
  await waitFor('rwo-b Ready once node-1 lets the volume go', async () => isReady(await pod('rwo-b')));
  await waitFor('one attachment left, to node-2', async () => {
    const v = (await list('/apis/storage.k8s.io/v1/volumeattachments')).filter((x) => x.spec.source.persistentVolumeName === pv);
    return v.length === 1 && v[0].spec.nodeName === 'node-2' && v[0].status?.attached === true;
  });
  await kubectl('delete', 'pod', 'rwo-b');
  await kubectl('delete', 'pvc', 'rwo');
});

test('kubectl cordon keeps new pods off the node; uncordon lets them in', async () => {
  assert.match(await kubectl('cordon', 'node-3'), /node\/node-3 cordoned/);
  assert.match(await kubectl('get', 'node', 'node-3'), /^node-3\s+Ready,SchedulingDisabled\s/m);
  await apply(deploymentOf('spread', 6));
  const ps = await waitPodsReady('app=spread', 6);
  assert.ok(ps.every((p) => p.spec.nodeName !== 'node-3'), JSON.stringify(ps.map((p) => p.spec.nodeName)));
  await apply(bare('wants-node-3', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'node-3' } } }));
  const msg = await failedScheduling('wants-node-3', /^0\/3/);
  assert.equal(msg, "0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");
  assert.match(await kubectl('uncordon', 'node-3'), /node\/node-3 uncordoned/);
  await waitFor('wants-node-3 Ready on node-3', async () => {
    const x = await pod('wants-node-3');
    return isReady(x) && x.spec.nodeName === 'node-3';
  });
  await kubectl('delete', 'deployment', 'spread');
  await kubectl('delete', 'pod', 'wants-node-3');
});
