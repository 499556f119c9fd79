// Service validation with Kubernetes' messages (ValidateService, validateServicePort,
// ValidateServiceClusterIPsRelatedFields, ValidateServiceUpdate with its clusterIP / ipFamilies
// upgrade-downgrade rules): type, ports, session affinity, cluster IPs and families, external IPs,
// traffic policies, ExternalName, LoadBalancer-only fields.
// Deliberately absent: loadBalancerClass, load-balancer status and the cluster's service CIDRs
// (allocation belongs to the apiserver).

import type { FieldError } from '../errors.js';
import { duplicate, forbiddenField, invalid, notSupported, required } from '../errors.js';
import type { KObject } from '../resource.js';
import { validateLabels } from '../validation/meta.js';
import { nameIsDNS1035Label } from '../validation/names.js';
import {
  parseIPFamily,
  validateAppProtocol,
  validateCoreObjectMeta,
  validateCoreObjectMetaUpdate,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateIP,
  validatePortNum,
  validatePortNumOrName,
  validateProtocol,
} from './field-validators.js';

export const SERVICE_META = { namespaced: true, nameValidator: nameIsDNS1035Label };
const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const MAX_AFFINITY_SECONDS = 86400;

export const isHeadless = (svc: KObject) => svc.spec?.clusterIPs?.length === 1 && svc.spec.clusterIPs[0] === 'None';
export const externallyAccessible = (svc: KObject) =>
  ['LoadBalancer', 'NodePort'].includes(svc.spec?.type) || (svc.spec?.type === 'ClusterIP' && (svc.spec?.externalIPs?.length ?? 0) > 0);
const needsHealthCheck = (svc: KObject) => svc.spec?.type === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local';

function validateServicePort(sp: any, path: string, opts: { requireName: boolean; names: Set<string> }): FieldError[] {
  const { requireName, names } = opts;
  const errs: FieldError[] = [];
  if (requireName && !sp?.name) errs.push(required(`${path}.name`));
  else if (sp?.name) {
    errs.push(...validateDNS1123Label(sp.name, `${path}.name`));
    if (names.has(sp.name)) errs.push(duplicate(`${path}.name`, sp.name));
    else names.add(sp.name);
  }
  errs.push(...validatePortNum(sp?.port, `${path}.port`));
  errs.push(...validateProtocol(sp?.protocol, `${path}.protocol`));
  errs.push(...validatePortNumOrName(sp?.targetPort, `${path}.targetPort`));
  errs.push(...validateAppProtocol(sp?.appProtocol, `${path}.appProtocol`));
  return errs;
}

