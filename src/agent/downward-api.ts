// The downward API's values (pkg/fieldpath and the kubelet's resource-field rules): a pod field
// (`metadata.name`, `metadata.labels['k']`, whole label/annotation maps as sorted `k="v"` lines,
// `spec.nodeName`, `status.podIP` ...) or a container's limit/request divided by a divisor,
// rounded up. Used for env valueFrom (the process runtime) and downwardAPI / projected volumes (the
// agent's volume setup), so both read the same way. A bad reference throws ContainerConfigError,
// which a container start reports as CreateContainerConfigError.

import { cpus, totalmem } from 'node:os';
import type { KObject } from '../api/resource.js';
import { parseQuantity, quantityValue } from '../api/quantity.js';

/** A container whose configuration cannot be built (the kubelet's CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

/** The label/annotation map entry of `metadata.labels['key']`. */
function subscript(path: string): { field: string; key: string } | undefined {
  const m = /^(metadata\.(?:labels|annotations))\[['"]?(.*?)['"]?\]$/.exec(path);
  return m ? { field: m[1], key: m[2] } : undefined;
}

/** `k="v"` lines sorted by key, as the downward API formats a whole label map. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

export function fieldRefValue(pod: KObject, o: { fieldPath: string; podIP: string; hostIP?: string }): string {
  const md = pod.metadata ?? {};
  const sub = subscript(o.fieldPath);
  if (sub) return String((sub.field === 'metadata.labels' ? md.labels : md.annotations)?.[sub.key] ?? '');
  switch (o.fieldPath) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? '';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'metadata.labels':
      return formatMap(md.labels);
    case 'metadata.annotations':
      return formatMap(md.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return o.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return o.hostIP ?? pod.status?.hostIP ?? '';
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${o.fieldPath}`);
  }
}

/** resourceFieldRef: the container's limit or request divided by the divisor, rounded up. */
export function resourceFieldValue(pod: KObject, o: { ref: any; container: any }): string {
  const name = o.ref.containerName || o.container.name;
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = all.find((x: any) => x.name === name) ?? o.container;
  const [kind, resource] = String(o.ref.resource).split(/\.(.*)/s);
  const res = c.resources ?? {};
  const capacity: Record<string, string> = { cpu: String(cpus().length), memory: String(totalmem()) };
  // An unset limit is the node's allocatable; an unset request is the limit (API defaulting).
  const raw = kind === 'limits' ? (res.limits?.[resource] ?? capacity[resource]) : (res.requests?.[resource] ?? res.limits?.[resource] ?? (resource === 'cpu' || resource === 'memory' ? '0' : undefined));
  if (raw === undefined) throw new ContainerConfigError(`unsupported container resource : ${o.ref.resource}`);
  const q = parseQuantity(String(raw));
  const d = parseQuantity(String(o.ref.divisor ?? '1'));
  if (!q || !d || d.unscaled === 0n) throw new ContainerConfigError(`invalid resource quantity for ${o.ref.resource}`);
  // Exact: (qu·10^qs) / (du·10^ds), rounded up.
  const shift = q.scale - d.scale;
  let num = q.unscaled;
  let den = d.unscaled;
  if (shift >= 0) num *= 10n ** BigInt(shift);
  else den *= 10n ** BigInt(-shift);
  const whole = num / den;
  const value = num % den === 0n ? whole : whole + (num > 0n ? 1n : 0n);
  return String(quantityValue({ unscaled: value, scale: 0, format: 'DecimalSI' }));
}

