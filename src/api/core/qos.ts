// A pod's quality-of-service class as the apiserver computes it on create (pkg/apis/core/helper/qos
// ComputePodQOS): BestEffort without cpu/memory requests or limits, Guaranteed when every container
// limits both cpu and memory and the summed requests equal the summed limits, Burstable otherwise.
// Deliberately absent: pod-level resources (PodLevelResources feature).

import type { Quantity } from '../quantity.js';
import { compareQuantity, parseQuantity } from '../quantity.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = new Set(['cpu', 'memory']);

function add(a: Quantity | undefined, b: Quantity): Quantity {
  if (!a) return b;
  const scale = Math.min(a.scale, b.scale);
  const unscaled = a.unscaled * 10n ** BigInt(a.scale - scale) + b.unscaled * 10n ** BigInt(b.scale - scale);
  return { unscaled, scale, format: 'DecimalSI' };
}

/** Positive cpu/memory quantities of a resource list. */
function positive(list: Record<string, unknown> | undefined): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, raw] of Object.entries(list ?? {})) {
    if (!QOS_RESOURCES.has(name)) continue;
    const q = parseQuantity(typeof raw === 'number' ? raw : String(raw ?? '').trim());
    if (q && q.unscaled > 0n) out.set(name, q);
  }
  return out;
}

export function computePodQOS(pod: { spec?: any }): QOSClass {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const c of containers) {
    for (const [name, q] of positive(c?.resources?.requests)) requests.set(name, add(requests.get(name), q));
    const lim = positive(c?.resources?.limits);
    for (const [name, q] of lim) limits.set(name, add(limits.get(name), q));
    if (!lim.has('cpu') || !lim.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantity(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
