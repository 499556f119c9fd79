// Admission: DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds). On pod
// create and update (not on subresources), a pod without a toleration for
// node.kubernetes.io/not-ready:NoExecute gets {key: not-ready, operator: Exists, effect:
// NoExecute, tolerationSeconds: 300}, and likewise for node.kubernetes.io/unreachable. A
// toleration counts when its key is that key or empty and its effect is NoExecute or empty,
// whatever its operator, exactly as Kubernetes checks. So a pod on a failed node is evicted five
// minutes after the node controller taints it, unless it says otherwise. The seconds are options,
// as Kubernetes' --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds.
// Deliberately absent: any check of the pod's other tolerations (validation does that).

import type { AdmissionPlugin } from '../registry/resource-store.js';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

function tolerates(tolerations: any[], key: string): boolean {
  return tolerations.some((t) => (t?.key === key || !t?.key) && (t?.effect === 'NoExecute' || !t?.effect));
}

export function defaultTolerationSeconds(opts: { notReadySeconds?: number; unreachableSeconds?: number } = {}): AdmissionPlugin {
  const notReady = { key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: opts.notReadySeconds ?? 300 };
  const unreachable = { key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: opts.unreachableSeconds ?? 300 };
  return (ctx) => {
    const { def, obj } = ctx;
    if (ctx.operation === 'DELETE' || ctx.subresource !== '') return;
    if (def.group !== '' || def.plural !== 'pods') return;
    const spec = (obj.spec ??= {});
    const tolerations: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
    const add = [...(tolerates(tolerations, NOT_READY) ? [] : [{ ...notReady }]), ...(tolerates(tolerations, UNREACHABLE) ? [] : [{ ...unreachable }])];
    if (add.length) spec.tolerations = [...tolerations, ...add];
  };
}
