// EndpointSlice validation with Kubernetes' messages (pkg/apis/discovery/validation, v1.32):
// addressType (IPv4, IPv6, FQDN; immutable), endpoints (1..100 addresses valid for the type, no
// unspecified/loopback/link-local IPs, nodeName, hostname, deprecatedTopology, zone hints) and ports
// (unique DNS-label names, protocol, appProtocol).
// Deliberately absent: endpoint conditions and port numbers, which Kubernetes does not validate.

import type { FieldError } from '../errors.js';
import { duplicate, fieldPath, invalid, notSupported, required, tooMany } from '../errors.js';
import type { KObject } from '../resource.js';
import { validateAppProtocol } from '../core/field-validators.js';
import { validateLabelMap } from '../validation/label-selector.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidLabelValue } from '../validation/names.js';
import { isLinkLocalMulticast, isLinkLocalUnicast, isLoopback, isUnspecified, parseIP } from './ip-address.js';

export interface EndpointSliceObject extends KObject {
  addressType?: string;
  endpoints?: any[] | null;
  ports?: any[] | null;
}

export const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ADDRESSES = 100;
const MAX_ENDPOINTS = 1000;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;

/** ValidateEndpointIP: addresses that make no sense as endpoints. */
function validateEndpointIP(address: string, path: string): FieldError[] {
  const ip = parseIP(address);
  if (!ip) return [invalid(path, address, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  if (isUnspecified(ip)) errs.push(invalid(path, address, `may not be unspecified (${address})`));
  if (isLoopback(ip)) errs.push(invalid(path, address, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (isLinkLocalUnicast(ip)) errs.push(invalid(path, address, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (isLinkLocalMulticast(ip)) errs.push(invalid(path, address, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** IsFullyQualifiedDomainName: at least two DNS labels, a trailing dot allowed. */
function validateFQDN(address: string, path: string): FieldError[] {
  if (!address) return [required(path)];
  const name = address.endsWith('.') ? address.slice(0, -1) : address;
  const sub = isDNS1123Subdomain(name);
  if (sub.length) return [invalid(path, name, sub.join(','))];
  const labels = name.split('.');
  if (labels.length < 2) return [invalid(path, name, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length) return [invalid(path, label, errs.join(','))];
  }
  return [];
}

function validateAddress(address: string, addressType: string | undefined, path: string): FieldError[] {
  switch (addressType) {
    case 'IPv4': {
      const ip = parseIP(address);
      const errs = !ip || !ip.is4 ? [invalid(path, address, 'must be a valid IPv4 address')] : [];
      return [...errs, ...validateEndpointIP(address, path)];
    }
    case 'IPv6': {
      const ip = parseIP(address);
      const errs = !ip || ip.is4 ? [invalid(path, address, 'must be a valid IPv6 address')] : [];
      return [...errs, ...validateEndpointIP(address, path)];
    }
    case 'FQDN':
      return validateFQDN(address, path);
    default:
      return []; // unknown types are reported on addressType only
  }
}

function validateHints(hints: any, path: string): FieldError[] {
  const zones: any[] = hints?.forZones ?? [];
  const zonesPath = fieldPath(path, 'forZones');
  if (zones.length > MAX_ZONE_HINTS) return [tooMany(zonesPath, zones.length, MAX_ZONE_HINTS)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  zones.forEach((z, i) => {
    const p = fieldPath(zonesPath, i, 'name');
    const name: string = z?.name ?? '';
    if (seen.has(name)) errs.push(duplicate(p, name));
    seen.add(name);
    for (const m of isValidLabelValue(name)) errs.push(invalid(p, name, m));
  });
  return errs;
}

function validateEndpoint(ep: any, addressType: string | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const addresses: string[] = ep?.addresses ?? [];
  const addrPath = fieldPath(path, 'addresses');
  if (addresses.length === 0) errs.push(required(addrPath, 'must contain at least 1 address'));
  else if (addresses.length > MAX_ADDRESSES) errs.push(tooMany(addrPath, addresses.length, MAX_ADDRESSES));
  addresses.forEach((a, i) => errs.push(...validateAddress(a, addressType, fieldPath(addrPath, i))));

  if (ep?.nodeName !== undefined && ep?.nodeName !== null) {
    for (const m of isDNS1123Subdomain(ep.nodeName)) errs.push(invalid(fieldPath(path, 'nodeName'), ep.nodeName, m));
  }
  const topology: Record<string, string> | undefined = ep?.deprecatedTopology ?? undefined;
  const topologyPath = fieldPath(path, 'deprecatedTopology');
  const topologyCount = Object.keys(topology ?? {}).length;
  if (topologyCount > MAX_TOPOLOGY_LABELS) errs.push(tooMany(topologyPath, topologyCount, MAX_TOPOLOGY_LABELS));
  errs.push(...validateLabelMap(topology, topologyPath));
  if (ep?.hostname !== undefined && ep?.hostname !== null) {
    for (const m of isDNS1123Label(ep.hostname)) errs.push(invalid(fieldPath(path, 'hostname'), ep.hostname, m));
  }
  if (ep?.hints) errs.push(...validateHints(ep.hints, fieldPath(path, 'hints')));
  return errs;
}

function validatePorts(ports: any[]): FieldError[] {
  if (ports.length > MAX_PORTS) return [tooMany('ports', ports.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = fieldPath('ports', i);
    const name: string = port?.name ?? '';
    if (name) for (const m of isDNS1123Label(name)) errs.push(invalid(fieldPath(p, 'name'), name, m));
    if (names.has(name)) errs.push(duplicate(fieldPath(p, 'name'), name));
    names.add(name);
    const protocol = port?.protocol;
    if (protocol === undefined || protocol === null) errs.push(required(fieldPath(p, 'protocol')));
    else if (!PROTOCOLS.includes(protocol)) errs.push(notSupported(fieldPath(p, 'protocol'), protocol, PROTOCOLS));
    errs.push(...validateAppProtocol(port?.appProtocol, fieldPath(p, 'appProtocol')));
  });
  return errs;
}

/** Everything but metadata: addressType, endpoints, ports (and addressType immutability on update). */
export function validateEndpointSliceFields(obj: EndpointSliceObject, old?: EndpointSliceObject): FieldError[] {
  const errs: FieldError[] = [];
  const type = obj.addressType;
  if (!type) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));

  const endpoints = obj.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany('endpoints', endpoints.length, MAX_ENDPOINTS));
  else endpoints.forEach((ep, i) => errs.push(...validateEndpoint(ep, type, fieldPath('endpoints', i))));
  errs.push(...validatePorts(obj.ports ?? []));

  if (old && (obj.addressType ?? '') !== (old.addressType ?? '')) {
    errs.push(invalid('addressType', obj.addressType ?? '', 'field is immutable'));
  }
  return errs;
}
