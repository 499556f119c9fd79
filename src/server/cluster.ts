// Wiring of a berth control plane in one process: API server (which opens its own store; admission,
// bootstrap objects) → HTTP listener (with protocol upgrades for exec) → the node agents'
// credentials → controllers over the in-process client → cluster DNS. `berth up` and `berth
// server` both start one of these; tests start it with `--port 0` and the memory store.

import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { ApiServer } from '../apiserver/api-server.js';
import { IdleCollector } from '../util/idle-gc.js';
import { defaultClusterCidr } from './cluster-cidr.js';
import { HttpServer } from '../apiserver/http-server.js';
import { ALL_RESOURCES } from '../api/registry.js';
import { namespaceLifecycle } from '../apiserver/admission/namespace-lifecycle.js';
import { serviceIpAllocator } from '../apiserver/admission/service-ip.js';
import { bootstrap } from '../apiserver/bootstrap.js';
import { InProcessTransport } from '../client/transport.js';
import { Client } from '../client/client.js';
import { BERTH_COMPONENT_VERSION, startControllers } from './controllers.js';
import { defaultStorageClass } from '../apiserver/admission/default-storage-class.js';
import { storageObjectInUseProtection } from '../apiserver/admission/storage-protection.js';
import { persistentVolumeClaimResize } from '../apiserver/admission/pvc-resize.js';
import { defaultTolerationSeconds } from '../apiserver/admission/default-toleration-seconds.js';
import { STORAGE_CLASSES } from '../client/resources.js';
import { isApiError } from '../api/errors.js';
import { DEFAULT_CLASS_ANNOTATION } from '../api/storage/storage-class.js';
import { LOCAL_PATH_PROVISIONER } from '../api/storage/well-known.js';
import { fieldManager } from '../apiserver/registry/field-manager.js';
import { ApiMetrics } from '../apiserver/metrics.js';
import { ensureAgentCredentials } from './agent-credentials.js';
import { ClusterDns } from '../dns/cluster-dns.js';
import { SharedInformers } from '../client/shared-informers.js';

export interface ClusterOptions {
  dataDir: string;
  port: number;
  host?: string;
  store: 'sqlite' | 'memory';
  /** One line per component at start-up, and request transcripts when verbose. */
  log: (line: string) => void;
  verbose?: boolean;
  /** Install the `standard` StorageClass (berth up): local-path, WaitForFirstConsumer, default. */
  standardStorageClass?: boolean;
  nodeMonitorGracePeriodMs?: number;
  /** --controllers (default all). */
  controllers?: string[];
  /** --dns-port: the cluster DNS server's UDP and TCP port (0: a free one; undefined: no DNS). */
  dnsPort?: number;
  /** --cluster-cidr (default: the data dir's range, cluster-cidr.ts; 10.244.0.0/14 on a host without berth routes). */
  clusterCidr?: string;
}

export interface Cluster {
  port: number;
  url: string;
  kubeconfigPath: string;
  api: ApiServer;
  client: Client;
  /** An in-process client that identifies itself as another program (kubelet, kube-scheduler). */
  clientAs(userAgent: string, opts?: { objectWatches?: boolean }): Client;
  /** Where the cluster DNS answers (undefined without one). */
  dns?: { host: string; port: number };
  stop(): Promise<void>;
}

