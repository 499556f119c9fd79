// discovery.k8s.io/v1 EndpointSlice: the endpoints of a Service, written by the endpointslice
// controller (or by users for selector-less Services). Defaulting (SetDefaults_EndpointPort: name "",
// protocol TCP), the v1 strategy's handling of deprecatedTopology (writes through v1 are dropped;
// a node name kept there before is moved to nodeName), validation (endpoint-slice-validation.ts)
// metadata.generation as the strategy keeps it (1 on create; bumped when the endpoints, ports,
// address type or labels change) and the table NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE.
// Deliberately absent: the v1beta1 API.

import type { FieldError } from '../errors.js';
import type { ResourceDef, TableCell } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../validation/names.js';
import type { EndpointSliceObject } from './endpoint-slice-validation.js';
import { validateEndpointSliceFields } from './endpoint-slice-validation.js';

export type { EndpointSliceObject } from './endpoint-slice-validation.js';

const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const metaOpts = { namespaced: true, nameValidator: nameIsDNSSubdomain };

function defaultPorts(obj: EndpointSliceObject): void {
  for (const port of obj.ports ?? []) {
    if (!port || typeof port !== 'object') continue;
    if (port.name === undefined || port.name === null) port.name = '';
    if (port.protocol === undefined || port.protocol === null) port.protocol = 'TCP';
  }
}

/** Structural equality of decoded JSON (key order ignored). */
function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as any)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as any)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameJSON((a as any)[k], (b as any)[k]));
}

/**
 * dropTopologyOnV1: v1 clients cannot write deprecatedTopology. On update, when the endpoints
 * changed, a hostname label that named a node in the old slice becomes that endpoint's nodeName.
 */
function dropTopology(obj: EndpointSliceObject, old?: EndpointSliceObject): void {
  if (old && sameJSON(obj.endpoints ?? [], old.endpoints ?? [])) return;
  const previousNodes = new Set<string>();
  for (const ep of old?.endpoints ?? []) {
    const node = ep?.deprecatedTopology?.[HOSTNAME_LABEL];
    if (node) previousNodes.add(node);
  }
  for (const ep of obj.endpoints ?? []) {
    if (!ep || typeof ep !== 'object') continue;
    const node = ep.deprecatedTopology?.[HOSTNAME_LABEL];
    if ((ep.nodeName === undefined || ep.nodeName === null) && node && previousNodes.has(node) && isDNS1123Subdomain(node).length === 0) {
      ep.nodeName = node;
    }
    delete ep.deprecatedTopology;
  }
}

/** Up to three items joined with ",", then " + N more..."; "<unset>" when there are none. */
function listWithMore(items: string[]): string {
  const max = 3;
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.length ? items.join(',') : '<unset>';
}

/** formatDiscoveryPorts: the port number, else the name, else "*" (all ports). */
export function formatSlicePorts(ports: any[] | null | undefined): string {
  return listWithMore(
    (ports ?? []).map((p) => {
      if (p?.port !== undefined && p?.port !== null) return String(p.port);
      if (p?.name !== undefined && p?.name !== null) return String(p.name);
      return '*';
    }),
  );
}

/** formatDiscoveryEndpoints: every address of every endpoint, in order. */
export function formatSliceEndpoints(endpoints: any[] | null | undefined): string {
  return listWithMore((endpoints ?? []).flatMap((ep) => (ep?.addresses ?? []).map(String)));
}

export const endpointSliceResource: ResourceDef<EndpointSliceObject> = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  schemaName: 'io.k8s.api.discovery.v1.EndpointSlice',
  defaults: defaultPorts,
  generationWithoutSpec: 'labels-too',
  prepareForCreate: (obj) => dropTopology(obj),
  prepareForUpdate: (obj, old) => dropTopology(obj, old),
  validate: (obj): FieldError[] => [...validateObjectMeta(obj, metaOpts), ...validateEndpointSliceFields(obj)],
  validateUpdate: (obj, old): FieldError[] => [
    ...validateObjectMetaUpdate(obj, old, metaOpts),
    ...validateEndpointSliceFields(obj, old),
  ],
  printer: {
    columns: [
      NAME_COLUMN,
      column(
        'AddressType',
        'string',
        'addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.',
      ),
      column(
        'Ports',
        'string',
        'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
      ),
      column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.'),
      AGE_COLUMN,
    ],
    row: (obj, ctx): TableCell[] => [
      obj.metadata?.name ?? '',
      obj.addressType ?? '',
      formatSlicePorts(obj.ports),
      formatSliceEndpoints(obj.endpoints),
      ageCell(obj, ctx.now),
    ],
  },
};
