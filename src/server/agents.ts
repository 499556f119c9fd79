// Node agents as the CLI starts them: `berth up --nodes N` runs node-1..node-N in the control
// plane's process over the in-process client; `berth agent` runs one against a remote server over
// HTTP, from a kubeconfig. Each agent gets its own directory under the data dir, and its runtime:
// `process` where this machine allows it (root, namespaces, overlayfs), else `simulated`, saying why.

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
import { createProcessRuntime } from '../agent/process/process-runtime.js';
import { processRuntimeAvailable } from '../agent/process/availability.js';
import { isApiError } from '../api/errors.js';
import { EventRecorder } from '../client/events.js';
import type { KObject } from '../api/resource.js';
import { CONFIG_MAPS, SECRETS } from '../client/resources.js';
import type { ResourceRef } from '../client/client.js';

export interface NodeAgents {
  names: string[];
  stop(): Promise<void>;
}

export type RuntimeKind = 'process' | 'simulated';

/** What every agent's runtime is made from. */
export interface RuntimeSetup {
  kind: RuntimeKind;
  /** Where the cluster DNS answers (the process runtime relays pods' queries there). */
  dns?: { host: string; port: number };
  /** Extra image map entries (`<data-dir>/images.yaml`). */
  imageMapFile?: string;
  /** A clean shutdown ends the pods too (`berth up`); a restarted `berth agent` adopts them instead. */
  killPodsOnClose?: boolean;
}

/**
 * The runtime to use: the one asked for, or `process` by default, but `simulated` (saying why) when
 * this machine cannot run process pods.
 */
export async function chooseRuntime(asked: RuntimeKind | undefined, say: (l: string) => void): Promise<RuntimeKind> {
  if (asked === 'simulated') return 'simulated';
  const avail = await processRuntimeAvailable();
  if (avail.ok) return 'process';
  say(`runtime: process is not available here (${avail.reason}); using simulated (pods move through their phases without processes)`);
  return 'simulated';
}

function lookup(client: Client) {
  const get = (r: ResourceRef) => (ns: string, name: string) =>
    client.get<KObject>(r, ns, name).catch((e) => {
      if (isApiError(e) && e.code === 404) return undefined;
      throw e;
    });
  return { configMap: get(CONFIG_MAPS), secret: get(SECRETS) };
}

function runtimeFor(setup: RuntimeSetup, node: { nodeName: string; dataDir: string; client: Client; log?: (l: string) => void }): Runtime {
  if (setup.kind === 'simulated') return createSimulatedRuntime();
  const recorder = new EventRecorder(node.client, { component: 'kubelet', host: node.nodeName });
  return createProcessRuntime({
    events: (pod, ev) => recorder.event(pod, ev.type, ev.reason, ev.message),
    dataDir: node.dataDir,
    nodeName: node.nodeName,
    dns: setup.dns,
    clusterDomain: 'cluster.local',
    imageMapFile: setup.imageMapFile,
    lookup: lookup(node.client),
    killPodsOnClose: setup.killPodsOnClose,
    log: node.log,
  });
}

export async function startNodeAgents(client: Client, opts: { count: number; runtime: RuntimeSetup; dataDir: string; log?: (l: string) => void }): Promise<NodeAgents> {
  const started: { agent: Agent; runtime: Runtime }[] = [];
  for (let i = 1; i <= opts.count; i++) {
    const nodeName = `node-${i}`;
    const runtime = runtimeFor(opts.runtime, { nodeName, dataDir: join(opts.dataDir, nodeName), client, log: opts.log });
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
  runtime: RuntimeSetup;
  dataDir: string;
  leaseSeconds?: number;
  /** The agent's exec/logs server (the kubelet's --address/--port); port 0 = a free one. */
  serverAddress?: string;
  serverPort?: number;
  log?: (l: string) => void;
}): Promise<{ server: string; stop(): Promise<void> }> {
  const { server } = loadKubeconfig(opts.kubeconfig);
  const client = new ApiClient(new HttpTransport(server, `kubelet/${BERTH_COMPONENT_VERSION}`));
  const runtime = runtimeFor(opts.runtime, { nodeName: opts.nodeName, dataDir: join(opts.dataDir, opts.nodeName), client, log: opts.log });
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
