// The string forms of a metav1.LabelSelector: labels.Selector.String() (what Scale.status.selector
// and the Deployment SELECTOR column carry, e.g. `app=nginx,tier in (a,b)`) and
// metav1.FormatLabelSelector (the ReplicaSet column: `<none>` when empty, `<error>` when invalid),
// and the scale subresource the apps workloads share, whose status.selector is that string.
// Requirements are ordered by key and set values sorted, as Kubernetes prints them.
// Deliberately absent: parsing the string back (the apiserver's selector parser does that).

import type { ScaleSubresource } from '../resource.js';
import type { LabelSelector, SelectorRequirement } from '../validation/label-selector.js';
import { parseLabelSelector } from '../validation/label-selector.js';

function requirementString(r: SelectorRequirement): string {
  const values = r.values.length > 1 ? [...r.values].sort().join(',') : (r.values[0] ?? '');
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case '=':
      return `${r.key}=${values}`;
    case 'In':
      return `${r.key} in (${values})`;
    case 'NotIn':
      return `${r.key} notin (${values})`;
  }
}

/** labels.Selector.String() of LabelSelectorAsSelector(selector); null when the selector is invalid. */
export function labelSelectorString(selector: LabelSelector | null | undefined): string | null {
  const parsed = parseLabelSelector(selector);
  if (parsed.kind === 'error') return null;
  if (parsed.kind === 'nothing') return '';
  return parsed.requirements.map(requirementString).join(',');
}

/** The selector string for Scale.status.selector: `app=nginx`, `app in (a,b)`; empty when there is none. */
export function labelSelectorAsString(selector: LabelSelector | null | undefined): string {
  return labelSelectorString(selector) ?? '';
}

/** metav1.FormatLabelSelector: `<none>` for an empty selector, `<error>` for an invalid one. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  const s = labelSelectorString(selector);
  if (s === null) return '<error>';
  return s === '' ? '<none>' : s;
}

/** The scale subresource of Deployments, ReplicaSets and StatefulSets. */
export const workloadScale: ScaleSubresource = {
  specReplicasPath: 'spec.replicas',
  statusReplicasPath: 'status.replicas',
  selector: (obj) => labelSelectorAsString(obj.spec?.selector),
};
