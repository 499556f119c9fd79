// Test support for the agent's tests: a test cluster with one simulated agent on short intervals,
// pod objects bound to a node, and readers of the pod's status. Not used outside tests.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { PODS } from '../client/resources.js';
import { testCluster } from '../controllers/test-cluster.js';
import type { TestCluster } from '../controllers/test-cluster.js';
import type { Agent, AgentOptions } from './agent.js';
import { startAgent } from './agent.js';
import type { SimulatedRuntimeOptions } from './simulated-runtime.js';
import { createSimulatedRuntime } from './simulated-runtime.js';

export interface AgentWorld {
  tc: TestCluster;
  agent: Agent;
  dataDir: string;
  /** Starts another agent for the same node (restart), stopping the current one first. */
  restart(opts?: { runtime?: SimulatedRuntimeOptions }): Promise<Agent>;
  pod(name: string, ns?: string): Promise<KObject | undefined>;
}

export async function withAgent(
  opts: { agent?: Partial<AgentOptions>; runtime?: SimulatedRuntimeOptions },
  fn: (w: AgentWorld) => Promise<void>,
): Promise<void> {
  const tc = await testCluster();
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-agent-'));
  const start = (runtime?: SimulatedRuntimeOptions) =>
    startAgent({
      client: tc.client,
      nodeName: 'node-1',
      runtime: createSimulatedRuntime(runtime ?? opts.runtime),
      dataDir,
      podCIDR: '10.244.1.0/24',
      nodeIP: '10.0.0.11',
      leaseRenewMs: 1000,
      statusIntervalMs: 1000,
      waitForAttach: false,
      ...opts.agent,
    });
  const w: AgentWorld = {
    tc,
    agent: await start(),
    dataDir,
    async restart(o) {
      await w.agent.stop();
      w.agent = await start(o?.runtime);
      return w.agent;
    },
    pod: (name, ns = 'default') => tc.client.get<KObject>(PODS, ns, name).catch(() => undefined),
  };
  try {
    await fn(w);
  } finally {
    await w.agent.stop();
    await tc.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function podObject(name: string, opts: { node?: string; spec?: any; annotations?: Record<string, string>; containers?: any[] } = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: { nodeName: opts.node ?? 'node-1', containers: opts.containers ?? [{ name: 'nginx', image: 'nginx:1.25' }], ...opts.spec },
  };
}

export function condition(pod: KObject | undefined, type: string): any {
  return (pod?.status?.conditions ?? []).find((c: any) => c.type === type);
}

export const isRunningReady = (p: KObject | undefined) => p?.status?.phase === 'Running' && condition(p, 'Ready')?.status === 'True';
