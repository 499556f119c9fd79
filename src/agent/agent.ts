// The node agent (Kubernetes' kubelet; component `kubelet`, events from host = node name): it
// registers its Node, renews the node Lease, follows the pods bound to the node, runs them through
// a Runtime and reports their status. Everything but the Runtime is shared by every runtime, so
// the `process` runtime only has to implement runtime.ts.
//
// Per agent: one pod watch (fieldSelector spec.nodeName), one Lease timer and one status timer at
// 10 s, one work queue; a VolumeAttachment watch only while a pod waits for an attachment. That
// keeps 1,000 agents in one process cheap. Timings are options, so tests and benchmarks can use
// short intervals (and the simulated runtime's instant readiness).
//
// stop() stops renewing and watching; it does not delete the Node (its Lease expires and the node
// lifecycle controller marks it NotReady, as for a stopped kubelet) and does not close the
// runtime (the caller owns it).
// With `server`, the agent also serves exec and logs (agent-server.ts, the kubelet's port 10250),
// publishes the port in status.daemonEndpoints.kubeletEndpoint and reads the bearer token the API
// server presents (agent-auth.ts) in the background, so a missing Secret never delays start-up.
// Deliberately absent: metrics and the kubelet's read-only endpoints, static pods, eviction, image
// garbage collection, CSINode and node-allocatable enforcement.

import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { EventRecorder } from '../client/events.js';
import { WorkQueue } from '../client/workqueue.js';
import { readAgentToken } from './agent-auth.js';
import { AgentServer } from './agent-server.js';
import { AttachmentTracker } from './attachment-tracker.js';
import { IPAllocator } from './ip-allocator.js';
import { DEFAULT_CAPACITY, defaultAllocatable, notReadyMessage } from './node-object.js';
import type { NodeConfig } from './node-object.js';
import { defaultNodeIP, goArch } from './node-info.js';
import { NodeLease } from './node-lease.js';
import { NodeStatusReporter } from './node-status.js';
import type { AgentTimings, PodContext } from './pod-context.js';
import { NodePodSource } from './pod-source.js';
import { PodWorkers } from './pod-sync.js';
import type { Runtime } from './runtime.js';
import { VolumeSetup } from './volume-setup.js';

export const AGENT_COMPONENT = 'kubelet';

export interface AgentOptions {
  client: Client;
  nodeName: string;
  runtime: Runtime;
  /** Root of the agent's pod directories (<dataDir>/pods/<uid>/volumes/...). */
  dataDir: string;
  /** The node's pod range, e.g. 10.244.1.0/24; without it the Node's spec.podCIDR is used once set. */
  podCIDR?: string;
  /** InternalIP address; default: this machine's first non-internal IPv4 address. */
  nodeIP?: string;
  capacity?: Record<string, string>;
  /** Default: capacity minus the kubelet's default eviction thresholds. */
  allocatable?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: any[];
  leaseDurationSeconds?: number;
  leaseRenewMs?: number;
  /** How often the node status is computed (written only when changed or statusReportMs passed). */
  statusIntervalMs?: number;
  statusReportMs?: number;
  /** Record kubelet events for pods and the Node (default true; benchmarks may turn them off). */
  events?: boolean;
  /** Wait for VolumeAttachments of ReadWriteOnce volumes (default true; off without an attach-detach controller). */
  waitForAttach?: boolean;
  /** Concurrent pod syncs (default 4). */
  workers?: number;
  timings?: Partial<AgentTimings>;
  /** Serve exec and logs for the API server (off unless given); port 0 (default) = a free port. */
  server?: { host?: string; port?: number; logPollMs?: number };
  log?: (l: string) => void;
  now?: () => Date;
}

