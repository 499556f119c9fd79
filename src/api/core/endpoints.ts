// core/v1 Endpoints: defaulting (port protocol TCP), ValidateEndpoints (subsets need addresses,
// addresses are valid, non-special IPs, named ports when there are several) and the ENDPOINTS table
// cell (`10.0.0.1:80,10.0.0.2:80 + 1 more...`).
// Deliberately absent: RepackSubsets canonicalisation and the endpoints controller.

import type { FieldError } from '../errors.js';
import { invalid, required } from '../errors.js';
import type { KObject, Printer, ResourceDef } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import {
  parseIPFamily,
  validateAppProtocol,
  validateCoreObjectMeta,
  validateCoreObjectMetaUpdate,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateIP,
  validatePortNum,
  validateProtocol,
} from './field-validators.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };

/** ValidateNonSpecialIP: no unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(ip: string, path: string): FieldError[] {
  const family = parseIPFamily(ip);
  if (!family) return [invalid(path, ip, 'must be a valid IP address')];
  const lower = ip.toLowerCase();
  const octets = family === 4 ? ip.split('.').map(Number) : [];
  const errs: FieldError[] = [];
  if (family === 4 ? octets.every((o) => o === 0) : /^[0:]+$/.test(lower)) errs.push(invalid(path, ip, `may not be unspecified (${ip})`));
  if (family === 4 ? octets[0] === 127 : /^[0:]+:0*1$/.test(lower)) errs.push(invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (family === 4 ? octets[0] === 169 && octets[1] === 254 : /^fe[89ab]/.test(lower)) {
    errs.push(invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  }
  if (family === 4 ? octets[0] === 224 && octets[1] === 0 && octets[2] === 0 : /^ff02:/.test(lower)) {
    errs.push(invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

function validateAddress(addr: any, path: string): FieldError[] {
  const errs = validateIP(addr?.ip ?? '', `${path}.ip`);
  if (addr?.hostname) errs.push(...validateDNS1123Label(addr.hostname, `${path}.hostname`));
  if (addr?.nodeName !== undefined && addr?.nodeName !== null) errs.push(...validateDNS1123Subdomain(addr.nodeName, `${path}.nodeName`));
  errs.push(...validateNonSpecialIP(addr?.ip ?? '', `${path}.ip`));
  return errs;
}

function validatePort(port: any, path: string, opts: { requireName: boolean }): FieldError[] {
  const { requireName } = opts;
  const errs: FieldError[] = [];
  if (requireName && !port?.name) errs.push(required(`${path}.name`));
  else if (port?.name) errs.push(...validateDNS1123Label(port.name, `${path}.name`));
  errs.push(...validatePortNum(port?.port, `${path}.port`));
  errs.push(...validateProtocol(port?.protocol, `${path}.protocol`));
  errs.push(...validateAppProtocol(port?.appProtocol, `${path}.appProtocol`));
  return errs;
}

function validateSubsets(ep: KObject): FieldError[] {
  const errs: FieldError[] = [];
  (ep.subsets ?? []).forEach((ss: any, i: number) => {
    const p = `subsets[${i}]`;
    if (!ss?.addresses?.length && !ss?.notReadyAddresses?.length) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    (ss?.addresses ?? []).forEach((a: any, j: number) => errs.push(...validateAddress(a, `${p}.addresses[${j}]`)));
    (ss?.notReadyAddresses ?? []).forEach((a: any, j: number) => errs.push(...validateAddress(a, `${p}.notReadyAddresses[${j}]`)));
    const ports: any[] = ss?.ports ?? [];
    ports.forEach((port, j) => errs.push(...validatePort(port, `${p}.ports[${j}]`, { requireName: ports.length > 1 })));
  });
  return errs;
}

const joinHostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** formatEndpoints: up to three ip:port entries, then `+ N more...`; <none> without subsets. */
export function formatEndpoints(ep: KObject): string {
  const subsets: any[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addresses: any[] = ss?.addresses ?? [];
    const ports: any[] = ss?.ports ?? [];
    const entries = ports.length === 0 ? addresses.map((a) => a?.ip) : ports.flatMap((p) => addresses.map((a) => joinHostPort(a?.ip, p?.port)));
    count += entries.length;
    for (const e of entries) if (list.length < max) list.push(e);
  }
  const joined = list.join(',');
  return count > max ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Endpoints',
      'string',
      'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
    ),
    AGE_COLUMN,
  ],
  row: (ep, ctx) => [ep.metadata?.name ?? '', formatEndpoints(ep), ageCell(ep, ctx.now)],
};

export const endpointsResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  schemaName: 'io.k8s.api.core.v1.Endpoints',

  defaults(ep) {
    for (const ss of ep.subsets ?? []) for (const p of ss?.ports ?? []) if (p && !p.protocol) p.protocol = 'TCP';
  },

  validate: (ep) => [...validateCoreObjectMeta(ep, META), ...validateSubsets(ep)],
  validateUpdate: (ep, old) => [...validateCoreObjectMetaUpdate(ep, old, META), ...validateSubsets(ep)],

  printer: endpointsPrinter,
};
