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

import type { KObject } from '../../api/resource.js';
import { ContainerConfigError, fieldRefValue, resourceFieldValue } from '../downward-api.js';
import { expand } from './expansion.js';

export interface ObjectLookup {
  configMap(ns: string, name: string): Promise<KObject | undefined>;
  secret(ns: string, name: string): Promise<KObject | undefined>;
}

export { ContainerConfigError };

export interface EnvContext {
  pod: KObject;
  container: any;
  /** The pod IP (the node IP for hostNetwork pods). */
  podIP: string;
  hostIP?: string;
  lookup?: ObjectLookup;
}

const VALID_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

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