export interface Agent {
  readonly nodeName: string;
  /** The port of the agent's exec/logs server (published as daemonEndpoints.kubeletEndpoint.Port), if serving. */
  readonly serverPort?: number;
  /** Syncs one pod (`namespace/name`) now; tests use it to step the agent. */
  reconcile(key: string): Promise<unknown>;
  /** Resolves once every event recorded so far has been written. */
  flushEvents(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_TIMINGS: AgentTimings = {
  mountTimeoutMs: 123_000,
  mountEventIntervalMs: 10_000,
  backOffInitialMs: 10_000,
  backOffMaxMs: 300_000,
};

export async function startAgent(opts: AgentOptions): Promise<Agent> {
  const { client, nodeName, runtime } = opts;
  const now = opts.now ?? (() => new Date());
  const log = opts.log;
  const capacity = { ...DEFAULT_CAPACITY, ...opts.capacity };
  const cfg: NodeConfig = {
    name: nodeName,
    arch: goArch(),
    labels: { ...opts.labels },
    taints: opts.taints ?? [],
    podCIDR: opts.podCIDR,
    capacity,
    allocatable: opts.allocatable ?? defaultAllocatable(capacity),
    nodeIP: opts.nodeIP ?? defaultNodeIP(),
    runtimeVersion: runtime.version,
    info: runtime.nodeInfo(nodeName),
  };
  const recorder = opts.events === false ? undefined : new EventRecorder(client, { component: AGENT_COMPONENT, host: nodeName, now, log });
  let ipam = cfg.podCIDR ? new IPAllocator(cfg.podCIDR) : undefined;

  let source: NodePodSource | undefined;
  let workers: PodWorkers | undefined;
  const queue = new WorkQueue((key) => workers!.reconcile(key), { workers: opts.workers ?? 4, name: `kubelet ${nodeName}`, log });
  const attachments =
    opts.waitForAttach === false
      ? undefined
      : new AttachmentTracker(client, {
          nodeName,
          log,
          onChange: (uids) => {
            for (const uid of uids) {
              const key = workers?.keyOf(uid);
              if (key) queue.add(key);
            }
          },
        });
  const ctx: PodContext = {
    client,
    runtime,
    volumes: new VolumeSetup(client, { dataDir: opts.dataDir, nodeName, attachments }),
    attachments,
    nodeName,
    nodeIP: cfg.nodeIP,
    ipam: () => ipam,
    ipReleased: () => {
      for (const key of workers?.takeAddressWaiters() ?? []) queue.add(key);
    },
    recorder,
    now,
    log,
    timings: { ...DEFAULT_TIMINGS, ...opts.timings },
  };
  workers = new PodWorkers(ctx, { get: (key) => source?.get(key), networkMessage: () => notReadyMessage(cfg) });

  const lease = new NodeLease(client, {
    nodeName,
    durationSeconds: opts.leaseDurationSeconds ?? 40,
    renewMs: opts.leaseRenewMs ?? 10_000,
    now,
    log,
  });
  /** The Node carries the podCIDR that counts (immutable once set). */
  const onNode = (node: KObject, o: { registered: boolean }) => {
    if (o.registered) lease.nodeReplaced();
    const cidr: string | undefined = node.spec?.podCIDR;
    if (!cidr || cidr === cfg.podCIDR) return;
    log?.(`NODE ${nodeName} podCIDR ${cfg.podCIDR ?? '<none>'} => ${cidr} (the Node's)`);
    cfg.podCIDR = cidr;
    ipam = new IPAllocator(cidr);
    for (const pod of source?.list() ?? []) {
      if (pod.status?.podIP && !pod.spec?.hostNetwork) ipam.reserve(pod.metadata?.uid ?? '', pod.status.podIP);
      queue.add(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
    }
  };
  const reporter = new NodeStatusReporter(client, cfg, {
    now,
    statusIntervalMs: opts.statusIntervalMs ?? 10_000,
    statusReportMs: opts.statusReportMs ?? 300_000,
    recorder,
    log,
    onNode,
  });

  let server: AgentServer | undefined;
  const credentials = new AbortController();
  if (opts.server) {
    let token: string | undefined;
    server = new AgentServer({
      runtime,
      pod: (key) => source?.get(key),
      token: () => token,
      host: opts.server.host,
      port: opts.server.port ?? 0,
      logPollMs: opts.server.logPollMs,
      now,
      log,
    });
    cfg.kubeletPort = await server.listen();
    log?.(`SERVE agent ${nodeName} => ${opts.server.host ?? '0.0.0.0'}:${cfg.kubeletPort}`);
    void readAgentToken(client, { signal: credentials.signal, log }).then((t) => {
      token = t;
      if (t) log?.(`READ agent credentials ${nodeName} => ok`);
    });
  }

  await reporter.register();
  lease.start();
  source = new NodePodSource(client, { nodeName, log, onChange: (key) => queue.add(key) });
  await source.start();
  for (const pod of source.list()) workers.adopt(pod, `${pod.metadata?.namespace}/${pod.metadata?.name}`);
  const unwatch = runtime.watch((uid) => {
    const key = workers?.keyOf(uid);
    if (key) queue.add(key);
  });
  void Promise.all(queue.run());
  reporter.start();
  log?.(`AGENT ${nodeName} => started, ${source.list().length} pods`);

  return {
    nodeName,
    serverPort: cfg.kubeletPort,
    reconcile: (key) => workers!.reconcile(key),
    flushEvents: async () => recorder?.flush(),
    async stop() {
      reporter.stop();
      lease.stop();
      unwatch();
      queue.stop();
      attachments?.stop();
      credentials.abort();
      await server?.close();
      await source?.stop();
      await recorder?.flush();
    },
  };
}
