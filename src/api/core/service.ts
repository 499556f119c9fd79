// core/v1 Service: DNS-1035 names, status subresource, "all" category. Defaulting (SetDefaults_Service
// plus the ipFamilyPolicy / ipFamilies the registry fills in on a single-stack IPv4 cluster), the
// pkg/registry/core/service strategy (status reset on create; on update the allocated clusterIPs and
// nodePorts carried over when omitted, clusterIP/clusterIPs kept in sync, and type-dependent fields
// dropped on a type change), validation (service-validation.ts), field selectors and the table.
// Deliberately absent: allocating cluster IPs and node ports (the apiserver does that) and dual-stack.

import type { KObject, Printer, ResourceDef } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { parseIPFamily } from './field-validators.js';
import { externallyAccessible, validateService, validateServiceUpdate } from './service-validation.js';

const needsClusterIP = (svc: KObject) => svc.spec?.type !== 'ExternalName';
const needsNodePort = (svc: KObject) =>
  svc.spec?.type === 'NodePort' || (svc.spec?.type === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false);
const needsHCNodePort = (svc: KObject) => svc.spec?.type === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local';
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function defaultService(svc: KObject): void {
  const spec = (svc.spec ??= {});
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP' && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of spec.ports ?? []) {
    if (!p) continue;
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ||= 'Cluster';
  if ((spec.internalTrafficPolicy === undefined || spec.internalTrafficPolicy === null) && ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    spec.allocateLoadBalancerNodePorts = true;
  }
  if (spec.type !== 'ExternalName') defaultIPFamilies(spec);
}

/** What the registry's IP family initialisation gives a service on a single-stack IPv4 cluster. */
function defaultIPFamilies(spec: any): void {
  const headlessSelectorless = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  if (spec.ipFamilyPolicy === undefined || spec.ipFamilyPolicy === null) spec.ipFamilyPolicy = headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
  if (!spec.ipFamilies?.length) {
    const ips: string[] = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    const families = ips.map(parseIPFamily).filter((f) => f !== 0);
    spec.ipFamilies = families.length ? families.map((f) => (f === 6 ? 'IPv6' : 'IPv4')) : ['IPv4'];
  }
}

/** NormalizeClusterIPs: keep clusterIP and clusterIPs consistent for clients that set only one. */
function normalizeClusterIPs(svc: KObject, old: KObject | undefined): void {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return;
  if (!old) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const o = old.spec ?? {};
  if (o.clusterIPs?.length && !spec.clusterIPs?.length && o.clusterIP === spec.clusterIP) spec.clusterIPs = [...o.clusterIPs];
  if (o.clusterIP !== spec.clusterIP) {
    const sameIPs = same(o.clusterIPs, spec.clusterIPs);
    if (o.clusterIP && !spec.clusterIP) {
      if (sameIPs) delete spec.clusterIPs;
    } else if (sameIPs) {
      spec.clusterIPs = [spec.clusterIP];
    }
  }
}

/** patchAllocatedValues: a PUT without the allocated clusterIP or nodePorts keeps them. */
function patchAllocatedValues(svc: KObject, old: KObject): void {
  const spec = svc.spec ?? {};
  const o = old.spec ?? {};
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && o.clusterIP) spec.clusterIP = o.clusterIP;
    if (!spec.clusterIPs?.length && o.clusterIPs?.length) spec.clusterIPs = [...o.clusterIPs];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const used = new Set((spec.ports ?? []).map((p: any) => p?.nodePort).filter(Boolean));
    const byName = new Map<string, number>((o.ports ?? []).map((p: any) => [p?.name ?? '', p?.nodePort]));
    for (const p of spec.ports ?? []) {
      const oldPort = byName.get(p?.name ?? '');
      if (p && !p.nodePort && oldPort && !used.has(oldPort)) p.nodePort = oldPort;
    }
  }
  if (needsHCNodePort(old) && needsHCNodePort(svc) && !spec.healthCheckNodePort) spec.healthCheckNodePort = o.healthCheckNodePort;
}

/** dropTypeDependentFields: wipe what a type change made meaningless, unless the user changed it. */
function dropTypeDependentFields(svc: KObject, old: KObject): void {
  const spec = svc.spec ?? {};
  const o = old.spec ?? {};
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (same(o.clusterIPs, spec.clusterIPs) && o.clusterIP === spec.clusterIP) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(o.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (o.ipFamilyPolicy === spec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(svc) && same(o.ports?.map((p: any) => p?.nodePort), spec.ports?.map((p: any) => p?.nodePort))) {
    for (const p of spec.ports ?? []) if (p) delete p.nodePort;
  }
  if (needsHCNodePort(old) && !needsHCNodePort(svc) && o.healthCheckNodePort === spec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (o.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && o.allocateLoadBalancerNodePorts === spec.allocateLoadBalancerNodePorts) {
    delete spec.allocateLoadBalancerNodePorts;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && o.externalTrafficPolicy === spec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type !== 'LoadBalancer' && svc.status?.loadBalancer) svc.status.loadBalancer = {};
}

/** EXTERNAL-IP as getServiceExternalIP prints it (wide, so never clipped). */
export function serviceExternalIP(svc: KObject): string {
  const spec = svc.spec ?? {};
  const external: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = new Set<string>();
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing?.ip || ing?.hostname) lb.add(ing.ip || ing.hostname);
      const all = [...[...lb].sort(), ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** PORT(S): 80/TCP, or 80:30080/TCP with a node port. */
export function servicePorts(svc: KObject): string {
  const ports: any[] = svc.spec?.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p?.port}/${p?.protocol}`)).join(',');
}

/** labels.FormatLabels: k=v pairs sorted by key, or <none>. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', 'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types'),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.'),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies'),
    AGE_COLUMN,
    column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/', 1),
  ],
  row: (svc, ctx) => [
    svc.metadata?.name ?? '',
    svc.spec?.type ?? '',
    svc.spec?.clusterIPs?.[0] ?? '<none>',
    serviceExternalIP(svc),
    servicePorts(svc),
    ageCell(svc, ctx.now),
    formatLabels(svc.spec?.selector),
  ],
};

export const serviceResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  schemaName: 'io.k8s.api.core.v1.Service',
  hasStatus: true,

  defaults: defaultService,

  prepareForCreate(svc) {
    if (svc.metadata) delete svc.metadata.generation;
    svc.status = { loadBalancer: {} };
    normalizeClusterIPs(svc, undefined);
  },

  prepareForUpdate(svc, old) {
    if (old.status === undefined) delete svc.status;
    else svc.status = structuredClone(old.status);
    patchAllocatedValues(svc, old);
    normalizeClusterIPs(svc, old);
    dropTypeDependentFields(svc, old);
  },

  validate: validateService,
  validateUpdate: validateServiceUpdate,

  fieldSelectors: {
    'spec.clusterIP': (s) => s.spec?.clusterIP ?? '',
    'spec.type': (s) => s.spec?.type ?? '',
  },

  printer: servicePrinter,
};
