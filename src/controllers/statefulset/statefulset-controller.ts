// The StatefulSet controller (kube-controller-manager's "statefulset-controller",
// pkg/controller/statefulset/stateful_set.go): informers and their handlers, the indexes that
// find a set's pods and revisions without scanning, the work queue, and the sync of one set:
// adopt/release ControllerRevisions and pods, work out the current and update revisions, run the
// update algorithm, write the status, truncate the history.
//
// Handlers only enqueue set keys (and keep indexes): a pod or revision wakes its controlling set
// (and its previous one when the controller changed); an orphan wakes the sets whose selector
// matches it; a claim wakes the set whose `<template>-<set>-<ordinal>` name it carries (Kubernetes
// does not watch claims; a pod waiting for a claim to finish deleting then resumes at once). The
// informers' resync re-enqueues everything periodically. The sync reads the caches through the
// controller's own recent writes (recent-writes.ts), so a sync right after another does not redo
// its writes. With minReadySeconds the set is requeued exactly when the next pod becomes available.
// Deliberately absent: deleting claims and dependents (the garbage collector follows the
// ownerReferences this controller sets) and the scale subresource (the API server serves it).

import type { KObject } from '../../api/resource.js';
import type { ParsedSelector } from '../../api/validation/label-selector.js';
import { parseLabelSelector, selectorMatches } from '../../api/validation/label-selector.js';
import type { Informer } from '../../client/informer.js';
import { CONTROLLER_REVISIONS, PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerDeps } from '../deps.js';
import { controllerOf } from '../util/owners.js';
import type { OwnerReference } from '../util/owners.js';
import { canAdoptOnce, claimObjects } from './controller-ref-manager.js';
import type { StatefulSet } from './pod-identity.js';
import { SET_KIND, claimTemplates, isMemberOf, minReadySecondsOf, parentAndOrdinal } from './pod-identity.js';
import { RecentWrites } from './recent-writes.js';
import { setRevisions, truncateHistory } from './revision-history.js';
import { nextAvailableInMs, writeStatus } from './set-status.js';
import { StatefulPodControl } from './stateful-pod-control.js';
import { updateStatefulSet } from './update-algorithm.js';

export const STATEFULSET_COMPONENT = 'statefulset-controller';

export interface StatefulSetControllerOptions {
  /** Sets synced at once (Kubernetes' --concurrent-statefulset-syncs, default 5). */
  workers?: number;
  /** Pod and claim writes in flight at once for one Parallel set. */
  concurrency?: number;
}

/** Keys of children by controller uid, and of orphans by namespace. */
class ChildIndex {
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly orphans = new Map<string, Set<string>>();
  private readonly owners = new Map<string, { ns: string; ref: OwnerReference | undefined }>();

  /** Records key's new state; returns its previous controller reference. */
  set(key: string, obj: KObject | undefined): OwnerReference | undefined {
    const prev = this.owners.get(key);
    if (prev) {
      const m = prev.ref ? this.byOwner : this.orphans;
      const k = prev.ref?.uid ?? prev.ns;
      m.get(k)?.delete(key);
      if (!m.get(k)?.size) m.delete(k);
    }
    if (!obj) this.owners.delete(key);
    else {
      const ns = obj.metadata?.namespace ?? '';
      const ref = controllerOf(obj);
      this.owners.set(key, { ns, ref });
      const m = ref ? this.byOwner : this.orphans;
      const k = ref?.uid ?? ns;
      let s = m.get(k);
      if (!s) m.set(k, (s = new Set()));
      s.add(key);
    }
    return prev?.ref;
  }

  candidates(set: StatefulSet): string[] {
    return [...(this.byOwner.get(set.metadata?.uid ?? '') ?? []), ...(this.orphans.get(set.metadata?.namespace ?? '') ?? [])];
  }

}

