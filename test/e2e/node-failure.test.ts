// Issue 4, node failure as a user sees it: a `berth server` with a short --node-monitor-grace-period
// and three `berth agent` processes (node-1..3, each its own data dir). Stopping an agent with
// SIGSTOP is a node that stops answering: its Node turns NotReady (Unknown) with the unreachable
// taints, its pods not Ready, then evicted — and a StatefulSet pod nobody can confirm stays
// Terminating and is NOT replaced, until the user force-deletes it, taints the node
// out-of-service, or deletes the Node; then it comes back on a healthy node with the same claim
// (shared nfs-subdir storage; its ReadWriteOnce attachment moves), while a pod whose local volume
// lives on the dead node stays Pending with kube-scheduler's VolumeBinding message. A node
// that returns in time keeps its pods; a returning node does not resurrect what was deleted.
//
// The grace period here is 12 s: an agent renews its Lease every 10 s (the kubelet's default
// quarter of a 40 s lease). The last test shows a 5 s grace period with agents whose lease is 8 s
// (`--node-lease-duration-seconds 8`, renewed every 2 s), as a Kubernetes user would tune the
// kubelet's nodeLeaseDurationSeconds together with --node-monitor-grace-period.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BERTH_BIN, startBerth } from './harness.js';
import type { Berth } from './harness.js';
import { APPS, NS, conditionOf, isReady, workloadClient } from './workload-support.js';

const GRACE = '12s';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

// ---- agents as processes ----

interface AgentProc {
  name: string;
  proc: ChildProcess;
  dataDir: string;
  stopped: boolean;
}

const agents = new Map<string, AgentProc>();
/** Every agent process this file started, stopped in after() even when a start-up failed midway. */
const spawned: AgentProc[] = [];

