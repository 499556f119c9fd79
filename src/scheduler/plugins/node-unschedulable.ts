// NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable): a cordoned node
// (spec.unschedulable) takes only pods tolerating node.kubernetes.io/unschedulable:NoSchedule.

import type { FilterPlugin } from '../framework.js';
import { unresolvable } from '../framework.js';
import { tolerationsTolerateTaint } from '../node-selector.js';

export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

export const nodeUnschedulable: FilterPlugin<{ tolerated: boolean }> = {
  name: 'NodeUnschedulable',
  preFilter(ctx) {
    return { state: { tolerated: tolerationsTolerateTaint(ctx.pod.spec?.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' }) } };
  },
  filter(state, node) {
    if (!node.node?.spec?.unschedulable || state.tolerated) return undefined;
    return unresolvable('NodeUnschedulable', ERR_REASON_UNSCHEDULABLE);
  },
};
