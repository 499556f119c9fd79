// One scheduling decision for one pod (kube-scheduler's schedulePod: findNodesThatFitPod, then
// prioritizeNodes and selectHost), synchronous and free of I/O: run every filter plugin's
// PreFilter, then the Filters node by node, starting where the previous decision stopped and
// stopping once enough feasible nodes are found (Kubernetes' adaptive percentageOfNodesToScore:
// all nodes below 100, at least 100, 50% minus 1% per 125 nodes, at least 5%), then score those.
// An unschedulable pod gets the Diagnosis its FailedScheduling message is built from.

import type { CycleContext, FilterPlugin, Status } from './framework.js';
import { PluginError, unresolvable } from './framework.js';
import type { Diagnosis } from './fit-error.js';
import type { NodeInfo } from './node-info.js';
import { interPodAffinity } from './plugins/inter-pod-affinity.js';
import { nodeAffinity } from './plugins/node-affinity.js';
import { nodeName } from './plugins/node-name.js';
import { nodePorts } from './plugins/node-ports.js';
import { nodeResourcesFit } from './plugins/node-resources-fit.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { taintToleration } from './plugins/taint-toleration.js';
import { volumeBinding } from './plugins/volume-binding.js';
import { volumeRestrictions } from './plugins/volume-restrictions.js';
import { volumeZone } from './plugins/volume-zone.js';
import { scoreNodes, selectHost } from './scoring.js';

/** The default filter plugins, in kube-scheduler's order (the first rejection names the reason). */
export const FILTER_PLUGINS: readonly FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  volumeRestrictions,
  volumeBinding,
  volumeZone,
  interPodAffinity,
];

export type Decision =
  | { kind: 'fit'; node: NodeInfo; states: Map<string, unknown>; evaluated: number }
  | { kind: 'unschedulable'; diagnosis: Diagnosis }
  | { kind: 'error'; message: string };

/** numFeasibleNodesToFind with the default percentageOfNodesToScore. */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < 100) return numAllNodes;
  const percentage = Math.max(5, 50 - Math.trunc(numAllNodes / 125));
  return Math.max(100, Math.trunc((numAllNodes * percentage) / 100));
}

interface Active {
  plugin: FilterPlugin;
  state: unknown;
}

export class Algorithm {
  private nextStart = 0;

  constructor(private readonly plugins: readonly FilterPlugin[] = FILTER_PLUGINS) {}

  schedule(ctx: CycleContext): Decision {
    try {
      return this.run(ctx);
    } catch (e) {
      if (e instanceof PluginError) return { kind: 'error', message: e.message };
      throw e;
    }
  }

  private run(ctx: CycleContext): Decision {
    const all = ctx.cache.nodes();
    const numAllNodes = all.length;
    if (numAllNodes === 0) return { kind: 'unschedulable', diagnosis: { numAllNodes, nodeStatuses: new Map() } };
    const states = new Map<string, unknown>();
    const active: Active[] = [];
    let narrowed: Set<string> | undefined;
    const withNodes: string[] = [];
    let rejection: Status | undefined;
    for (const plugin of this.plugins) {
      let out;
      try {
        out = plugin.preFilter(ctx);
      } catch (e) {
        if (e instanceof PluginError) throw new PluginError(`running PreFilter plugin "${plugin.name}": ${e.message}`);
        throw e;
      }
      if (out.status) {
        if (out.status.code === 'UnschedulableAndUnresolvable') return this.rejected(numAllNodes, out.status);
        rejection ??= out.status;
        continue;
      }
      if (out.state !== undefined) {
        states.set(plugin.name, out.state);
        active.push({ plugin, state: out.state });
      }
      if (out.nodeNames) {
        withNodes.push(plugin.name);
        narrowed = narrowed ? new Set([...narrowed].filter((n) => out.nodeNames!.has(n))) : new Set(out.nodeNames);
        if (narrowed.size === 0) {
          const msg = withNodes.length === 1 ? `node(s) didn't satisfy plugin ${withNodes[0]}` : `node(s) didn't satisfy plugin(s) [${withNodes.join(' ')}] simultaneously`;
          return this.rejected(numAllNodes, unresolvable(withNodes[0], msg));
        }
      }
    }
    if (rejection) return this.rejected(numAllNodes, rejection);

    let candidates: readonly NodeInfo[] = all;
    let absent: Status | undefined;
    if (narrowed) {
      candidates = [...narrowed].map((n) => ctx.cache.node(n)).filter((n): n is NodeInfo => !!n);
      absent = unresolvable(withNodes[0], `node(s) didn't satisfy plugin(s) [${[...withNodes].sort().join(' ')}]`);
    }
    const nodeStatuses = new Map<string, Status>();
    const feasible: NodeInfo[] = [];
    const want = numFeasibleNodesToFind(candidates.length);
    const n = candidates.length;
    const start = n ? this.nextStart % n : 0;
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = candidates[(start + i) % n];
      processed++;
      const status = this.filter(active, node);
      if (status) nodeStatuses.set(node.name, status);
      else feasible.push(node);
    }
    if (numAllNodes) this.nextStart = (this.nextStart + processed) % numAllNodes;
    if (feasible.length === 0) return { kind: 'unschedulable', diagnosis: { numAllNodes, nodeStatuses, absent } };
    if (feasible.length === 1) return { kind: 'fit', node: feasible[0], states, evaluated: processed };
    const scores = scoreNodes(ctx, feasible);
    return { kind: 'fit', node: selectHost(feasible, scores), states, evaluated: processed };
  }

  private filter(active: Active[], node: NodeInfo): Status | undefined {
    for (const { plugin, state } of active) {
      let s: Status | undefined;
      try {
        s = plugin.filter(state, node);
      } catch (e) {
        if (e instanceof PluginError) throw new PluginError(`running "${plugin.name}" filter plugin: ${e.message}`);
        throw e;
      }
      if (s) return s;
    }
    return undefined;
  }

  private rejected(numAllNodes: number, status: Status): Decision {
    return { kind: 'unschedulable', diagnosis: { numAllNodes, nodeStatuses: new Map(), absent: status, preFilterMsg: status.reasons.join(', ') } };
  }
}
