// The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas active pods matching
// each ReplicaSet's selector. Pods are `<rs>-<5 random safe characters>` (generateName `<rs>-`)
// with the template's labels, annotations, finalizers and spec and a controller reference; orphans
// that match are adopted (after a live check that the ReplicaSet still exists), controlled pods
// that stop matching are released (replicaset-claims.ts). Missing pods are created all at once,
// up to `burst` per sync (Kubernetes' burstReplicas, without its slow start; a generated name that
// happens to be taken is retried, as Kubernetes 1.32's API server does); surplus pods are deleted
// in ActivePods order (replicaset-ranking.ts). Expectations (replicaset-expectations.ts) count
// what is in flight, so a cache that has not yet seen our own creates never causes duplicates.
// The pod index (replicaset-pods.ts) keeps each ReplicaSet's claim and counts up to date as pods
// change, so a sync costs what changed, not the ReplicaSet's size. Status (replicaset-status.ts)
// is written on every change with observedGeneration, and the ReplicaSet is synced again when a
// ready pod will pass minReadySeconds.
// Events as Kubernetes words them: SuccessfulCreate "Created pod: <name>", SuccessfulDelete
// "Deleted pod: <name>", FailedCreate "Error creating: <error>", FailedDelete "Error deleting: <error>".
// Deliberately absent: ReplicationControllers (not served), and the pod terminatingReplicas
// counter of later Kubernetes versions.

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import { parseLabelSelector, selectorMatches } from '../api/validation/label-selector.js';
import type { EventRecorder } from '../client/events.js';
import { objectKey } from '../client/informer.js';
import type { Informer } from '../client/informer.js';
import { PODS, REPLICA_SETS } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from './deps.js';
import { claimObjects, forEachConcurrently } from './replicaset-claims.js';
import { ReplicaSetExpectations } from './replicaset-expectations.js';
import type { ClaimView } from './replicaset-pods.js';
import { ReplicaSetPods, countPods } from './replicaset-pods.js';
import { podsToDelete } from './replicaset-ranking.js';
import type { ReplicaSetStatus } from './replicaset-status.js';
import { calculateReplicaSetStatus, sameReplicaSetStatus } from './replicaset-status.js';
import type { OwnerReference } from './util/owners.js';
import { controllerOf, newControllerRef } from './util/owners.js';

export const REPLICASET_COMPONENT = 'replicaset-controller';
/** Kubernetes' burstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** Attempts at a generated pod name (27^5 names: a 10,000-pod ReplicaSet expects a few collisions). */
const GENERATE_NAME_ATTEMPTS = 8;

export interface ReplicaSetControllerOptions {
  workers?: number;
  /** Creates or deletes per sync, all sent concurrently (default 500). */
  burst?: number;
}

const clone = <T>(o: T): T => structuredClone(o);

/** What a sync claimed: the pods its view holds and those it has just adopted. */
interface Claim {
  view: ClaimView;
  adopted: KObject[];
}

/** GetPodFromTemplate: the pod a ReplicaSet creates (the API server picks the name). */
export function podFromTemplate(rs: KObject, ref: OwnerReference): KObject {
  const t = rs.spec?.template ?? {};
  const meta: Record<string, unknown> = { generateName: `${rs.metadata!.name}-`, namespace: rs.metadata!.namespace, ownerReferences: [ref] };
  if (t.metadata?.labels) meta.labels = { ...t.metadata.labels };
  if (t.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  if (t.metadata?.finalizers) meta.finalizers = [...t.metadata.finalizers];
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec: clone(t.spec ?? {}) };
}

export class ReplicaSetController {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  readonly expectations: ReplicaSetExpectations;
  private readonly burst: number;
  private readonly podIndex = new ReplicaSetPods();
  /** namespace → ReplicaSet keys, and ReplicaSet key → uid (to forget a deleted one's view). */
  private readonly setsByNs = new Map<string, Set<string>>();
  private readonly setUids = new Map<string, string>();

