// NodePorts (pkg/scheduler/framework/plugins/nodeports): a host port (protocol, port, IP) may be
// used by one pod per node; 0.0.0.0 conflicts with every address.

import type { FilterPlugin } from '../framework.js';
import { unschedulable } from '../framework.js';
import type { HostPort } from '../resources.js';

export const ERR_REASON_PORTS = "node(s) didn't have free ports for the requested pod ports";

export const nodePorts: FilterPlugin<{ ports: HostPort[] }> = {
  name: 'NodePorts',
  preFilter(ctx) {
    const ports = ctx.footprint.ports;
    return ports.length ? { state: { ports } } : {};
  },
  filter(state, node) {
    for (const p of state.ports) if (node.portConflicts(p)) return unschedulable('NodePorts', ERR_REASON_PORTS);
    return undefined;
  },
};
