// Node agents as the CLI starts them: `berth up --nodes N` runs node-1..node-N in the control
// plane's process over the in-process client; `berth agent` runs one against a remote server over
// HTTP, from a kubeconfig. Each agent gets its own directory under the data dir.

import { join } from 'node:path';
import type { Client } from '../client/client.js';
import { Client as ApiClient } from '../client/client.js';
import { HttpTransport } from '../client/transport.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { startAgent } from '../agent/agent.js';
import { BERTH_COMPONENT_VERSION } from './controllers.js';
import type { Agent } from '../agent/agent.js';
import { createSimulatedRuntime } from '../agent/simulated-runtime.js';
import type { Runtime } from '../agent/runtime.js';

export interface NodeAgents {
  names: string[];
  stop(): Promise<void>;
}

function runtimeFor(kind: 'simulated'): Runtime {
  void kind;
  return createSimulatedRuntime();
}

export async function startNodeAgents(client: Client, opts: { count: number; runtime: 'simulated'; dataDir: string; log?: (l: string) => void }): Promise<NodeAgents> {
  const started: { agent: Agent; runtime: Runtime }[] = [];
  for (let i = 1; i <= opts.count; i++) {
    const nodeName = `node-${i}`;
    const runtime = runtimeFor(opts.runtime);
    // Each agent serves exec and logs on a free port, published in its Node's daemonEndpoints.
    const agent = await startAgent({ client, nodeName, runtime, dataDir: join(opts.dataDir, nodeName), log: opts.log, server: { port: 0 } });
    started.push({ agent, runtime });
  }
  return {
    names: started.map((s) => s.agent.nodeName),
    async stop() {
      await Promise.all(started.map(async (s) => {
        await s.agent.stop();
        await s.runtime.close?.();
      }));
    },
  };
}

export async function startRemoteAgent(opts: {
  kubeconfig: string;
  nodeName: string;
  runtime: 'simulated';
  dataDir: string;
  leaseSeconds?: number;
  /** The agent's exec/logs server (the kubelet's --address/--port); port 0 = a free one. */
  serverAddress?: string;
  serverPort?: number;
  log?: (l: string) => void;
}): Promise<{ server: string; stop(): Promise<void> }> {
  const { server } = loadKubeconfig(opts.kubeconfig);
  const client = new ApiClient(new HttpTransport(server, `kubelet/${BERTH_COMPONENT_VERSION}`));
  const runtime = runtimeFor(opts.runtime);
  const lease = opts.leaseSeconds ?? 40;
  const agent = await startAgent({
    client,
    nodeName: opts.nodeName,
    runtime,
    dataDir: join(opts.dataDir, opts.nodeName),
    leaseDurationSeconds: lease,
    // The kubelet renews at a quarter of the lease duration (nodeLeaseRenewIntervalFraction 0.25).
    leaseRenewMs: lease * 250,
    server: { host: opts.serverAddress ?? '0.0.0.0', port: opts.serverPort ?? 0 },
    log: opts.log,
  });
  return {
    server,
    async stop() {
      await agent.stop();
      await runtime.close?.();
    },
  };
}
