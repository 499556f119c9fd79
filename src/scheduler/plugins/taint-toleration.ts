// TaintToleration (pkg/scheduler/framework/plugins/tainttoleration): a node's NoSchedule and
// NoExecute taints must all be tolerated (the first untolerated one is reported, as
// "node(s) had untolerated taint {key: value}"); for scoring, fewer untolerated
// PreferNoSchedule taints is better.

import type { FilterPlugin } from '../framework.js';
import { unresolvable } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import type { Taint, Toleration } from '../node-selector.js';
import { toleratesTaint, tolerationsTolerateTaint } from '../node-selector.js';

export const taintToleration: FilterPlugin<{ tolerations: Toleration[] }> = {
  name: 'TaintToleration',
  preFilter(ctx) {
    return { state: { tolerations: ctx.pod.spec?.tolerations ?? [] } };
  },
  filter(state, node) {
    for (const taint of (node.node?.spec?.taints ?? []) as Taint[]) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (tolerationsTolerateTaint(state.tolerations, taint)) continue;
      return unresolvable('TaintToleration', `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
    }
    return undefined;
  },
};

/** The tolerations that count for PreferNoSchedule taints (effect empty or PreferNoSchedule). */
export function preferNoScheduleTolerations(tolerations: Toleration[] | undefined): Toleration[] {
  return (tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

/** The raw score: untolerated PreferNoSchedule taints (lower is better). */
export function intolerablePreferNoScheduleTaints(prefer: Toleration[], node: NodeInfo): number {
  let n = 0;
  for (const taint of (node.node?.spec?.taints ?? []) as Taint[]) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    if (!prefer.some((t) => toleratesTaint(t, taint))) n++;
  }
  return n;
}