/** ValidateServiceClusterIPsRelatedFields. */
function validateClusterIPs(svc: KObject): FieldError[] {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips: string[] = spec.clusterIPs ?? [];
  if (spec.clusterIP) {
    if (ips.length === 0) errs.push(required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) errs.push(invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    errs.push(invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f: string, i: number) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null && !policies.includes(spec.ipFamilyPolicy)) {
    errs.push(notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, policies));
  }
  let badIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIPs = true;
        errs.push(invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    const e = validateIP(ip, `spec.clusterIPs[${i}]`);
    if (e.length) badIPs = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (badIPs) return errs;
  if (ips.length > 1 && new Set(ips.map(parseIPFamily)).size !== ips.length) {
    errs.push(invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(svc)) {
    ips.forEach((ip, i) => {
      const fam = spec.ipFamilies?.[i];
      if (fam === 'IPv4' && parseIPFamily(ip) === 6) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fam === 'IPv6' && parseIPFamily(ip) !== 6) errs.push(invalid(`spec.clusterIPs[${i}]`, ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateTypeSpecific(svc: KObject): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && isHeadless(svc)) {
    errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  }
  if (spec.type === 'ExternalName') {
    const forbidden = 'may not be set for ExternalName services';
    if (spec.clusterIPs?.length) errs.push(forbiddenField('spec.clusterIPs', forbidden));
    if (spec.ipFamilies?.length) errs.push(forbiddenField('spec.ipFamilies', forbidden));
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) errs.push(forbiddenField('spec.ipFamilyPolicy', forbidden));
    const cname = String(spec.externalName ?? '').replace(/\.$/, '');
    if (cname) errs.push(...validateDNS1123Subdomain(cname, 'spec.externalName'));
    else errs.push(required('spec.externalName'));
  }
  return errs;
}

function validateAffinity(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  const affinity = spec.sessionAffinity;
  if (!affinity) return [required('spec.sessionAffinity')];
  if (affinity !== 'ClientIP' && affinity !== 'None') return [notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None'])];
  const cfg = spec.sessionAffinityConfig;
  if (affinity === 'ClientIP') {
    const when = 'when session affinity type is ClientIP';
    if (!cfg) errs.push(required('spec.sessionAffinityConfig', when));
    else if (!cfg.clientIP) errs.push(required('spec.sessionAffinityConfig.clientIP', when));
    else if (cfg.clientIP.timeoutSeconds === undefined || cfg.clientIP.timeoutSeconds === null) {
      errs.push(required('spec.sessionAffinityConfig.clientIP.timeoutSeconds', when));
    } else if (cfg.clientIP.timeoutSeconds <= 0 || cfg.clientIP.timeoutSeconds > MAX_AFFINITY_SECONDS) {
      const t = cfg.clientIP.timeoutSeconds;
      errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
    }
  } else if (cfg) {
    errs.push(forbiddenField('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  return errs;
}

function validateTrafficPolicies(svc: KObject): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  const etp = spec.externalTrafficPolicy ?? '';
  if (!externallyAccessible(svc)) {
    if (etp) errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(required('spec.externalTrafficPolicy'));
  else if (etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(svc)) {
    if (hc) errs.push(invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (!hc) errs.push(required('spec.healthCheckNodePort'));
  else errs.push(...validatePortNum(hc, 'spec.healthCheckNodePort'));
  const itp = spec.internalTrafficPolicy;
  if ((itp === undefined || itp === null) && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(spec.type)) errs.push(required('spec.internalTrafficPolicy'));
  if (itp !== undefined && itp !== null && itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  const td = spec.trafficDistribution;
  if (td !== undefined && td !== null && td !== 'PreferClose') errs.push(notSupported('spec.trafficDistribution', td, ['PreferClose']));
  return errs;
}

function validatePortSets(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  const ports: any[] = spec.ports ?? [];
  if (spec.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (p?.nodePort) errs.push(forbiddenField(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  const pairs = new Set<string>();
  ports.forEach((p, i) => {
    if (p?.nodePort) {
      const k = `${p.protocol}/${p.nodePort}`;
      if (nodePorts.has(k)) errs.push(duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
      nodePorts.add(k);
    }
    const k = `${p?.protocol}/${p?.port}`;
    if (pairs.has(k)) errs.push(duplicate(`spec.ports[${i}]`, { port: p?.port, protocol: p?.protocol }));
    pairs.add(k);
  });
  return errs;
}

export function validateService(svc: KObject): FieldError[] {
  return [...validateCoreObjectMeta(svc, SERVICE_META), ...validateServiceSpec(svc)];
}

function validateServiceSpec(svc: KObject): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  if (!spec.ports?.length && !isHeadless(svc) && spec.type !== 'ExternalName') errs.push(required('spec.ports'));
  errs.push(...validateTypeSpecific(svc));
  const names = new Set<string>();
  const ports: any[] = spec.ports ?? [];
  ports.forEach((p, i) => errs.push(...validateServicePort(p, `spec.ports[${i}]`, { requireName: ports.length > 1, names })));
  if (spec.selector) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...validateAffinity(spec));
  errs.push(...validateClusterIPs(svc));
  (spec.externalIPs ?? []).forEach((ip: string, i: number) => errs.push(...validateIP(ip, `spec.externalIPs[${i}]`)));
  if (!spec.type) errs.push(required('spec.type'));
  else if (!TYPES.includes(spec.type)) errs.push(notSupported('spec.type', spec.type, TYPES));
  errs.push(...validatePortSets(spec));
  if (spec.loadBalancerSourceRanges?.length && spec.type !== 'LoadBalancer') {
    errs.push(forbiddenField('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts !== null && spec.type !== 'LoadBalancer') {
    errs.push(forbiddenField('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.type === 'LoadBalancer' && (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null)) {
    errs.push(required('allocateLoadBalancerNodePorts'));
  }
  errs.push(...validateTrafficPolicies(svc));
  return errs;
}

const MAY_NOT_CHANGE = 'may not change once set';

/** validateUpgradeDowngradeClusterIPs. */
function clusterIPUpdateErrors(svc: KObject, old: KObject): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadless(svc) && isHeadless(old)) return [];
  const ips: string[] = svc.spec?.clusterIPs ?? [];
  const oldIPs: string[] = old.spec?.clusterIPs ?? [];
  const errs: FieldError[] = [];
  if (oldIPs.length === ips.length) {
    oldIPs.forEach((ip, i) => {
      if (ip !== ips[i]) errs.push(invalid(`spec.clusterIPs[${i}]`, ips, MAY_NOT_CHANGE));
    });
  } else if (oldIPs.length > ips.length) {
    if (ips.length === 0) errs.push(invalid('spec.clusterIPs[0]', ips, 'primary clusterIP can not be unset'));
    if (ips.length > 0 && ips[0] !== oldIPs[0]) errs.push(invalid('spec.clusterIPs[0]', ips, MAY_NOT_CHANGE));
    if (ips.length === 1 && svc.spec?.ipFamilyPolicy !== 'SingleStack') {
      errs.push(invalid('spec.ipFamilyPolicy', svc.spec?.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (oldIPs.length > 0 && ips[0] !== oldIPs[0]) {
    errs.push(invalid('spec.clusterIPs[0]', ips, MAY_NOT_CHANGE));
  }
  return errs;
}

/** validateUpgradeDowngradeIPFamilies (the common cases). */
function ipFamilyUpdateErrors(svc: KObject, old: KObject): FieldError[] {
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return [];
  if (isHeadless(svc) || isHeadless(old)) return [];
  const fams: string[] = svc.spec?.ipFamilies ?? [];
  const oldFams: string[] = old.spec?.ipFamilies ?? [];
  if (oldFams.length === fams.length) {
    return oldFams.some((f, i) => f !== fams[i]) ? [invalid('spec.ipFamilies[0]', fams, MAY_NOT_CHANGE)] : [];
  }
  if (fams.length > 0 && oldFams.length > 0 && fams[0] !== oldFams[0]) return [invalid('spec.ipFamilies[0]', svc.spec?.clusterIPs ?? [], MAY_NOT_CHANGE)];
  return [];
}

export function validateServiceUpdate(svc: KObject, old: KObject): FieldError[] {
  const errs = [...validateCoreObjectMetaUpdate(svc, old, SERVICE_META), ...clusterIPUpdateErrors(svc, old), ...ipFamilyUpdateErrors(svc, old)];
  if (needsHealthCheck(old) && needsHealthCheck(svc) && svc.spec?.healthCheckNodePort !== old.spec?.healthCheckNodePort) {
    errs.push(forbiddenField('spec.healthCheckNodePort', 'field is immutable'));
  }
  return [...errs, ...validateServiceSpec(svc)];
}