async function startAgent(server: Berth, name: string, extra: string[] = []): Promise<AgentProc> {
  const dataDir = mkdtempSync(join(tmpdir(), `berth-e2e-agent-${name}-`));
  const proc = spawn(process.execPath, [BERTH_BIN, 'agent', '--kubeconfig', server.kubeconfig, '--node-name', name, '--runtime', 'simulated', '--data-dir', dataDir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const a: AgentProc = { name, proc, dataDir, stopped: false };
  spawned.push(a);
  let out = '';
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`agent ${name} did not start in 30s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d;
      if (/berth: ready/.test(out)) {
        clearTimeout(timer);
        res();
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d) => (out += d));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`agent ${name} exited with ${code}:\n${out}`));
    });
  });
  proc.removeAllListeners('exit');
  return a;
}

function pause(a: AgentProc): void {
  a.proc.kill('SIGSTOP');
  a.stopped = true;
}

function resume(a: AgentProc): void {
  a.proc.kill('SIGCONT');
  a.stopped = false;
}

async function stopAgent(a: AgentProc): Promise<void> {
  if (a.proc.exitCode === null && a.proc.signalCode === null) {
    const exited = new Promise((r) => a.proc.once('exit', r));
    if (a.stopped) resume(a);
    a.proc.kill('SIGKILL');
    await exited;
  }
  rmSync(a.dataDir, { recursive: true, force: true });
}

// ---- the cluster ----

let b: Berth;
/** A second server with a 5 s grace period and one agent, watched in the background for flapping. */
let flap: { server: Berth; agent: AgentProc; samples: { at: number; ready: string | undefined }[]; done: Promise<void> } | undefined;

before(async () => {
  [b] = await Promise.all([startBerth({ command: 'server', args: ['--node-monitor-grace-period', GRACE] }), startFlapWatch()]);
  const started = await Promise.all(['node-1', 'node-2', 'node-3'].map((n) => startAgent(b, n)));
  for (const a of started) agents.set(a.name, a);
  await waitFor('3 Ready nodes', async () => (await list('/api/v1/nodes')).filter((n) => readyOf(n) === 'True').length === 3);
  await apply(
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'shared' }, provisioner: 'berth.dev/nfs-subdir', parameters: { onDelete: 'delete' } },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'berth.dev/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
  );
});

after(async () => {
  for (const a of spawned) await stopAgent(a);
  await flap?.server.stop();
  await b?.stop();
});

async function startFlapWatch(): Promise<void> {
  const server = await startBerth({ command: 'server', args: ['--node-monitor-grace-period', '5s'] });
  const agent = await startAgent(server, 'node-f', ['--node-lease-duration-seconds', '8']);
  const samples: { at: number; ready: string | undefined }[] = [];
  const t0 = Date.now();
  const done = (async () => {
    while (Date.now() - t0 < 25_000) {
      const r = await server.http('GET', '/api/v1/nodes/node-f').catch(() => undefined);
      samples.push({ at: Date.now() - t0, ready: r?.status === 200 ? readyOf(r.body) : undefined });
      await new Promise((res) => setTimeout(res, 200));
    }
  })();
  flap = { server, agent, samples, done };
}

// ---- helpers ----

const { kubectl, apply, getObj, list, waitFor, stays } = workloadClient(() => b, { waitMs: 30_000, pollMs: 200 });
const condition = conditionOf;
const readyOf = (node: any): string | undefined => condition(node, 'Ready')?.status;
const pod = (name: string) => getObj(`${NS}/pods/${name}`);
const node = (name: string) => getObj(`/api/v1/nodes/${name}`);
const claim = (name: string) => getObj(`${NS}/persistentvolumeclaims/${name}`);
const podsOn = (nodeName: string) => list(`${NS}/pods`, `fieldSelector=${encodeURIComponent(`spec.nodeName=${nodeName}`)}`);
const agentOf = (nodeName: string): AgentProc => agents.get(nodeName)!;

async function readyPod(name: string, opts: { not?: string; notOn?: string } = {}): Promise<any> {
  return waitFor(`${name} Running and Ready${opts.not ? ' (a new one)' : ''}${opts.notOn ? ` off ${opts.notOn}` : ''}`, async () => {
    const p = await pod(name);
    return isReady(p) && p.metadata.uid !== opts.not && p.spec.nodeName !== opts.notOn ? p : undefined;
  });
}

async function attachmentsOf(pvName: string): Promise<any[]> {
  return (await list('/apis/storage.k8s.io/v1/volumeattachments')).filter((v) => v.spec.source.persistentVolumeName === pvName);
}

async function waitNodeUnknown(name: string): Promise<any> {
  return waitFor(`${name} NotReady (Unknown) with the unreachable taints`, async () => {
    const n = await node(name);
    const taints = (n?.spec?.taints ?? []).filter((t: any) => t.key === UNREACHABLE).map((t: any) => t.effect).sort();
    return readyOf(n) === 'Unknown' && JSON.stringify(taints) === '["NoExecute","NoSchedule"]' ? n : undefined;
  });
}

async function waitNodeBack(name: string): Promise<any> {
  return waitFor(`${name} Ready again without the unreachable taints`, async () => {
    const n = await node(name);
    return readyOf(n) === 'True' && !(n.spec.taints ?? []).some((t: any) => t.key === UNREACHABLE) ? n : undefined;
  });
}

const TOLERATE_5S = [
  { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
];

function statefulSet(name: string, opts: { replicas: number; cls?: string; serviceName?: string; labels?: Record<string, string> }): object {
  const labels = opts.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: opts.serviceName ?? name,
      replicas: opts.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          tolerations: TOLERATE_5S,
          containers: [
            {
              name: 'nginx',
              image: 'registry.k8s.io/nginx-slim:0.21',
              ports: [{ containerPort: 80, name: 'web' }],
              ...(opts.cls ? { volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] } : {}),
            },
          ],
        },
      },
      ...(opts.cls
        ? { volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { storageClassName: opts.cls, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] }
        : {}),
    },
  };
}

async function waitSet(name: string, replicas: number): Promise<any[]> {
  return waitFor(`${name} with ${replicas} Ready pods`, async () => {
    const s = await getObj(`${APPS}/statefulsets/${name}`);
    if (s?.status?.readyReplicas !== replicas) return undefined;
    const ps = await Promise.all(Array.from({ length: replicas }, (_, i) => pod(`${name}-${i}`)));
    return ps.every(isReady) ? ps : undefined;
  });
}

// ---- tests ----

test('setup: a StatefulSet with ReadWriteOnce claims on shared (nfs-subdir) storage runs on the agents', async () => {
  await apply(
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', labels: { app: 'nginx' } }, spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ port: 80, name: 'web' }] } },
    statefulSet('web', { replicas: 3, cls: 'shared', serviceName: 'nginx', labels: { app: 'nginx' } }),
  );
  const ps = await waitSet('web', 3);
  for (const p of ps) {
    const c = await claim(`www-${p.metadata.name}`);
    assert.equal(c.status.phase, 'Bound');
    assert.deepEqual(c.spec.accessModes, ['ReadWriteOnce']);
    const vas = await waitFor(`the attachment of ${c.spec.volumeName}`, async () => {
      const v = await attachmentsOf(c.spec.volumeName);
      return v.length === 1 && v[0].status?.attached ? v : undefined;
    });
    assert.equal(vas[0].spec.nodeName, p.spec.nodeName);
  }
  const out = await kubectl('get', 'nodes');
  for (const n of ['node-1', 'node-2', 'node-3']) assert.match(out, new RegExp(`^${n}\\s+Ready\\s`, 'm'), out);
});

test('a node that returns within the grace period keeps its pods', async () => {
  const web0 = await pod('web-0');
  const name = web0.spec.nodeName;
  const before = await podsOn(name);
  const readySince = condition(await node(name), 'Ready').lastTransitionTime;
  // Stop right after a lease renewal, for well under the grace period.
  const leasePath = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
  const renewed = (await getObj(leasePath)).spec.renewTime;
  await waitFor(`a renewal of ${name}'s Lease`, async () => (await getObj(leasePath)).spec.renewTime !== renewed, 15_000);
  pause(agentOf(name));
  try {
    await stays(`${name} Ready and its pods untouched while its agent is stopped`, async () => {
      const n = await node(name);
      const ps = await podsOn(name);
      return readyOf(n) === 'True' && ps.length === before.length && ps.every((p) => !p.metadata.deletionTimestamp);
    }, 5000);
  } finally {
    resume(agentOf(name));
  }
  await stays(`${name} still Ready once resumed`, async () => readyOf(await node(name)) === 'True', 1500);
  const n = await node(name);
  assert.equal(condition(n, 'Ready').lastTransitionTime, readySince, 'the Ready condition never changed');
  assert.ok(!(n.spec.taints ?? []).some((t: any) => t.key === UNREACHABLE));
  const after = await podsOn(name);
  assert.deepEqual(after.map((p) => p.metadata.uid).sort(), before.map((p) => p.metadata.uid).sort());
  assert.ok(after.every(isReady));
});

test('SIGSTOP: the node goes NotReady and tainted, web-1 is evicted and stays Terminating, unreplaced, until force-deleted; then it returns elsewhere with its claim and attachment', async () => {
  const web1 = await pod('web-1');
  const x = web1.spec.nodeName as string;
  const others = ['node-1', 'node-2', 'node-3'].filter((n) => n !== x);
  const volume = (await claim('www-web-1')).spec.volumeName;

  // Pin two more pods to the same node: db-0 with a local (node-bound) volume and cache-0 without volumes.
  for (const o of others) await kubectl('cordon', o);
  await apply(statefulSet('db', { replicas: 1, cls: 'standard' }), statefulSet('cache', { replicas: 1 }));
  const [db0] = await waitSet('db', 1);
  const [cache0] = await waitSet('cache', 1);
  for (const o of others) await kubectl('uncordon', o);
  assert.equal(db0.spec.nodeName, x);
  assert.equal(cache0.spec.nodeName, x);
  const dbVolume = (await claim('www-db-0')).spec.volumeName;
  const pv = await getObj(`/api/v1/persistentvolumes/${dbVolume}`);
  assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, [x]);

  pause(agentOf(x));
  const n = await waitNodeUnknown(x);
  assert.equal(condition(n, 'Ready').reason, 'NodeStatusUnknown');
  assert.equal(condition(n, 'Ready').message, 'Kubelet stopped posting node status.');
  assert.match(await kubectl('get', 'node', x), new RegExp(`^${x}\\s+NotReady\\s`, 'm'));
  const described = await kubectl('describe', 'node', x);
  const taintBlock = described.slice(described.indexOf('Taints:'), described.indexOf('Unschedulable:'));
  assert.ok(taintBlock.includes(`${UNREACHABLE}:NoExecute`) && taintBlock.includes(`${UNREACHABLE}:NoSchedule`), described);

  await waitFor('web-1 not Ready', async () => condition(await pod('web-1'), 'Ready')?.status === 'False');
  await waitFor('web-1 among the not-ready addresses of nginx', async () => {
    const ep = await getObj(`${NS}/endpoints/nginx`);
    return (ep?.subsets ?? []).some((s: any) => (s.notReadyAddresses ?? []).some((a: any) => a.hostname === 'web-1'));
  });
  const evicted = await waitFor('web-1 evicted (Terminating)', async () => {
    const p = await pod('web-1');
    return p?.metadata?.deletionTimestamp ? p : undefined;
  });
  assert.equal(evicted.metadata.uid, web1.metadata.uid);
  const dt = condition(evicted, 'DisruptionTarget');
  assert.deepEqual([dt?.status, dt?.reason], ['True', 'DeletionByTaintManager']);
  assert.match(await kubectl('get', 'pod', 'web-1'), /^web-1\s+\S+\s+Terminating\s/m);
  await waitFor('db-0 and cache-0 evicted too', async () => (await pod('db-0'))?.metadata?.deletionTimestamp && (await pod('cache-0'))?.metadata?.deletionTimestamp);

  await stays('web-1 Terminating on its node and not replaced', async () => {
    const ps = (await list(`${NS}/pods`, 'labelSelector=app%3Dnginx')).filter((p) => p.metadata.name === 'web-1');
    return ps.length === 1 && ps[0].metadata.uid === web1.metadata.uid && ps[0].spec.nodeName === x && !!ps[0].metadata.deletionTimestamp;
  }, 3000);
  const va = await attachmentsOf(volume);
  assert.deepEqual(va.map((v) => v.spec.nodeName), [x], 'the volume stays attached to the lost node');

  const force = await b.kubectl(['delete', 'pod', 'web-1', '--force', '--grace-period', '0']);
  assert.equal(force.code, 0, force.stderr);
  assert.match(force.stdout, /pod "web-1" force deleted/);
  assert.match(force.stderr, /Immediate deletion does not wait for confirmation that the running resource has been terminated/);
  const moved = await readyPod('web-1', { not: web1.metadata.uid });
  assert.notEqual(moved.spec.nodeName, x);
  assert.ok(others.includes(moved.spec.nodeName));
  assert.equal(moved.spec.volumes.find((v: any) => v.name === 'www').persistentVolumeClaim.claimName, 'www-web-1');
  assert.equal((await claim('www-web-1')).spec.volumeName, volume, 'the same volume');
  await waitFor('the attachment moved to the new node', async () => {
    const v = await attachmentsOf(volume);
    return v.length === 1 && v[0].spec.nodeName === moved.spec.nodeName && v[0].status?.attached === true;
  });

  // A local volume cannot follow: its pod's replacement waits for the node.
  await kubectl('delete', 'pod', 'db-0', '--force', '--grace-period', '0');
  const dbNew = await waitFor('a new db-0', async () => {
    const p = await pod('db-0');
    return p && p.metadata.uid !== db0.metadata.uid ? p : undefined;
  });
  const r = await waitFor('FailedScheduling for the new db-0', async () => {
    const ev = await list(`${NS}/events`, `fieldSelector=${encodeURIComponent('involvedObject.name=db-0,reason=FailedScheduling')}`);
    return ev.find((e) => e.involvedObject.uid === dbNew.metadata.uid);
  });
  // kube-scheduler 1.32: VolumeBinding's PreFilter narrows a pod with a bound hostname-pinned
  // volume to that node, and the others are reported as "didn't satisfy plugin(s) [VolumeBinding]"
  // (schedule_one.go findNodesThatFitPod); the pinned node fails on its taint.
  assert.equal(
    r.message,
    `0/3 nodes are available: 1 node(s) had untolerated taint {${UNREACHABLE}: }, 2 node(s) didn't satisfy plugin(s) [VolumeBinding]. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.`,
  );
  assert.equal((await pod('db-0')).status.phase, 'Pending');
  assert.equal((await claim('www-db-0')).spec.volumeName, dbVolume);

  // The out-of-service taint frees what is still Terminating there (cache-0).
  assert.equal((await pod('cache-0')).metadata.uid, cache0.metadata.uid);
  await kubectl('taint', 'node', x, `${OUT_OF_SERVICE}=nodeshutdown:NoExecute`);
  const cacheNew = await readyPod('cache-0', { not: cache0.metadata.uid });
  assert.notEqual(cacheNew.spec.nodeName, x);

  // The node comes back: Ready, unreachable taints gone, and nothing deleted is resurrected.
  resume(agentOf(x));
  await waitNodeBack(x);
  assert.match(await kubectl('get', 'node', x), new RegExp(`^${x}\\s+Ready\\s`, 'm'));
  await stays(`nothing on ${x} while it is out of service, web-1 still the moved one`, async () => {
    const p = await pod('web-1');
    return (await podsOn(x)).length === 0 && p.metadata.uid === moved.metadata.uid && isReady(p);
  }, 2000);
  // Once the administrator lifts the out-of-service taint, db-0 runs again next to its data.
  await kubectl('taint', 'node', x, `${OUT_OF_SERVICE}-`);
  const dbBack = await readyPod('db-0', { not: db0.metadata.uid });
  assert.equal(dbBack.spec.nodeName, x);
  assert.equal(dbBack.metadata.uid, dbNew.metadata.uid);
  await kubectl('delete', 'sts', 'db', 'cache');
});

