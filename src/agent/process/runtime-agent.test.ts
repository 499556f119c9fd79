import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../api/resource.js';
import { PODS } from '../../client/resources.js';
import { eventually, testCluster } from '../../controllers/test-cluster.js';
import { isRunningReady, podObject } from '../agent-test-support.js';
import { startAgent } from '../agent.js';
import { createProcessRuntime } from './process-runtime.js';
import { skipReason } from './process-test-support.js';

test('the real agent runs a pod with the process runtime to Running and Ready, restarts it, and deletes it', { skip: skipReason }, async () => {
  const tc = await testCluster();
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-agent-process-'));
  const runtime = createProcessRuntime({ dataDir, nodeName: 'proc-agent-1', killPodsOnClose: true });
  const agent = await startAgent({
    client: tc.client,
    nodeName: 'proc-agent-1',
    runtime,
    dataDir,
    podCIDR: '10.251.21.0/24',
    nodeIP: '127.0.0.1',
    leaseRenewMs: 1000,
    statusIntervalMs: 1000,
    waitForAttach: false,
    events: false,
    timings: { backOffInitialMs: 100, backOffMaxMs: 400 },
  });
  const get = (name: string) => tc.client.get<KObject>(PODS, 'default', name).catch(() => undefined);
  try {
    const serve = `require('http').createServer((q, s) => s.end(process.env.POD_NAME)).listen(8080)`;
    await tc.client.create(
      PODS,
      'default',
      podObject('web-0', {
        node: 'proc-agent-1',
        spec: { terminationGracePeriodSeconds: 2 },
        containers: [
          {
            name: 'web',
            image: 'busybox',
            command: ['node', '-e', serve],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
          },
        ],
      }),
    );
    await eventually(async () => isRunningReady(await get('web-0')), 'web-0 Running and Ready', 15_000);
    const pod = (await get('web-0'))!;
    assert.match(pod.status.podIP, /^10\.251\.21\.\d+$/);
    assert.match(pod.status.containerStatuses[0].containerID, /^berth-process:\/\/[0-9a-f]{64}$/);
    assert.equal(await fetch(`http://${pod.status.podIP}:8080/`).then((r) => r.text()), 'web-0');

    await tc.client.create(PODS, 'default', podObject('crash', { node: 'proc-agent-1', spec: { restartPolicy: 'OnFailure' }, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 3'] }] }));
    await eventually(async () => ((await get('crash'))?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'crash restarted', 15_000);
    const crashed = (await get('crash'))!.status.containerStatuses[0];
    assert.equal(crashed.lastState.terminated.exitCode, 3);
    assert.equal(crashed.lastState.terminated.reason, 'Error');

    await tc.client.delete(PODS, 'default', 'web-0', { gracePeriodSeconds: 2 });
    await eventually(async () => (await get('web-0')) === undefined, 'web-0 deleted', 15_000);
    assert.equal(runtime.pod(pod.metadata!.uid!), undefined, 'the runtime removed the pod');
  } finally {
    await agent.stop();
    await runtime.close();
    await tc.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
