// Test support for exec and logs end to end in one process: a test cluster behind the real HTTP
// server (with upgrades routed to ApiServer.upgrade), the agent credentials Secret, one agent
// serving exec and logs over its exec-test runtime, a running pod web-0, and the real kubectl
// (1.32) driven with its own kubeconfig and cache dir. Not used outside tests.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../api/resource.js';
import { PODS } from '../../client/resources.js';
import { eventually, testCluster } from '../../controllers/test-cluster.js';
import type { TestCluster } from '../../controllers/test-cluster.js';
import { isRunningReady, podObject } from '../../agent/agent-test-support.js';
import { startAgent } from '../../agent/agent.js';
import type { Agent, AgentOptions } from '../../agent/agent.js';
import { createExecTestRuntime } from '../../agent/exec-test-runtime.js';
import type { ExecTestRuntime } from '../../agent/exec-test-runtime.js';
import { ensureAgentCredentials } from '../../server/agent-credentials.js';
import { kubeconfigText } from '../../server/cluster.js';
import { HttpServer } from '../http-server.js';

export interface KubectlWorld {
  tc: TestCluster;
  agent: Agent;
  runtime: ExecTestRuntime;
  url: string;
  /** web-0's UID. */
  uid: string;
  /** kubectl's own arguments for this world (kubeconfig, cache dir), for running it some other way. */
  baseArgs: string[];
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string> }): Promise<{ code: number; stdout: string; stderr: string }>;
}

export function hasKubectl(): Promise<boolean> {
  return new Promise((resolve) => execFile('kubectl', ['version', '--client'], (err) => resolve(!err)));
}

export async function withKubectlWorld(opts: { pod?: KObject; agent?: Partial<AgentOptions> }, fn: (w: KubectlWorld) => Promise<void>): Promise<void> {
  const tc = await testCluster();
  const dir = await mkdtemp(join(tmpdir(), 'berth-kubectl-world-'));
  const http = new HttpServer((r) => tc.api.handle(r), { port: 0, onUpgrade: (req, socket, head) => void tc.api.upgrade(req, socket, head) });
  const url = `http://127.0.0.1:${await http.listen()}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigText(url));
  await ensureAgentCredentials(tc.client);
  const runtime = createExecTestRuntime({ logDir: join(dir, 'logs') });
  const agent = await startAgent({
    client: tc.client,
    nodeName: 'node-1',
    runtime,
    dataDir: join(dir, 'agent'),
    podCIDR: '10.244.1.0/24',
    nodeIP: '127.0.0.1',
    waitForAttach: false,
    server: { host: '127.0.0.1', logPollMs: 100 },
    ...opts.agent,
  });
  try {
    await tc.client.create(PODS, 'default', opts.pod ?? podObject('web-0'));
    let pod: KObject | undefined;
    await eventually(async () => isRunningReady((pod = await tc.client.get<KObject>(PODS, 'default', 'web-0'))), 'web-0 running');
    const baseArgs = ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')];
    const kubectl: KubectlWorld['kubectl'] = (args, o = {}) =>
      new Promise((resolve) => {
        const child = execFile(
          'kubectl',
          [...baseArgs, ...args],
          { env: { ...process.env, ...o.env }, timeout: 30_000 },
          (err, stdout, stderr) => {
            const code = err ? (err as { code?: unknown }).code : 0;
            resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
          },
        );
        if (o.input !== undefined) child.stdin!.end(o.input);
      });
    await fn({ tc, agent, runtime, url, uid: pod!.metadata!.uid!, baseArgs, kubectl });
  } finally {
    await agent.stop();
    await runtime.close();
    await http.close();
    await tc.close();
    await rm(dir, { recursive: true, force: true });
  }
}