export function kubeconfigText(url: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: berth
  cluster:
    server: ${url}
    insecure-skip-tls-verify: true
contexts:
- name: berth
  context:
    cluster: berth
    user: berth
    namespace: default
current-context: berth
users:
- name: berth
  user: {}
`;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });

  let url = '';
  const metrics = new ApiMetrics();
  const api: ApiServer = await ApiServer.open({ kind: opts.store, dataDir }, {
    resources: ALL_RESOURCES,
    admission: [
      namespaceLifecycle(() => api.serverParts),
      serviceIpAllocator(() => api.serverParts),
      defaultStorageClass(() => api.serverParts),
      storageObjectInUseProtection(),
      defaultTolerationSeconds(),
      // Last: it defers to validation's answer for claims validation would reject anyway.
      persistentVolumeClaimResize(() => api.serverParts),
    ],
    fieldManager,
    serverAddress: () => url.replace(/^https?:\/\//, ''),
    log: opts.log,
    metrics: () => metrics.text(),
  });
  const revisionAtOpen = await api.storeRevision();
  opts.log(`store: ${opts.store}${opts.store === 'sqlite' ? ` at ${join(dataDir, 'state.db')}` : ''} (revision ${revisionAtOpen})`);
  await api.start();
  await bootstrap(api);

  const http = new HttpServer((req) => api.handle(req), {
    port: opts.port,
    host: opts.host ?? '127.0.0.1',
    log: opts.verbose ? opts.log : undefined,
    metrics,
    idleCollector: new IdleCollector(),
    onUpgrade: (req, socket, head) => void api.upgrade(req, socket, head),
  });
  const port = await http.listen();
  url = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  opts.log(`apiserver: listening on ${url} (Kubernetes v1.32 API, ${ALL_RESOURCES.length} resources)`);

  const kubeconfigPath = join(dataDir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigText(url), { mode: 0o600 });

  // Each component speaks with Kubernetes' program name, which becomes its managedFields manager.
  const clientAs = (userAgent: string, o: { objectWatches?: boolean } = {}) => new Client(new InProcessTransport((req) => api.handle(req), userAgent, o.objectWatches ?? true));
  const client = clientAs(`kube-controller-manager/${BERTH_COMPONENT_VERSION}`);
  if (opts.standardStorageClass) await ensureStandardStorageClass(client);
  await ensureAgentCredentials(client, { log: opts.log });
  let clusterCidr = opts.clusterCidr;
  if (!clusterCidr) {
    // A data dir from before berth kept its range had nodes in the one default range there was.
    const chosen = defaultClusterCidr(dataDir, { existing: revisionAtOpen > 0 });
    clusterCidr = chosen.cidr;
    opts.log(`pod network: ${clusterCidr} (${chosen.chosenNow ? 'chosen now' : 'this data dir\'s range'}, kept in ${join(dataDir, 'cluster-cidr')}; --cluster-cidr overrides)`);
  }
  const controllers = await startControllers(client, { dataDir, clientAs, nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs, clusterCidr, enabled: opts.controllers, log: opts.verbose ? opts.log : undefined });
  opts.log(`controllers: ${controllers.names.join(', ')}`);

  let dns: ClusterDns | undefined;
  let dnsInformers: SharedInformers | undefined;
  let dnsAddress: { host: string; port: number } | undefined;
  if (opts.dnsPort !== undefined) {
    dnsInformers = new SharedInformers(clientAs(`coredns/${BERTH_COMPONENT_VERSION}`), { log: opts.verbose ? opts.log : undefined });
    dns = new ClusterDns({ informers: dnsInformers, log: opts.log }, { port: opts.dnsPort, host: '0.0.0.0', domain: 'cluster.local' });
    await dnsInformers.start();
    const { port: dnsPort } = await dns.start();
    dnsAddress = { host: '127.0.0.1', port: dnsPort };
  }

  return {
    port,
    url,
    kubeconfigPath,
    api,
    client,
    clientAs,
    dns: dnsAddress,
    async stop() {
      await dns?.stop();
      await dnsInformers?.stop();
      await controllers.stop();
      await http.close();
      await api.close();
    },
  };
}

/** The `standard` class of `berth up`, created when missing (a user's edits to it are kept). */
async function ensureStandardStorageClass(client: Client): Promise<void> {
  try {
    await client.create(STORAGE_CLASSES, undefined, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'standard', annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
      provisioner: LOCAL_PATH_PROVISIONER,
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
  } catch (e) {
    if (!(isApiError(e) && e.code === 409)) throw e;
  }
}
