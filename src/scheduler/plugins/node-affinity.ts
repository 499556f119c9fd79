// NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity): spec.nodeSelector (every label
// equal) and the required node affinity (any term) must match the node. PreFilter narrows the
// candidates to the names of `metadata.name In` field requirements when every term has one (the
// DaemonSet case), so those pods do not scan the cluster. Scoring sums the weights of the
// preferred terms a node matches.

import type { FilterPlugin } from '../framework.js';
import { unresolvable } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import { matchNodeSelectorTerm, matchNodeSelectorTerms } from '../node-selector.js';

export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

interface State {
  selector: [string, string][];
  terms: any[] | undefined;
}

/** The node names a term pins the pod to, or undefined when the term allows any node. */
function termNodeNames(term: any): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const r of term?.matchFields ?? []) {
    if (r?.key !== 'metadata.name' || r.operator !== 'In') continue;
    const s = new Set<string>(r.values ?? []);
    names = names ? new Set([...names].filter((n) => s.has(n))) : s;
  }
  return names;
}

export const nodeAffinity: FilterPlugin<State> = {
  name: 'NodeAffinity',
  preFilter(ctx) {
    const spec = ctx.pod.spec ?? {};
    const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !spec.nodeSelector) return {};
    const state: State = { selector: Object.entries<string>(spec.nodeSelector ?? {}), terms: required ? (required.nodeSelectorTerms ?? []) : undefined };
    const terms: any[] = required?.nodeSelectorTerms ?? [];
    if (terms.length === 0) return { state };
    let nodeNames: Set<string> | undefined;
    for (const t of terms) {
      const names = termNodeNames(t);
      if (!names) return { state };
      nodeNames = new Set([...(nodeNames ?? []), ...names]);
    }
    if (nodeNames && nodeNames.size === 0) return { status: unresolvable('NodeAffinity', ERR_REASON_CONFLICT) };
    return { state, nodeNames };
  },
  filter(state, node) {
    const labels = node.labels;
    for (const [k, v] of state.selector) if (labels[k] !== v) return unresolvable('NodeAffinity', ERR_REASON_POD);
    if (state.terms && !matchNodeSelectorTerms(state.terms, { name: node.name, labels })) return unresolvable('NodeAffinity', ERR_REASON_POD);
    return undefined;
  },
};

/** The raw score: the summed weights of the preferred terms the node matches. */
export function preferredAffinityWeight(preferred: any[], node: NodeInfo): number {
  let sum = 0;
  for (const p of preferred) {
    if (!p?.weight) continue;
    if (matchNodeSelectorTerm(p.preference, { name: node.name, labels: node.labels })) sum += p.weight;
  }
  return sum;
}
