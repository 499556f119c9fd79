// An index of pod keys by spec.nodeName (Kubernetes' "spec.nodeName" pod indexer), kept by a pod
// informer handler. It remembers each pod's node so a handler can tell a pod newly bound (or moved)
// from a pod that only changed its status.
// Deliberately absent: the pod objects themselves (read them from the informer).

import type { KObject } from '../../api/resource.js';

export class PodsByNode {
  private readonly nodeOf = new Map<string, string>();
  private readonly byNode = new Map<string, Set<string>>();

  /**
   * Records the pod under its node (or drops it when deleted or unbound). Returns the node it was
   * bound to before this change ('' when it was not known or not bound).
   */
  update(key: string, pod: KObject | undefined): string {
    const prev = this.nodeOf.get(key) ?? '';
    const next = (pod?.spec?.nodeName as string | undefined) ?? '';
    if (prev === next) return prev;
    if (prev) {
      const s = this.byNode.get(prev);
      s?.delete(key);
      if (s && s.size === 0) this.byNode.delete(prev);
      this.nodeOf.delete(key);
    }
    if (next) {
      this.nodeOf.set(key, next);
      let s = this.byNode.get(next);
      if (!s) this.byNode.set(next, (s = new Set()));
      s.add(key);
    }
    return prev;
  }

  /** Keys of the pods bound to a node, sorted. */
  podsOn(node: string): string[] {
    return [...(this.byNode.get(node) ?? [])].sort();
  }

  /** Names of the nodes that have pods bound to them. */
  nodes(): string[] {
    return [...this.byNode.keys()];
  }
}
