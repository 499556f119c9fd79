// SetDefaults_ResourceList for storage quantities: every valid quantity is rounded up to whole
// milli-units and rewritten in Kubernetes' canonical form (`1024Mi` → `1Gi`), as the apiserver
// stores it. Invalid values are left alone for validation to report.
// Deliberately absent: container resources (the pod-spec defaulting owns those).

import type { Quantity } from '../quantity.js';
import { formatQuantity, parseQuantity } from '../quantity.js';

function roundUpToMilli(q: Quantity): Quantity {
  if (q.scale >= -3) return q;
  const div = 10n ** BigInt(-3 - q.scale);
  const mag = q.unscaled < 0n ? -q.unscaled : q.unscaled;
  const rounded = mag % div === 0n ? mag / div : mag / div + 1n;
  return { unscaled: q.unscaled < 0n ? -rounded : rounded, scale: -3, format: q.format };
}

/** Rewrites each quantity of a resource list in place (no-op for a missing list). */
export function defaultResourceList(list: Record<string, unknown> | undefined): void {
  if (!list || typeof list !== 'object') return;
  for (const [k, v] of Object.entries(list)) {
    const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null;
    if (q) list[k] = formatQuantity(roundUpToMilli(q));
  }
}
