// VolumeZone (pkg/scheduler/framework/plugins/volumezone): the zone and region labels of the
// volumes bound to the pod's claims (a value may list several zones joined by "__") must include
// the node's; a node without any topology label is not constrained (single-zone clusters).
// Beta label keys on a volume match the GA keys on a node.

import type { FilterPlugin } from '../framework.js';
import { unresolvable } from '../framework.js';

export const ERR_REASON_ZONE_CONFLICT = 'node(s) had no available volume zone';

const TOPOLOGY_LABELS = [
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
];
const GA: Record<string, string> = {
  'failure-domain.beta.kubernetes.io/zone': 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region': 'topology.kubernetes.io/region',
};

interface Constraint {
  key: string;
  values: Set<string>;
}

export const volumeZone: FilterPlugin<{ constraints: Constraint[] }> = {
  name: 'VolumeZone',
  preFilter(ctx) {
    const ns = ctx.pod.metadata?.namespace ?? '';
    const constraints: Constraint[] = [];
    for (const v of ctx.pod.spec?.volumes ?? []) {
      const name: string | undefined = v?.persistentVolumeClaim?.claimName;
      if (!name) continue;
      const pvName: string | undefined = ctx.volumes.claim(ns, name)?.spec?.volumeName;
      const pv = pvName ? ctx.volumes.volume(pvName) : undefined;
      const labels: Record<string, string> = pv?.metadata?.labels ?? {};
      for (const key of TOPOLOGY_LABELS) {
        if (labels[key] !== undefined) constraints.push({ key, values: new Set(labels[key].split('__').map((s) => s.trim()).filter(Boolean)) });
      }
    }
    return constraints.length ? { state: { constraints } } : {};
  },
  filter(state, node) {
    const labels = node.labels;
    if (!TOPOLOGY_LABELS.some((k) => labels[k] !== undefined)) return undefined;
    for (const c of state.constraints) {
      const v = labels[c.key] ?? (GA[c.key] ? labels[GA[c.key]] : undefined);
      if (v === undefined || !c.values.has(v)) return unresolvable('VolumeZone', ERR_REASON_ZONE_CONFLICT);
    }
    return undefined;
  },
};
