// NodeName (pkg/scheduler/framework/plugins/nodename): a pod naming a node fits only that node.
// The scheduler only schedules pods without spec.nodeName, so this matters for callers that
// evaluate assigned pods (kept for fidelity with Kubernetes' filter list).

import type { FilterPlugin } from '../framework.js';
import { unresolvable } from '../framework.js';

export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

export const nodeName: FilterPlugin<{ name: string }> = {
  name: 'NodeName',
  preFilter(ctx) {
    const name: string | undefined = ctx.pod.spec?.nodeName;
    return name ? { state: { name } } : {};
  },
  filter(state, node) {
    return node.name === state.name ? undefined : unresolvable('NodeName', ERR_REASON_NODE_NAME);
  },
};
