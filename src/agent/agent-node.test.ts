import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { EVENTS, LEASES, NODES } from '../client/resources.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import type { TestCluster } from '../controllers/test-cluster.js';
import type { Agent, AgentOptions } from './agent.js';
import { startAgent } from './agent.js';
import { goArch } from './node-info.js';
import { createSimulatedRuntime } from './simulated-runtime.js';

async function withAgent(opts: Partial<AgentOptions>, fn: (tc: TestCluster, agent: Agent) => Promise<void>): Promise<void> {
  const tc = await testCluster();
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-agent-'));
  const agent = await startAgent({
    client: tc.client,
    nodeName: 'node-1',
    runtime: createSimulatedRuntime(),
    dataDir,
    podCIDR: '10.244.1.0/24',
    nodeIP: '10.0.0.11',
    leaseRenewMs: 40,
    statusIntervalMs: 40,
    ...opts,
  });
  try {
    await fn(tc, agent);
  } finally {
    await agent.stop();
    await tc.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const node = (tc: TestCluster) => tc.client.get<KObject>(NODES, undefined, 'node-1');

test('startAgent() registers the Node as the kubelet does', async () => {
  await withAgent({ labels: { zone: 'a' }, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], capacity: { cpu: '8', memory: '32Gi' } }, async (tc) => {
    const n = await node(tc);
    assert.deepEqual(n.metadata?.labels, {
      'beta.kubernetes.io/arch': goArch(),
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': goArch(),
      'kubernetes.io/hostname': 'node-1',
      'kubernetes.io/os': 'linux',
      zone: 'a',
    });
    assert.equal(n.metadata?.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach'], 'true');
    assert.equal(n.spec.podCIDR, '10.244.1.0/24');
    assert.deepEqual(n.spec.podCIDRs, ['10.244.1.0/24']);
    assert.deepEqual(n.spec.taints, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]);
    const s = n.status;
    assert.equal(s.capacity.cpu, '8');
    assert.equal(s.capacity.memory, '32Gi');
    assert.equal(s.capacity.pods, '110');
    assert.ok(s.capacity['ephemeral-storage']);
    // Allocatable: capacity minus memory.available<100Mi and nodefs.available<10%.
    assert.equal(s.allocatable.cpu, '8');
    assert.equal(s.allocatable.memory, `${32 * 1024 * 1024 - 100 * 1024}Ki`);
    assert.equal(s.allocatable['ephemeral-storage'], String(Math.floor((100 * 2 ** 30 * 9) / 10)));
    assert.deepEqual(s.addresses, [
      { type: 'InternalIP', address: '10.0.0.11' },
      { type: 'Hostname', address: 'node-1' },
    ]);
    assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 0 } });
    assert.equal(s.nodeInfo.kubeletVersion, 'v1.32.0');
    assert.equal(s.nodeInfo.containerRuntimeVersion, 'berth-simulated://1');
    assert.equal(s.nodeInfo.operatingSystem, 'linux');
    assert.equal(s.nodeInfo.architecture, goArch());
    assert.ok(s.nodeInfo.osImage && s.nodeInfo.kernelVersion && s.nodeInfo.machineID && s.nodeInfo.bootID);
    const byType = Object.fromEntries(s.conditions.map((c: any) => [c.type, c]));
    assert.deepEqual(
      s.conditions.map((c: any) => [c.type, c.status, c.reason, c.message]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
        ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
      ],
    );
    assert.ok(byType.Ready.lastHeartbeatTime && byType.Ready.lastTransitionTime);
  });
});

test('the Lease is created with an owner reference and renewed', async () => {
  await withAgent({}, async (tc) => {
    const n = await node(tc);
    let first: KObject | undefined;
    await eventually(async () => {
      first = await tc.client.get<KObject>(LEASES, 'kube-node-lease', 'node-1').catch(() => undefined);
      return !!first;
    }, 'the node lease');
    assert.equal(first!.spec.holderIdentity, 'node-1');
    assert.equal(first!.spec.leaseDurationSeconds, 40);
    assert.match(first!.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(first!.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: n.metadata?.uid }]);
    await eventually(async () => {
      const l = await tc.client.get<KObject>(LEASES, 'kube-node-lease', 'node-1');
      return l.spec.renewTime !== first!.spec.renewTime;
    }, 'a renewal');
  });
});

test('the node status is written only when it changes, and re-registered after the Node is deleted', async () => {
  await withAgent({ statusReportMs: 60_000 }, async (tc) => {
    const before = await node(tc);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await node(tc)).metadata?.resourceVersion, before.metadata?.resourceVersion, 'no write without a change');
    await tc.client.delete(NODES, undefined, 'node-1');
    await eventually(async () => {
      const n = await node(tc).catch(() => undefined);
      return !!n && n.metadata?.uid !== before.metadata?.uid;
    }, 'the Node registered again');
    const again = await node(tc);
    assert.equal(again.spec.podCIDR, '10.244.1.0/24');
    assert.equal(again.status.conditions.find((c: any) => c.type === 'Ready').status, 'True');
    await eventually(async () => {
      const l = await tc.client.get<KObject>(LEASES, 'kube-node-lease', 'node-1');
      return l.metadata?.ownerReferences?.[0]?.uid === again.metadata?.uid;
    }, 'the lease owned by the new Node');
  });
});

test('a Ready condition set to Unknown by the node lifecycle controller is reported True again', async () => {
  await withAgent({ statusReportMs: 60_000 }, async (tc) => {
    const n = await node(tc);
    const status = structuredClone(n.status);
    for (const c of status.conditions) Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    await tc.client.update(NODES, { ...n, status }, 'status');
    await eventually(async () => (await node(tc)).status.conditions.every((c: any) => c.status !== 'Unknown'), 'conditions reported again');
  });
});


test('the node records Starting and NodeReady events from kubelet', async () => {
  await withAgent({}, async (tc, agent) => {
    await agent.flushEvents();
    const events = (await tc.client.list<KObject>(EVENTS, 'default')).items.filter((e) => e.involvedObject?.kind === 'Node');
    const reasons = events.map((e) => e.reason);
    for (const r of ['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady', 'NodeAllocatableEnforced']) assert.ok(reasons.includes(r), r);
    const ready = events.find((e) => e.reason === 'NodeReady')!;
    assert.equal(ready.message, 'Node node-1 status is now: NodeReady');
    assert.deepEqual(ready.source, { component: 'kubelet', host: 'node-1' });
  });
});

test('a node without a podCIDR is NotReady until the Node gets one', async () => {
  await withAgent({ podCIDR: undefined }, async (tc) => {
    const n = await node(tc);
    const ready = n.status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'KubeletNotReady');
    assert.match(ready.message, /^container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady/);
    await tc.client.patch(NODES, undefined, 'node-1', { spec: { podCIDR: '10.244.7.0/24', podCIDRs: ['10.244.7.0/24'] } });
    await eventually(async () => (await node(tc)).status.conditions.find((c: any) => c.type === 'Ready').status === 'True', 'Ready after the podCIDR');
  });
});
