// Objects for the scheduler's and attach-detach controller's tests: Nodes with allocatable,
// labels and taints (the hostname label set as a node agent would), pods with requests,
// selectors, tolerations and claims, and lookups of a pod's events and PodScheduled condition.
// Not used outside tests.

import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { EVENTS, NODES, PODS } from '../client/resources.js';

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
}

export function testNode(name: string, s: NodeSpec = {}): KObject {
  const capacity = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: String(s.pods ?? 110), 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...s.labels } },
    spec: { ...(s.taints ? { taints: s.taints } : {}), ...(s.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface PodSpecOpts {
  cpu?: string;
  memory?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: object[];
  affinity?: object;
  claims?: string[];
  owner?: { kind: string; name: string; uid: string };
  schedulerName?: string;
  hostPort?: number;
  nodeName?: string;
  initCpu?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export function testPod(name: string, o: PodSpecOpts = {}): KObject {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const container: any = { name: 'app', image: 'busybox', resources: Object.keys(requests).length ? { requests } : {} };
  if (o.hostPort) container.ports = [{ containerPort: 80, hostPort: o.hostPort }];
  const spec: any = { containers: [container] };
  if (o.initCpu) spec.initContainers = [{ name: 'init', image: 'busybox', resources: { requests: { cpu: o.initCpu } } }];
  if (o.nodeSelector) spec.nodeSelector = o.nodeSelector;
  if (o.tolerations) spec.tolerations = o.tolerations;
  if (o.affinity) spec.affinity = o.affinity;
  if (o.schedulerName) spec.schedulerName = o.schedulerName;
  if (o.nodeName) spec.nodeName = o.nodeName;
  if (o.claims) spec.volumes = o.claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } }));
  const metadata: any = { name, namespace: o.namespace ?? 'default' };
  if (o.labels) metadata.labels = o.labels;
  if (o.owner) metadata.ownerReferences = [{ apiVersion: 'apps/v1', ...o.owner, controller: true }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

export async function createNodes(client: Client, nodes: KObject[]): Promise<void> {
  await Promise.all(nodes.map((n) => client.create(NODES, undefined, n)));
}

export async function getPod(client: Client, name: string, namespace = 'default'): Promise<KObject> {
  return client.get(PODS, namespace, name);
}

export async function podEvents(client: Client, name: string, namespace = 'default'): Promise<KObject[]> {
  const l = await client.list(EVENTS, namespace);
  return l.items.filter((e) => e.involvedObject?.name === name && e.involvedObject?.kind === 'Pod');
}

/** The PodScheduled condition's message once it is False, else undefined. */
export async function unschedulableMessage(client: Client, name: string, namespace = 'default'): Promise<string | undefined> {
  const pod = await getPod(client, name, namespace);
  const c = (pod.status?.conditions ?? []).find((x: any) => x.type === 'PodScheduled');
  return c?.status === 'False' && c.reason === 'Unschedulable' ? c.message : undefined;
}
