// InterPodAffinity's filter (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go): the
// pod's required affinity terms need, in the node's topology domain (the value of the term's
// topologyKey label), a pod matching the term, unless no pod anywhere matches and the pod matches
// its own terms (the first of a group); its required anti-affinity terms need none there; and no
// pod already placed may have a required anti-affinity term that the pod matches in that domain.
// A term selects pods by labelSelector (nil selects nothing) in its namespaces (the pod's own when
// neither namespaces nor namespaceSelector is given). Pods assumed by binding cycles in flight
// count, so two replicas decided in a row keep apart.
// Deliberately absent: preferred terms (scoring), and matchLabelKeys / mismatchLabelKeys, which
// kube-apiserver folds into labelSelector when the pod is created.

import type { ParsedSelector } from '../../api/validation/label-selector.js';
import { parseLabelSelector, selectorMatches } from '../../api/validation/label-selector.js';
import type { CycleContext, FilterPlugin } from '../framework.js';
import { unresolvable, unschedulable } from '../framework.js';
import type { NodeInfo } from '../node-info.js';

export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

interface Term {
  selector: ParsedSelector;
  namespaces: Set<string>;
  namespaceSelector: ParsedSelector | undefined;
  topologyKey: string;
}

interface State {
  affinity: Term[];
  anti: Term[];
  affinityCounts: Map<string, number>;
  antiCounts: Map<string, number>;
  existingAnti: Map<string, number>;
  matchesOwnAffinity: boolean;
}

const compiled = new WeakMap<object, Term>();

function compile(term: any, podNamespace: string): Term {
  const cached = compiled.get(term);
  if (cached) return cached;
  const namespaces = new Set<string>(term?.namespaces ?? []);
  const namespaceSelector = term?.namespaceSelector ? parseLabelSelector(term.namespaceSelector) : undefined;
  if (namespaces.size === 0 && !namespaceSelector) namespaces.add(podNamespace);
  const t: Term = { selector: parseLabelSelector(term?.labelSelector), namespaces, namespaceSelector, topologyKey: term?.topologyKey ?? '' };
  if (term && typeof term === 'object') compiled.set(term, t);
  return t;
}

/** AffinityTerm.Matches: the pod is in the term's namespaces and its labels match the selector. */
function matches(t: Term, pod: { namespace: string; labels: Record<string, string> }, opts: { ctx: CycleContext }): boolean {
  const inNamespace =
    t.namespaces.has(pod.namespace) || (!!t.namespaceSelector && selectorMatches(t.namespaceSelector, opts.ctx.namespaceLabels(pod.namespace) ?? {}));
  return inNamespace && selectorMatches(t.selector, pod.labels);
}

const pair = (key: string, value: string) => `${key}\0${value}`;

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

export const interPodAffinity: FilterPlugin<State> = {
  name: 'InterPodAffinity',
  preFilter(ctx) {
    const spec = ctx.pod.spec ?? {};
    const me = { namespace: ctx.footprint.namespace, labels: ctx.footprint.labels };
    const affinity = (spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => compile(t, me.namespace));
    const anti = (spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => compile(t, me.namespace));
    const existingAnti = new Map<string, number>();
    for (const p of ctx.cache.podsWithAntiAffinity()) {
      const labels = ctx.cache.node(p.node)?.labels;
      if (!labels) continue;
      for (const raw of p.footprint.antiAffinity ?? []) {
        const t = compile(raw, p.footprint.namespace);
        if (labels[t.topologyKey] !== undefined && matches(t, me, { ctx })) bump(existingAnti, pair(t.topologyKey, labels[t.topologyKey]));
      }
    }
    if (!affinity.length && !anti.length && existingAnti.size === 0) return {};
    const affinityCounts = new Map<string, number>();
    const antiCounts = new Map<string, number>();
    if (affinity.length || anti.length) {
      for (const [, p] of ctx.cache.placements()) {
        const labels = ctx.cache.node(p.node)?.labels;
        if (!labels) continue;
        const other = { namespace: p.footprint.namespace, labels: p.footprint.labels };
        for (const t of affinity) if (labels[t.topologyKey] !== undefined && matches(t, other, { ctx })) bump(affinityCounts, pair(t.topologyKey, labels[t.topologyKey]));
        for (const t of anti) if (labels[t.topologyKey] !== undefined && matches(t, other, { ctx })) bump(antiCounts, pair(t.topologyKey, labels[t.topologyKey]));
      }
    }
    const matchesOwnAffinity = affinity.every((t: Term) => matches(t, me, { ctx }));
    return { state: { affinity, anti, affinityCounts, antiCounts, existingAnti, matchesOwnAffinity } };
  },
  filter(state, node) {
    if (!satisfiesAffinity(state, node)) return unresolvable('InterPodAffinity', ERR_REASON_AFFINITY);
    for (const t of state.anti) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (state.antiCounts.get(pair(t.topologyKey, v)) ?? 0) > 0) return unschedulable('InterPodAffinity', ERR_REASON_ANTI_AFFINITY);
    }
    for (const [k, n] of state.existingAnti) {
      const [key, value] = k.split('\0');
      if (n > 0 && node.labels[key] === value) return unschedulable('InterPodAffinity', ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
    return undefined;
  },
};

function satisfiesAffinity(state: State, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of state.affinity) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if ((state.affinityCounts.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  return podsExist || (state.affinityCounts.size === 0 && state.matchesOwnAffinity);
}
