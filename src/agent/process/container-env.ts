// A container's environment as the kubelet computes it (pkg/kubelet/kubelet_pods.go
// makeEnvironmentVariables): envFrom sources first (configMapRef / secretRef with their prefix; keys
// that are not valid variable names are skipped), then env in order, each value `$(VAR)`-expanded
// from what is defined before it, or taken from valueFrom: fieldRef (the downward API fields),
// resourceFieldRef (limits/requests with a divisor, rounded up; an unset limit is the node's
// capacity), configMapKeyRef and secretKeyRef. A missing object or key of a non-optional reference
// fails with the kubelet's text (`configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`),
// which the runtime reports as CreateContainerConfigError. command and args are expanded from the
// final environment.
// Deliberately absent: the service environment variables (KUBERNETES_SERVICE_HOST and friends).

import { cpus, totalmem } from 'node:os';
import type { KObject } from '../../api/resource.js';
import { parseQuantity, quantityValue } from '../../api/quantity.js';
import { expand } from './expansion.js';

export interface ObjectLookup {
  configMap(ns: string, name: string): Promise<KObject | undefined>;
  secret(ns: string, name: string): Promise<KObject | undefined>;
}

/** A container whose configuration cannot be built (the kubelet's CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface EnvContext {
  pod: KObject;
  container: any;
  /** The pod IP (the node IP for hostNetwork pods). */
  podIP: string;
  hostIP?: string;
  lookup?: ObjectLookup;
}

const VALID_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

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

function decode(obj: KObject, o: { secret: boolean }): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries<string>(obj.data ?? {})) out.set(k, o.secret ? Buffer.from(v, 'base64').toString('utf8') : v);
  if (!o.secret) for (const [k, v] of Object.entries<string>(obj.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64').toString('utf8'));
  return out;
}

async function fetchObject(ctx: EnvContext, o: { secret: boolean; name: string; optional?: boolean }): Promise<Map<string, string> | undefined> {
  const ns = ctx.pod.metadata?.namespace ?? '';
  const kind = o.secret ? 'secret' : 'configmap';
  if (!ctx.lookup) throw new ContainerConfigError(`couldn't get ${kind} ${ns}/${o.name}, no kubeClient defined`);
  const obj = await (o.secret ? ctx.lookup.secret(ns, o.name) : ctx.lookup.configMap(ns, o.name));
  if (!obj) {
    if (o.optional) return undefined;
    throw new ContainerConfigError(`${kind} "${o.name}" not found`);
  }
  return decode(obj, o);
}

/** The container's environment, in definition order (a later definition of a name wins). */
export async function containerEnv(ctx: EnvContext): Promise<Map<string, string>> {
  const env = new Map<string, string>();
  const ns = ctx.pod.metadata?.namespace ?? '';
  for (const src of ctx.container.envFrom ?? []) {
    const ref = src.configMapRef ?? src.secretRef;
    if (!ref) continue;
    const data = await fetchObject(ctx, { secret: !!src.secretRef, name: ref.name, optional: ref.optional });
    for (const [k, v] of data ?? []) {
      const name = `${src.prefix ?? ''}${k}`;
      if (VALID_NAME.test(name)) env.set(name, v);
    }
  }
  for (const e of ctx.container.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      env.set(e.name, expand(e.value ?? '', env));
      continue;
    }
    if (vf.fieldRef) env.set(e.name, fieldRefValue(ctx.pod, { fieldPath: vf.fieldRef.fieldPath, podIP: ctx.podIP, hostIP: ctx.hostIP }));
    else if (vf.resourceFieldRef) env.set(e.name, resourceFieldValue(ctx.pod, { ref: vf.resourceFieldRef, container: ctx.container }));
    else if (vf.configMapKeyRef || vf.secretKeyRef) {
      const secret = !!vf.secretKeyRef;
      const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
      const data = await fetchObject(ctx, { secret, name: ref.name, optional: ref.optional });
      if (!data) continue;
      const value = data.get(ref.key);
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}`);
      }
      env.set(e.name, value);
    }
  }
  return env;
}

/** command/args with `$(VAR)` references expanded from the container's environment. */
export function expandAll(list: string[] | undefined, env: ReadonlyMap<string, string>): string[] | undefined {
  return list?.map((s) => expand(String(s), env));
}
