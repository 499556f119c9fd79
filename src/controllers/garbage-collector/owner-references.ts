// Classifies a dependent's ownerReferences as kube's classifyReferences does: solid (the owner
// exists and is not deleting its dependents), waiting (it exists, with deletionTimestamp and the
// foregroundDeletion finalizer) or dangling (it does not exist). An owner is looked up at the
// reference's own coordinates: in the dependent's namespace when the owner's kind is namespaced,
// cluster-wide otherwise; an object of that name with another uid is no owner. Presence is taken
// from the graph when the owner is observed at exactly those coordinates (its deletion would bring
// the dependent back); absence is only ever concluded from a live GET, then remembered in the graph.
// The one event Kubernetes' collector records, OwnerRefInvalidNamespace, is recorded here.
// Deliberately absent: deciding what to do with the classification (garbage-collector.ts).

import type { KObject } from '../../api/resource.js';
import { isApiError } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { OwnerReference } from '../util/owners.js';
import type { ResourceMap } from './discovery.js';
import { FOREGROUND_FINALIZER, coordinates } from './graph.js';
import type { DependencyGraph, OwnerState } from './graph.js';

export interface Classification {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waiting: OwnerReference[];
}

/** A cluster-scoped object naming a namespaced owner: never resolvable, so never retried (as in kube). */
export class NamespacedOwnerOfClusterScopedObject extends Error {}

export class OwnerClassifier {
  constructor(
    private readonly client: Client,
    private readonly parts: { graph: DependencyGraph; resources: () => ResourceMap; events: EventRecorder; log?: (l: string) => void },
  ) {}

  async classify(dependent: KObject): Promise<Classification> {
    const out: Classification = { solid: [], dangling: [], waiting: [] };
    const refs: OwnerReference[] = dependent.metadata?.ownerReferences ?? [];
    const states = await Promise.all(refs.map((ref) => this.stateOf(ref, dependent)));
    refs.forEach((ref, i) => (states[i] === 'absent' ? out.dangling : states[i] === 'waiting' ? out.waiting : out.solid).push(ref));
    return out;
  }

  private async stateOf(ref: OwnerReference, dependent: KObject): Promise<OwnerState> {
    const mapping = this.parts.resources().forReference(ref.apiVersion ?? '', ref.kind ?? '');
    // Kubernetes retries an unknown kind for ever (a custom resource may appear); so does berth.
    if (!mapping) throw new Error(`no resource serves ${ref.apiVersion}, Kind=${ref.kind}`);
    const depNs = dependent.metadata?.namespace ?? '';
    if (mapping.ref.namespaced && !depNs) {
      this.reportInvalidNamespace(ref, dependent, { namespaced: true });
      throw new NamespacedOwnerOfClusterScopedObject('cluster-scoped objects cannot refer to namespaced owners');
    }
    const ns = mapping.ref.namespaced ? depNs : '';
    const coords = coordinates({ group: mapping.ref.group, kind: ref.kind, namespace: ns, name: ref.name });
    const known = this.parts.graph.ownerState(ref, coords);
    if (known) return known;
    let owner: KObject | undefined;
    try {
      owner = await this.client.get(mapping.ref, ns || undefined, ref.name);
    } catch (e) {
      if (!(isApiError(e) && e.code === 404)) throw e;
    }
    if (owner && owner.metadata?.uid === ref.uid) {
      const waiting = !!owner.metadata?.deletionTimestamp && (owner.metadata?.finalizers ?? []).includes(FOREGROUND_FINALIZER);
      return waiting ? 'waiting' : 'solid';
    }
    this.parts.graph.markAbsent(ref.uid, coords);
    this.reportInvalidNamespace(ref, dependent, { namespaced: mapping.ref.namespaced });
    return 'absent';
  }

  /** kube's reportInvalidNamespaceOwnerRef: the owner's uid is observed, in another namespace. */
  private reportInvalidNamespace(ref: OwnerReference, dependent: KObject, { namespaced }: { namespaced: boolean }): void {
    const ns = dependent.metadata?.namespace ?? '';
    const seenIn = this.parts.graph.observedNamespace(ref.uid);
    if (!namespaced || seenIn === undefined || seenIn === ns) return;
    const id = `[${ref.apiVersion}/${ref.kind}, namespace: ${ns}, name: ${ref.name}, uid: ${ref.uid}]`;
    this.parts.events.event(dependent, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef ${id} does not exist in namespace ${JSON.stringify(ns)}`);
  }
}
