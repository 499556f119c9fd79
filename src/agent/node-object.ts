// The Node object an agent registers and the status it reports, as the kubelet builds them
// (pkg/kubelet/kubelet_node_status.go initialNodeStatus and pkg/kubelet/nodestatus setters):
// the well-known labels (kubernetes.io/hostname, os, arch and their beta twins), the
// controller-managed-attach-detach annotation, podCIDR(s) and registration taints, capacity and
// allocatable (the kubelet's default eviction thresholds subtracted: memory.available<100Mi,
// nodefs.available<10%), nodeInfo, addresses, the daemon endpoint and the four conditions with
// their reasons and messages. Status merging keeps what other components own (volumesAttached,
// conditions such as NetworkUnavailable), as the kubelet's strategic-merge status patch does.
// Pure: no I/O, the time comes in.
// Deliberately absent: images, volumesInUse, config, runtimeHandlers and features (nothing reads
// them yet), and the node-role labels (a kubelet may not set them).

import type { KObject } from '../api/resource.js';
import { parseQuantity, quantityValue } from '../api/quantity.js';
import { normalizeResourceList, semanticEqual } from '../api/core/semantic-equal.js';
import type { RuntimeNodeInfo } from './runtime.js';

export const KUBELET_VERSION = 'v1.32.0';
export const ANN_CONTROLLER_MANAGED_ATTACH_DETACH = 'volumes.kubernetes.io/controller-managed-attach-detach';

export interface NodeConfig {
  name: string;
  arch: string;
  /** Extra labels (--node-labels) and registration taints (--register-with-taints). */
  labels: Record<string, string>;
  taints: any[];
  podCIDR?: string;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  nodeIP: string;
  /** The agent server's port (daemonEndpoints.kubeletEndpoint.Port); 0 when it serves none. */
  kubeletPort?: number;
  runtimeVersion: string;
  info: RuntimeNodeInfo;
}

export const DEFAULT_CAPACITY: Readonly<Record<string, string>> = {
  cpu: '4',
  'ephemeral-storage': '100Gi',
  'hugepages-1Gi': '0',
  'hugepages-2Mi': '0',
  memory: '16Gi',
  pods: '110',
};

const MEMORY_EVICTION_BYTES = 100n * 1024n * 1024n;

function bytesText(n: bigint): string {
  const v = n < 0n ? 0n : n;
  return v % 1024n === 0n && v > 0n ? `${v / 1024n}Ki` : String(v);
}

/** Allocatable = capacity minus the kubelet's default hard eviction thresholds (no reservations). */
export function defaultAllocatable(capacity: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...capacity };
  const mem = capacity.memory === undefined ? null : parseQuantity(capacity.memory);
  if (mem) out.memory = bytesText(quantityValue(mem) - MEMORY_EVICTION_BYTES);
  const disk = capacity['ephemeral-storage'] === undefined ? null : parseQuantity(capacity['ephemeral-storage']);
  if (disk) out['ephemeral-storage'] = String((quantityValue(disk) * 9n) / 10n);
  return out;
}

export function nodeLabels(cfg: Pick<NodeConfig, 'name' | 'arch' | 'labels'>): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': cfg.arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': cfg.arch,
    'kubernetes.io/hostname': cfg.name,
    'kubernetes.io/os': 'linux',
    ...cfg.labels,
  };
}

const KUBELET_CONDITIONS = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'];

function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The conditions now; lastTransitionTime carries over from `prev` while a status is unchanged. */
function conditions(prev: any[], opts: { now: Date; notReady: string }): any[] {
  const t = rfc3339(opts.now);
  const make = (c: { type: string; status: string; reason: string; message: string }) => {
    const old = prev.find((o) => o?.type === c.type);
    const since = old && old.status === c.status ? old.lastTransitionTime : t;
    return { type: c.type, status: c.status, lastHeartbeatTime: t, lastTransitionTime: since, reason: c.reason, message: c.message };
  };
  return [
    make({ type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' }),
    make({ type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' }),
    make({ type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' }),
    opts.notReady
      ? make({ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: opts.notReady })
      : make({ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }),
  ];
}

/** Why the node is not ready, or '' (berth's pods need a podCIDR for their addresses). */
export function notReadyMessage(cfg: NodeConfig): string {
  if (cfg.podCIDR) return '';
  return `container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: no podCIDR assigned to node ${cfg.name}`;
}

/** The node status this agent reports, merged into `current` (what other components wrote stays). */
export function nodeStatus(cfg: NodeConfig, opts: { current: any; now: Date }): any {
  const cur = opts.current ?? {};
  const own = conditions(cur.conditions ?? [], { now: opts.now, notReady: notReadyMessage(cfg) });
  const others = (cur.conditions ?? []).filter((c: any) => !KUBELET_CONDITIONS.includes(c?.type));
  return {
    ...cur,
    capacity: { ...cfg.capacity },
    allocatable: { ...cfg.allocatable },
    conditions: [...others, ...own],
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIP },
      { type: 'Hostname', address: cfg.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort ?? 0 } },
    nodeInfo: {
      machineID: cfg.info.machineID,
      systemUUID: cfg.info.systemUUID,
      bootID: cfg.info.bootID,
      kernelVersion: cfg.info.kernelVersion,
      osImage: cfg.info.osImage,
      containerRuntimeVersion: cfg.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: cfg.arch,
    },
  };
}

/** The Node to create at registration. */
export function newNode(cfg: NodeConfig, now: Date): KObject {
  const spec: any = {};
  if (cfg.podCIDR) {
    spec.podCIDR = cfg.podCIDR;
    spec.podCIDRs = [cfg.podCIDR];
  }
  if (cfg.taints.length) spec.taints = cfg.taints.map((t) => ({ ...t }));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: cfg.name, labels: nodeLabels(cfg), annotations: { [ANN_CONTROLLER_MANAGED_ATTACH_DETACH]: 'true' } },
    spec,
    status: nodeStatus(cfg, { current: undefined, now }),
  };
}

/** Whether two statuses differ in anything but heartbeat times (the kubelet's change detection). */
export function statusChanged(a: any, b: any): boolean {
  const strip = (s: any) => ({
    ...s,
    capacity: normalizeResourceList(s?.capacity),
    allocatable: normalizeResourceList(s?.allocatable),
    conditions: (s?.conditions ?? []).map((c: any) => ({ ...c, lastHeartbeatTime: undefined })),
  });
  return !semanticEqual(strip(a), strip(b));
}

/** The label and annotation changes an existing Node needs (updateDefaultLabels), or undefined. */
export function metadataPatch(cfg: NodeConfig, node: KObject): { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined {
  const want = nodeLabels(cfg);
  const have = node.metadata?.labels ?? {};
  const labels = Object.fromEntries(Object.entries(want).filter(([k, v]) => have[k] !== v));
  const annotations: Record<string, string> = {};
  if (node.metadata?.annotations?.[ANN_CONTROLLER_MANAGED_ATTACH_DETACH] !== 'true') annotations[ANN_CONTROLLER_MANAGED_ATTACH_DETACH] = 'true';
  if (!Object.keys(labels).length && !Object.keys(annotations).length) return undefined;
  return { ...(Object.keys(labels).length ? { labels } : {}), ...(Object.keys(annotations).length ? { annotations } : {}) };
}