  constructor(
    private readonly deps: ControllerDeps,
    opts: ReplicaSetControllerOptions = {},
  ) {
    this.sets = deps.informers.for(REPLICA_SETS);
    this.pods = deps.informers.for(PODS);
    this.events = deps.events(REPLICASET_COMPONENT);
    this.burst = opts.burst ?? BURST_REPLICAS;
    this.expectations = new ReplicaSetExpectations(() => deps.now().getTime());
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: REPLICASET_COMPONENT, log: deps.log, workers: opts.workers ?? 8 });
    this.sets.onChange((key, rs) => {
      index(this.setsByNs, key.slice(0, key.indexOf('/')), key, !!rs);
      const uid = this.setUids.get(key);
      if (uid && uid !== rs?.metadata?.uid) this.podIndex.dropView(uid);
      if (rs) this.setUids.set(key, rs.metadata!.uid!);
      else {
        this.setUids.delete(key);
        this.expectations.delete(key);
      }
      this.queue.add(key);
    });
    this.pods.onChange((key, pod) => this.podChanged(key, pod));
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.queue.stop();
  }

  /** The key of the ReplicaSet a controller reference names, if it is the one in the cache. */
  private resolve(namespace: string, ref: OwnerReference | undefined): string | undefined {
    if (!ref || ref.kind !== 'ReplicaSet' || !String(ref.apiVersion).startsWith('apps/')) return undefined;
    const key = `${namespace}/${ref.name}`;
    return this.sets.get(key)?.metadata?.uid === ref.uid ? key : undefined;
  }

  private enqueueMatching(namespace: string, labels: Record<string, string> | undefined): void {
    for (const key of this.setsByNs.get(namespace) ?? []) {
      const rs = this.sets.get(key);
      if (rs && selectorMatches(parseLabelSelector(rs.spec?.selector), labels)) this.queue.add(key);
    }
  }

  /** addPod / updatePod / deletePod of the Kubernetes controller, from one (key, object) event. */
  private podChanged(key: string, pod: KObject | undefined): void {
    const ns = key.slice(0, key.indexOf('/'));
    const known = this.podIndex.get(key);
    const replaced = !!known && !!pod && known.uid !== pod.metadata?.uid;
    if (known && (!pod || replaced)) {
      this.podIndex.delete(key);
      const rsKey = this.resolve(ns, known.controller);
      if (rsKey) {
        this.expectations.deletionObserved(rsKey, key);
        this.queue.add(rsKey);
      }
    }
    if (!pod) return;
    const { prev, cur } = this.podIndex.set(key, pod);
    // A periodic resync hands over the same version again: nothing changed.
    if (prev && prev.rv === cur.rv) return;
    const rsKey = this.resolve(ns, cur.controller);
    if (!prev) {
      // A new pod: it settles one creation of its ReplicaSet, even if it is already terminating.
      if (rsKey) {
        this.expectations.creationObserved(rsKey);
        if (cur.deleting) this.expectations.deletionObserved(rsKey, key);
        this.queue.add(rsKey);
      } else if (!cur.controller) this.enqueueMatching(ns, cur.labels);
      return;
    }
    if (cur.deleting && rsKey) this.expectations.deletionObserved(rsKey, key);
    const controllerChanged = prev.controller?.uid !== cur.controller?.uid;
    if (controllerChanged) {
      const oldKey = this.resolve(ns, prev.controller);
      if (oldKey) this.queue.add(oldKey);
    }
    if (rsKey) this.queue.add(rsKey);
    else if (!cur.controller && (controllerChanged || JSON.stringify(prev.labels ?? {}) !== JSON.stringify(cur.labels ?? {}))) {
      this.enqueueMatching(ns, cur.labels);
    }
  }

  async reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    const rs = this.sets.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const selector = parseLabelSelector(rs.spec?.selector);
    if (selector.kind !== 'requirements') {
      this.deps.log?.(`SYNC replicaset ${key} => invalid selector, skipped`);
      return;
    }
    const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    const now = this.deps.now();
    const view = this.podIndex.view(rs, { selector, now });
    // ClaimPods: release the pods that stopped matching, adopt matching orphans. The pods already
    // claimed need no request and come from the view.
    const orphans = this.podIndex.orphans(rs.metadata!.namespace!).filter((i) => i.active);
    const adopted = await claimObjects(rs, [...view.unselected.values(), ...orphans].map((i) => i.pod), {
      client: this.deps.client,
      resource: PODS,
      ownerResource: REPLICA_SETS,
      ownerRef: ref,
      selector,
      log: this.deps.log,
    });
    const claim: Claim = { view, adopted };
    let manageError: Error | undefined;
    if (!rs.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(rs, claim, { key, ref });
      } catch (e) {
        manageError = e as Error;
      }
    }
    const extra = countPods(rs, adopted, now);
    const counts = { ...view.counts };
    for (const k of ['replicas', 'fullyLabeled', 'ready', 'available'] as const) counts[k] += extra[k];
    await this.updateStatus(rs, calculateReplicaSetStatus(rs, counts, { manageError, now }));
    if (manageError) throw manageError;
    const wait = view.nextAvailableMs;
    return wait === undefined ? undefined : { requeueAfterMs: wait + 10 };
  }

  private async updateStatus(rs: KObject, status: ReplicaSetStatus): Promise<void> {
    const generation = rs.metadata?.generation;
    if (sameReplicaSetStatus(rs.status, status) && (rs.status?.observedGeneration ?? 0) === (generation ?? 0)) return;
    if (generation) status.observedGeneration = generation;
    else delete status.observedGeneration;
    const { namespace, name } = rs.metadata!;
    try {
      await this.deps.client.writesOnly().update(REPLICA_SETS, { ...rs, status }, 'status');
    } catch (e) {
      if (isApiError(e) && e.code === 404) return;
      throw e;
    }
    this.deps.log?.(`UPDATE replicaset ${namespace}/${name} status, replicas=${status.replicas} ready=${status.readyReplicas ?? 0} => ok`);
  }

  /**
   * manageReplicas: pods still being created count as present, pods being deleted as gone, so the
   * difference is what nobody has asked for yet.
   */
  private async manageReplicas(rs: KObject, claim: Claim, ctx: { key: string; ref: OwnerReference }): Promise<void> {
    const { key } = ctx;
    const deleting = this.expectations.pendingDeletes(key);
    const isClaimed = (k: string) => claim.view.claimed.has(k) || claim.adopted.some((p) => objectKey(p) === k);
    let present = claim.view.counts.replicas + claim.adopted.length;
    for (const k of deleting) if (isClaimed(k)) present--;
    const creating = this.expectations.pendingCreates(key);
    const diff = present + creating - (rs.spec?.replicas ?? 0);
    if (diff < 0) await this.createPods(rs, Math.min(-diff, this.burst), ctx);
    // Pods still in flight may be the ones to go: delete only what is surplus even if they all land.
    else if (diff - creating > 0) {
      const pods = [...[...claim.view.claimed.values()].map((i) => i.pod), ...claim.adopted].filter((p) => !deleting.has(objectKey(p)));
      await this.deletePods(rs, pods, Math.min(diff - creating, this.burst), key);
    }
  }

  private async createPods(rs: KObject, n: number, ctx: { key: string; ref: OwnerReference }): Promise<void> {
    const { namespace, name } = rs.metadata!;
    if (!Object.keys(rs.spec?.template?.metadata?.labels ?? {}).length) throw new Error('unable to create pods, no labels');
    this.expectations.expectCreations(ctx.key, n);
    this.deps.log?.(`SYNC replicaset ${namespace}/${name}, too few replicas: need ${rs.spec?.replicas}, creating ${n}`);
    const pod = podFromTemplate(rs, ctx.ref);
    const errors = await forEachConcurrently(Array.from({ length: n }), { limit: n }, async () => {
      try {
        const created = await this.createWithGeneratedName(namespace!, pod);
        this.events.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
      } catch (e) {
        // The informer will never see this pod.
        this.expectations.creationObserved(ctx.key);
        if (namespaceTerminating(e)) return;
        this.events.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(e as Error).message}`);
        throw e;
      }
    });
    if (errors.length) throw errors[0];
  }

  /** A create whose generated name collided with an existing pod is tried again with a new one. */
  private async createWithGeneratedName(namespace: string, pod: KObject): Promise<KObject> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.client.create<KObject>(PODS, namespace, pod);
      } catch (e) {
        if (!(isApiError(e) && e.code === 409 && e.reason === 'AlreadyExists') || attempt >= GENERATE_NAME_ATTEMPTS) throw e;
      }
    }
  }

  private async deletePods(rs: KObject, pods: KObject[], n: number, key: string): Promise<void> {
    const { namespace, name } = rs.metadata!;
    const victims = podsToDelete(pods, n, { related: this.relatedPods(rs), now: this.deps.now() });
    this.expectations.expectDeletions(key, victims.map(objectKey));
    this.deps.log?.(`SYNC replicaset ${namespace}/${name}, too many replicas: need ${rs.spec?.replicas}, deleting ${victims.length}`);
    const errors = await forEachConcurrently(victims, { limit: victims.length }, async (pod) => {
      const podName = pod.metadata!.name!;
      try {
        await this.deps.client.delete(PODS, namespace, podName, { preconditions: { uid: pod.metadata?.uid } });
        this.events.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`);
      } catch (e) {
        this.expectations.deletionObserved(key, objectKey(pod));
        if (isApiError(e) && e.code === 404) return;
        this.events.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(e as Error).message}`);
        throw e;
      }
    });
    if (errors.length) throw errors[0];
  }

  /** getIndirectlyRelatedPods: the pods of every ReplicaSet with the same controller as rs. */
  private relatedPods(rs: KObject): KObject[] {
    const owner = controllerOf(rs)?.uid;
    if (!owner) return [];
    const out: KObject[] = [];
    for (const k of this.setsByNs.get(rs.metadata!.namespace!) ?? []) {
      const sibling = this.sets.get(k);
      if (sibling && controllerOf(sibling)?.uid === owner) for (const info of this.podIndex.ownedBy(sibling.metadata!.uid!)) out.push(info.pod);
    }
    return out;
  }
}

function namespaceTerminating(e: unknown): boolean {
  return isApiError(e) && (e.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

/** Adds key to, or removes it from, the set of `group`. */
function index(map: Map<string, Set<string>>, group: string, key: string, present: boolean): void {
  let s = map.get(group);
  if (present) {
    if (!s) map.set(group, (s = new Set()));
    s.add(key);
  } else if (s) {
    s.delete(key);
    if (!s.size) map.delete(group);
  }
}
