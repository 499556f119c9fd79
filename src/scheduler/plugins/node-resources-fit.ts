// NodeResourcesFit (pkg/scheduler/framework/plugins/noderesources, fitsRequest): the node's pod
// count, and its allocatable cpu, memory, ephemeral-storage and extended resources minus what the
// pods already there (and assumed there) request, must hold the pod. Every shortfall is a reason
// ("Too many pods", "Insufficient cpu", ...); the status is UnschedulableAndUnresolvable when the
// pod asks for more than the node has at all, since no preemption could make room.

import type { FilterPlugin, Status } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { Resources } from '../resources.js';

export const nodeResourcesFit: FilterPlugin<{ req: Resources }> = {
  name: 'NodeResourcesFit',
  preFilter(ctx) {
    return { state: { req: ctx.footprint.requests } };
  },
  filter(state, node) {
    return fitsRequest(state.req, node);
  },
};

export function fitsRequest(req: Resources, node: NodeInfo): Status | undefined {
  // The hot path of every decision: no closures, nothing allocated unless the pod does not fit.
  const alloc = node.allocatable;
  const used = node.requested;
  let reasons: string[] | undefined;
  let unresolvable = false;
  if (node.podCount + 1 > node.allowedPods) (reasons ??= []).push('Too many pods');
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
    (reasons ??= []).push('Insufficient cpu');
    if (req.milliCPU > alloc.milliCPU) unresolvable = true;
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
    (reasons ??= []).push('Insufficient memory');
    if (req.memory > alloc.memory) unresolvable = true;
  }
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    (reasons ??= []).push('Insufficient ephemeral-storage');
    if (req.ephemeralStorage > alloc.ephemeralStorage) unresolvable = true;
  }
  if (req.scalar.size) {
    for (const [name, want] of req.scalar) {
      const have = alloc.scalar.get(name) ?? 0;
      if (want > 0 && want > have - (used.scalar.get(name) ?? 0)) {
        (reasons ??= []).push(`Insufficient ${name}`);
        if (want > have) unresolvable = true;
      }
    }
  }
  if (!reasons) return undefined;
  return { code: unresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable', reasons, plugin: 'NodeResourcesFit' };
}