test('deleting the Node frees its Terminating pod, which returns elsewhere; the agent re-registers without resurrecting it', async () => {
  const web0 = await pod('web-0');
  const y = web0.spec.nodeName as string;
  const volume = (await claim('www-web-0')).spec.volumeName;
  const oldNodeUid = (await node(y)).metadata.uid;
  pause(agentOf(y));
  await waitNodeUnknown(y);
  await waitFor('web-0 evicted (Terminating)', async () => (await pod('web-0'))?.metadata?.deletionTimestamp);
  assert.equal((await pod('web-0')).metadata.uid, web0.metadata.uid);
  assert.match(await kubectl('delete', 'node', y), new RegExp(`node "${y}" deleted`));
  const moved = await readyPod('web-0', { not: web0.metadata.uid });
  assert.notEqual(moved.spec.nodeName, y);
  assert.equal((await claim('www-web-0')).spec.volumeName, volume);
  await waitFor('the attachment moved', async () => {
    const v = await attachmentsOf(volume);
    return v.length === 1 && v[0].spec.nodeName === moved.spec.nodeName && v[0].status?.attached === true;
  });

  resume(agentOf(y));
  const back = await waitFor(`${y} registered again and Ready`, async () => {
    const n = await node(y);
    return n && n.metadata.uid !== oldNodeUid && readyOf(n) === 'True' ? n : undefined;
  });
  assert.ok(!(back.spec.taints ?? []).some((t: any) => t.key === UNREACHABLE));
  await stays(`no pod on ${y}; web-0 still the moved one`, async () => {
    const p = await pod('web-0');
    return (await podsOn(y)).length === 0 && p.metadata.uid === moved.metadata.uid && isReady(p);
  }, 2000);
  // The StatefulSet is whole again.
  await waitSet('web', 3);
});

test(
  'under --node-monitor-grace-period 5s, a healthy agent with an 8 s lease stays Ready',
  async () => {
    assert.ok(flap, 'the flap watch ran');
    await flap.done;
    const seen = flap.samples.filter((s) => s.ready !== undefined);
    const firstReady = seen.findIndex((s) => s.ready === 'True');
    assert.ok(firstReady >= 0, 'node-f became Ready');
    const after = seen.slice(firstReady);
    const bad = after.filter((s) => s.ready !== 'True');
    assert.deepEqual(bad.slice(0, 5), [], `node-f left Ready ${bad.length} times out of ${after.length} samples over ${after.at(-1)!.at - after[0].at} ms`);
  },
);
