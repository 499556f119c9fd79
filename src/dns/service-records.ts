// The DNS records one Service, or one of its EndpointSlices, puts into the cluster zone, as the
// Kubernetes DNS specification (kubernetes/dns docs/specification.md) and CoreDNS' kubernetes
// plugin define them: a Service's own records (ClusterIP A/AAAA, SRV per named port targeting
// the Service name, CNAME for ExternalName, PTR of its cluster IPs) and the records of a slice's
// ready endpoints (the headless Service's A/AAAA, `<hostname>.<service>` A/AAAA for every Service,
// SRV per named endpoint port of a headless Service, PTR of endpoint IPs). Pure: no I/O; names
// are lower-case and absolute without the trailing dot. What the index does with these records,
// and how answers are built from them, live elsewhere.

import { isIPv4, isIPv6 } from 'node:net';
import type { KObject } from '../api/resource.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'SRV' | 'PTR' | 'TXT';

/** One resource record of the index; the TTL is applied when answering. */
export type ZoneRecord =
  | { name: string; type: 'A' | 'AAAA' | 'CNAME' | 'PTR'; data: string }
  | { name: string; type: 'TXT'; data: string[] }
  | { name: string; type: 'SRV'; data: { port: number; target: string } };

export const serviceName = (ns: string, name: string, zone: string) => `${name}.${ns}.svc.${zone}`.toLowerCase();

/** A headless Service has no cluster IP; its name resolves to its endpoints. */
export function isHeadless(svc: KObject): boolean {
  return svc.spec?.clusterIP === 'None';
}

const isExternalName = (svc: KObject) => svc.spec?.type === 'ExternalName';

/** The reverse-lookup name of an address: `d.c.b.a.in-addr.arpa` or the nibbles under ip6.arpa. */
export function reverseName(ip: string): string | undefined {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const full = expandIPv6(ip);
  return full ? `${[...full].reverse().join('.')}.ip6.arpa` : undefined;
}

/** The 32 hex digits of an IPv6 address (no embedded IPv4 form), or undefined. */
export function expandIPv6(ip: string): string | undefined {
  if (!isIPv6(ip) || ip.includes('.')) return undefined;
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.toLowerCase().padStart(4, '0')).join('');
}

/** The address a pod-record label (`10-1-0-5`, `fd00--5`) stands for, or undefined. */
export function dashedToIp(label: string): string | undefined {
  // CoreDNS' rule: exactly three dashes and no double dash is IPv4, anything else IPv6.
  const v4 = (label.match(/-/g) ?? []).length === 3 && !label.includes('--');
  const ip = v4 ? label.replaceAll('-', '.') : label.replaceAll('-', ':');
  return isIPv4(ip) || isIPv6(ip) ? ip : undefined;
}

/** endpointHostname: the endpoint's hostname, else its address with dashes for separators. */
export function endpointLabel(hostname: string | undefined, ip: string): string {
  return (hostname || ip.replaceAll(':', '-').replaceAll('.', '-')).toLowerCase();
}

const addressRecord = (name: string, ip: string): ZoneRecord | undefined =>
  isIPv4(ip) ? { name, type: 'A', data: ip } : isIPv6(ip) ? { name, type: 'AAAA', data: ip } : undefined;

/** The Service's own records: everything that does not depend on its endpoints. */
export function serviceRecords(svc: KObject, zone: string): ZoneRecord[] {
  const m = svc.metadata ?? {};
  if (!m.name || !m.namespace) return [];
  const name = serviceName(m.namespace, m.name, zone);
  if (isExternalName(svc)) {
    const target = String(svc.spec?.externalName ?? '').replace(/\.$/, '').toLowerCase();
    return target ? [{ name, type: 'CNAME', data: target }] : [];
  }
  if (isHeadless(svc)) return [];
  const ips: string[] = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  const out: ZoneRecord[] = [];
  for (const ip of ips) {
    const a = addressRecord(name, ip);
    if (!a) continue;
    out.push(a);
    const rev = reverseName(ip);
    if (rev) out.push({ name: rev, type: 'PTR', data: name });
  }
  if (!out.length) return out;
  for (const p of svc.spec?.ports ?? []) {
    if (!p.name) continue;
    out.push({ name: `_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${name}`.toLowerCase(), type: 'SRV', data: { port: p.port, target: name } });
  }
  return out;
}

/**
 * Whether DNS publishes an endpoint. CoreDNS reads `ready` only (nil means ready); the
 * EndpointSlice controller already marks every endpoint ready for a Service with
 * publishNotReadyAddresses, and honouring the field here too keeps slices written by anyone else
 * (or before the controller catches up) consistent with it.
 */
export function isPublished(svc: KObject, ep: any): boolean {
  return !!svc.spec?.publishNotReadyAddresses || ep?.conditions?.ready !== false;
}

/** The records of one EndpointSlice of `svc`: its published endpoints. */
export function sliceRecords(svc: KObject, slice: KObject, opts: { zone: string }): ZoneRecord[] {
  const m = svc.metadata ?? {};
  if (!m.name || !m.namespace || isExternalName(svc)) return [];
  if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return [];
  const name = serviceName(m.namespace, m.name, opts.zone);
  const headless = isHeadless(svc);
  const ports = (slice.ports ?? []).filter((p: any) => p?.name && Number.isInteger(p.port) && p.port > 0);
  const out: ZoneRecord[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (!isPublished(svc, ep)) continue;
    const hostname: string | undefined = ep.hostname || undefined;
    for (const ip of ep.addresses ?? []) {
      const host = `${endpointLabel(hostname, ip)}.${name}`;
      const a = addressRecord(host, ip);
      if (!a) continue;
      out.push(a);
      const rev = reverseName(ip);
      if (rev) out.push({ name: rev, type: 'PTR', data: host });
      if (!headless) continue;
      out.push({ ...a, name });
      for (const p of ports) {
        out.push({ name: `_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${name}`.toLowerCase(), type: 'SRV', data: { port: p.port, target: host } });
      }
    }
  }
  return out;
}
