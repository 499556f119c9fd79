// Node selection rules shared by the scheduler's plugins (and the volume node affinity checks):
// v1.NodeSelector terms (ORed; each term's label expressions and metadata.name field expressions
// ANDed; a term without requirements, or one that does not parse, matches nothing), the
// In/NotIn/Exists/DoesNotExist/Gt/Lt operators as k8s.io/apimachinery labels evaluates them, and
// v1.Toleration.ToleratesTaint. Pure.

export interface NodeRef {
  name: string;
  labels: Record<string, string>;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

const INTEGER = /^[+-]?\d+$/;

/** One label requirement; undefined when it cannot be evaluated (an invalid Gt/Lt value). */
function matchLabelRequirement(req: any, labels: Record<string, string>): boolean | undefined {
  const key: string = req?.key ?? '';
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  const values: string[] = Array.isArray(req?.values) ? req.values : [];
  switch (req?.operator) {
    case 'In':
      return has && values.includes(labels[key]);
    case 'NotIn':
      return !has || !values.includes(labels[key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !INTEGER.test(values[0])) return undefined;
      if (!has || !INTEGER.test(labels[key])) return false;
      const have = BigInt(labels[key]);
      const want = BigInt(values[0]);
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return undefined;
  }
}

function matchFieldRequirement(req: any, node: NodeRef): boolean | undefined {
  if (req?.key !== 'metadata.name') return undefined;
  const values: string[] = Array.isArray(req?.values) ? req.values : [];
  if (req.operator === 'In') return values.includes(node.name);
  if (req.operator === 'NotIn') return !values.includes(node.name);
  return undefined;
}

export function matchNodeSelectorTerm(term: any, node: NodeRef): boolean {
  const exprs: any[] = term?.matchExpressions ?? [];
  const fields: any[] = term?.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const e of exprs) if (matchLabelRequirement(e, node.labels) !== true) return false;
  for (const f of fields) if (matchFieldRequirement(f, node) !== true) return false;
  return true;
}

/** corev1.MatchNodeSelectorTerms: any term matches. */
export function matchNodeSelectorTerms(terms: any[] | undefined, node: NodeRef): boolean {
  for (const t of terms ?? []) if (matchNodeSelectorTerm(t, node)) return true;
  return false;
}

/** A PersistentVolume's required node affinity (none means every node). */
export function volumeNodeAffinityMatches(pv: any, node: NodeRef): boolean {
  const required = pv?.spec?.nodeAffinity?.required;
  if (!required) return true;
  return matchNodeSelectorTerms(required.nodeSelectorTerms, node);
}

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

export function tolerationsTolerateTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  for (const t of tolerations ?? []) if (toleratesTaint(t, taint)) return true;
  return false;
}