export class StatefulSetController {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly claims: Informer;
  private readonly revisions: Informer;
  private readonly queue: WorkQueue;
  private readonly podIndex = new ChildIndex();
  private readonly revisionIndex = new ChildIndex();
  /** namespace → set keys, and each set's parsed selector. */
  private readonly setsByNs = new Map<string, Set<string>>();
  private readonly selectors = new Map<string, ParsedSelector>();
  /** claim key → what about it concerns a set (uid, terminating, owners). */
  private readonly claimSignatures = new Map<string, string>();
  private readonly setWrites: RecentWrites;
  private readonly podWrites: RecentWrites;
  private readonly claimWrites: RecentWrites;
  private readonly revisionWrites: RecentWrites;
  private readonly control: StatefulPodControl;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: StatefulSetControllerOptions = {},
  ) {
    const inf = deps.informers;
    this.sets = inf.for(STATEFUL_SETS);
    this.pods = inf.for(PODS);
    this.claims = inf.for(PERSISTENT_VOLUME_CLAIMS);
    this.revisions = inf.for(CONTROLLER_REVISIONS);
    const now = () => deps.now().getTime();
    this.setWrites = new RecentWrites({ now });
    this.podWrites = new RecentWrites({ now });
    this.claimWrites = new RecentWrites({ now });
    this.revisionWrites = new RecentWrites({ now });
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: STATEFULSET_COMPONENT, log: deps.log, workers: opts.workers ?? 5 });
    this.control = new StatefulPodControl({
      client: deps.client,
      events: deps.events(STATEFULSET_COMPONENT),
      claim: (k) => this.claimWrites.view(k, this.claims.get(k)),
      podWrites: this.podWrites,
      claimWrites: this.claimWrites,
      log: deps.log,
    });
    this.sets.onChange((key, set) => this.setChanged(key, set));
    this.pods.onChange((key, pod) => this.childChanged(key, { index: this.podIndex, obj: pod }));
    this.revisions.onChange((key, rev) => this.childChanged(key, { index: this.revisionIndex, obj: rev }));
    this.claims.onChange((key, claim) => this.claimChanged(key, claim));
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.queue.stop();
  }

  private setChanged(key: string, set: KObject | undefined): void {
    const ns = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
    if (set) {
      let s = this.setsByNs.get(ns);
      if (!s) this.setsByNs.set(ns, (s = new Set()));
      s.add(key);
      this.selectors.set(key, parseLabelSelector(set.spec?.selector));
    } else {
      this.setsByNs.get(ns)?.delete(key);
      this.selectors.delete(key);
    }
    this.queue.add(key);
  }

  /** resolveControllerRef: the set a controller reference names, if it is that very set. */
  private resolve(ns: string, ref: OwnerReference | undefined): string | undefined {
    if (!ref || ref.kind !== SET_KIND || !ref.apiVersion?.startsWith('apps/')) return undefined;
    const key = `${ns}/${ref.name}`;
    return this.sets.get(key)?.metadata?.uid === ref.uid ? key : undefined;
  }

  /** Pods and revisions: wake the old and new controller, or the sets that could adopt an orphan. */
  private childChanged(key: string, change: { index: ChildIndex; obj: KObject | undefined }): void {
    const { index, obj } = change;
    const ns = key.slice(0, key.indexOf('/'));
    const prev = index.set(key, obj);
    const cur = obj ? controllerOf(obj) : undefined;
    if (prev && prev.uid !== cur?.uid) {
      const k = this.resolve(ns, prev);
      if (k) this.queue.add(k);
    }
    if (cur) {
      const k = this.resolve(ns, cur);
      if (k) this.queue.add(k);
      return;
    }
    if (!obj || obj.metadata?.deletionTimestamp) return;
    for (const setKey of this.setsByNs.get(ns) ?? []) {
      const sel = this.selectors.get(setKey);
      if (sel && selectorMatches(sel, obj.metadata?.labels)) this.queue.add(setKey);
    }
  }

  /**
   * A claim wakes the set its name belongs to (`<template>-<set>-<ordinal>`) when it appears, goes,
   * starts terminating or changes owners; binding and status updates do not concern the set.
   */
  private claimChanged(key: string, claim: KObject | undefined): void {
    const sig = claim ? `${claim.metadata?.uid}|${!!claim.metadata?.deletionTimestamp}|${JSON.stringify(claim.metadata?.ownerReferences ?? [])}` : undefined;
    if (sig === this.claimSignatures.get(key)) return;
    if (sig === undefined) this.claimSignatures.delete(key);
    else this.claimSignatures.set(key, sig);
    const ns = key.slice(0, key.indexOf('/'));
    const name = key.slice(key.indexOf('/') + 1);
    const { parent, ordinal } = parentAndOrdinal(name);
    if (ordinal < 0) return;
    for (const setKey of this.setsByNs.get(ns) ?? []) {
      const set = this.sets.get(setKey);
      if (!set) continue;
      if (claimTemplates(set).some((t) => `${t.metadata?.name}-${set.metadata?.name}` === parent)) this.queue.add(setKey);
    }
  }

  private views(informer: Informer, writes: RecentWrites, input: { set: StatefulSet; keys: string[] }): KObject[] {
    const ns = `${input.set.metadata?.namespace}/`;
    const keys = new Set(input.keys);
    for (const k of writes.keys()) if (k.startsWith(ns)) keys.add(k);
    const out: KObject[] = [];
    for (const k of keys) {
      const o = writes.view(k, informer.get(k));
      if (o) out.push(o);
    }
    return out;
  }

  /** sync: one StatefulSet from its key. */
  async reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    const cached = this.sets.get(key);
    if (!cached) return;
    const set = this.setWrites.view(key, cached)!;
    const selector = parseLabelSelector(set.spec?.selector);
    if (selector.kind !== 'requirements') {
      this.deps.log?.(`statefulset ${key} => not synced, selector: ${selector.kind === 'error' ? selector.message : 'none'}`);
      return;
    }
    const matches = (o: KObject) => selectorMatches(selector, o.metadata?.labels);
    const claimCtx = { client: this.deps.client, writes: this.revisionWrites, log: this.deps.log };
    const canAdopt = canAdoptOnce(this.deps.client, set);
    const revisions = await claimObjects(claimCtx, {
      set,
      resource: CONTROLLER_REVISIONS,
      objects: this.views(this.revisions, this.revisionWrites, { set, keys: this.revisionIndex.candidates(set) }),
      match: matches,
      canAdopt,
    });
    const pods = await claimObjects(
      { ...claimCtx, writes: this.podWrites },
      {
        set,
        resource: PODS,
        objects: this.views(this.pods, this.podWrites, { set, keys: this.podIndex.candidates(set) }),
        match: (p) => isMemberOf(set, p) && matches(p),
        canAdopt,
      },
    );
    return this.syncSet(set, { pods, revisions });
  }

  /** UpdateStatefulSet: revisions, the update algorithm, status, history. */
  private async syncSet(set: StatefulSet, input: { pods: KObject[]; revisions: KObject[] }): Promise<void | { requeueAfterMs: number }> {
    const history = { client: this.deps.client, writes: this.revisionWrites, log: this.deps.log };
    const revs = await setRevisions(history, { set, revisions: input.revisions });
    const now = this.deps.now();
    const result = await updateStatefulSet({ set, revisions: revs, pods: input.pods, now, control: this.control, concurrency: this.opts.concurrency });
    let statusError: unknown;
    try {
      await writeStatus({ client: this.deps.client, writes: this.setWrites, log: this.deps.log }, { set, status: result.status });
    } catch (e) {
      statusError = e;
    }
    await truncateHistory(history, { set, pods: input.pods, revisions: input.revisions, live: [revs.current, revs.update] });
    if (result.error) throw result.error;
    if (statusError) throw statusError;
    const wait = nextAvailableInMs(input.pods, { minReadySeconds: minReadySecondsOf(set), now });
    if (wait !== undefined) return { requeueAfterMs: wait + 5 };
  }
}
