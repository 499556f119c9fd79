// The garbage collector (kube-controller-manager's garbagecollector): watches every resource that
// can carry ownerReferences, keeps the dependency graph (graph.ts) from those informers, and
// reconciles one object (by uid) at a time:
// - a live object with owners: when every owner is gone (dangling) it is deleted, Background by
//   default, honouring an orphan/foregroundDeletion finalizer it already carries; when some owners
//   exist, the references to the gone ones (and to owners deleting their dependents in the
//   foreground) are removed; when its owners are all gone or deleting their dependents and it has
//   dependents of its own, it is deleted in the Foreground, so deep trees go bottom-up;
// - an owner being deleted with the `orphan` finalizer: its references are removed from every
//   dependent, then the finalizer;
// - an owner being deleted with `foregroundDeletion`: its dependents are deleted, and once none
//   with blockOwnerDeletion is left (cycles excepted, see DependencyGraph.waitingFor) the finalizer
//   is removed, so the API server removes the owner.
// `GarbageCollector.create` reads discovery and registers the informers, so the wiring builds it
// before starting the shared informers; discovery is re-read every `discoveryRefreshMs` to watch
// resources that appear later. Deliberately absent: stopping the watch of a resource that
// disappears from discovery (its informer keeps retrying; berth serves no custom resources yet),
// kube's debug graph dump and its metrics.

import type { KObject } from '../../api/resource.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerDeps } from '../deps.js';
import type { ResourceMap } from './discovery.js';
import { discoverResources } from './discovery.js';
import { DependencyGraph, FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './graph.js';
import type { GraphNode } from './graph.js';
import { NamespacedOwnerOfClusterScopedObject, OwnerClassifier } from './owner-references.js';
import type { Propagation, Target, WriteResult } from './writes.js';
import { GcWrites } from './writes.js';

export const GARBAGE_COLLECTOR_COMPONENT = 'garbage-collector-controller';

export interface GarbageCollectorOptions {
  /** Concurrent reconciles (kube's --concurrent-gc-syncs, 20 there). Default 32. */
  workers?: number;
  /** How often discovery is re-read for new resources (kube: 30 s). 0 turns it off. */
  discoveryRefreshMs?: number;
}

/** How many dependents of one orphaning owner are patched at once. */
const ORPHAN_CONCURRENCY = 32;
/** While a newly watched resource has not listed, finalizers wait this long before another look. */
const UNSYNCED_RETRY_MS = 100;
/** How often a foreground-deleting owner re-queues the blocking dependents it waits for. */
const KICK_INTERVAL_MS = 1000;

export class GarbageCollector {
  private readonly graph = new DependencyGraph();
  private readonly queue: WorkQueue;
  private readonly classifier: OwnerClassifier;
  private readonly writes: GcWrites;
  private resources: ResourceMap | undefined;
  /** `group/plural` of every watched resource. */
  private readonly watched = new Set<string>();
  /** Informers registered after start that have not listed yet: the graph may miss dependents. */
  private unsynced = 0;
  private refresh: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: GarbageCollectorOptions = {},
  ) {
    this.queue = new WorkQueue((uid) => this.reconcile(uid), { name: 'garbage-collector', log: deps.log, workers: opts.workers ?? 32 });
    this.writes = new GcWrites(deps.client);
    this.classifier = new OwnerClassifier(deps.client, {
      graph: this.graph,
      resources: () => this.resources!,
      events: deps.events(GARBAGE_COLLECTOR_COMPONENT),
      log: deps.log,
    });
  }

  /** Reads discovery and registers an informer handler for every collectable resource. */
  static async create(deps: ControllerDeps, opts: GarbageCollectorOptions = {}): Promise<GarbageCollector> {
    const gc = new GarbageCollector(deps, opts);
    await gc.syncResources({ startInformers: false });
    return gc;
  }

  /** Runs the workers; built without create(), it first discovers and starts its informers. */
  async start(): Promise<void> {
    if (!this.resources) await this.syncResources({ startInformers: true });
    this.queue.run();
    const every = this.opts.discoveryRefreshMs ?? 30_000;
    if (every > 0) {
      this.refresh = setInterval(() => {
        this.syncResources({ startInformers: true }).catch((e) => this.deps.log?.(`garbage-collector discovery => error (${(e as Error).message})`));
      }, every);
      this.refresh.unref();
    }
  }

  stop(): void {
    if (this.refresh) clearInterval(this.refresh);
    this.queue.stop();
  }

  /** Watches every collectable resource discovery lists that is not watched yet. */
  async syncResources(opts: { startInformers: boolean }): Promise<void> {
    const map = await discoverResources(this.deps.client);
    this.resources = map;
    let added = 0;
    for (const r of map.watchable()) {
      const id = `${r.ref.group}/${r.ref.plural}`;
      if (this.watched.has(id)) continue;
      this.watched.add(id);
      this.deps.informers.for(r.ref).onChange((key, obj) => {
        for (const uid of this.graph.observe(r, { key, obj })) this.queue.add(uid);
      });
      added++;
    }
    if (!opts.startInformers || added === 0) return;
    this.unsynced++;
    try {
      await this.deps.informers.start();
    } finally {
      this.unsynced--;
    }
  }

  /** Reconciles the object with this uid (kube's attemptToDeleteItem and attemptToOrphan). */
  async reconcile(uid: string): Promise<void | { requeueAfterMs: number }> {
    const n = this.graph.get(uid);
    if (!n?.identity) return;
    const obj = this.deps.informers.for(n.identity.resource.ref).get(n.identity.key);
    if (!obj || obj.metadata?.uid !== uid) return;
    if (obj.metadata?.deletionTimestamp) return this.finalize(n, obj);
    if (!obj.metadata?.ownerReferences?.length) return;
    await this.collect(n, obj);
  }

  /** An object being deleted: only the propagation finalizers are the collector's business. */
  private async finalize(n: GraphNode, obj: KObject): Promise<void | { requeueAfterMs: number }> {
    const finalizers = obj.metadata?.finalizers ?? [];
    const orphan = finalizers.includes(ORPHAN_FINALIZER);
    if (!orphan && !finalizers.includes(FOREGROUND_FINALIZER)) return;
    if (this.unsynced > 0) return { requeueAfterMs: UNSYNCED_RETRY_MS };
    const target: Target = { resource: n.identity!.resource.ref, obj };
    const who = describe(n);
    if (orphan) {
      await this.orphanDependents(n);
      this.check(who, { res: await this.writes.removeFinalizer(target, ORPHAN_FINALIZER), verb: `REMOVE FINALIZER ${ORPHAN_FINALIZER}` });
      return;
    }
    const waiting = this.graph.waitingFor(n);
    if (waiting.length === 0) {
      this.check(who, { res: await this.writes.removeFinalizer(target, FOREGROUND_FINALIZER), verb: `REMOVE FINALIZER ${FOREGROUND_FINALIZER}` });
      return;
    }
    // Blocking dependents not on their way out yet are looked at again (kube re-enqueues them on
    // every pass; they were queued when the owner started waiting, so once a second is enough and
    // keeps a thousand-dependent owner from re-queueing a thousand dependents per removal).
    const now = this.deps.now().getTime();
    if (n.dependentsKickedAt === undefined || now - n.dependentsKickedAt >= KICK_INTERVAL_MS) {
      n.dependentsKickedAt = now;
      for (const d of waiting) if (!d.beingDeleted) this.queue.add(d.uid);
      this.deps.log?.(`garbage-collector WAIT ${who} => ${waiting.length} blocking dependents left`);
    }
  }

  /** A live object with owners: delete it, or drop its references to gone owners, or keep it. */
  private async collect(n: GraphNode, obj: KObject): Promise<void> {
    let c;
    try {
      c = await this.classifier.classify(obj);
    } catch (e) {
      if (!(e instanceof NamespacedOwnerOfClusterScopedObject)) throw e;
      this.deps.log?.(`garbage-collector SKIP ${describe(n)} => ${e.message}`);
      return;
    }
    const target: Target = { resource: n.identity!.resource.ref, obj };
    const who = describe(n);
    if (c.solid.length) {
      if (!c.dangling.length && !c.waiting.length) return;
      // References to owners deleting their dependents go too, or those owners would wait for ever.
      const uids = new Set([...c.dangling, ...c.waiting].map((r) => r.uid));
      const res = await this.writes.removeOwnerReferences(target, uids);
      this.check(who, { res, verb: 'REMOVE OWNERREFERENCES', args: [...uids].join(',') });
      return;
    }
    const finalizers = obj.metadata?.finalizers ?? [];
    let propagation: Propagation = 'Background';
    if (c.waiting.length && n.dependents.size) propagation = 'Foreground';
    else if (finalizers.includes(ORPHAN_FINALIZER)) propagation = 'Orphan';
    else if (finalizers.includes(FOREGROUND_FINALIZER)) propagation = 'Foreground';
    this.check(who, { res: await this.writes.deleteDependent(target, { propagation }), verb: 'DELETE', args: `propagationPolicy=${propagation}` });
  }

  private async orphanDependents(owner: GraphNode): Promise<void> {
    const who = describe(owner);
    // Snapshots: the graph changes while the patches are in flight.
    const dependents = [...owner.dependents].flatMap((d) => (d.identity ? [{ uid: d.uid, id: d.identity, who: describe(d) }] : []));
    const failures: string[] = [];
    const uids = new Set([owner.uid]);
    await forEachLimited(
      dependents,
      async (d) => {
        const obj = this.deps.informers.for(d.id.resource.ref).get(d.id.key);
        if (!obj || obj.metadata?.uid !== d.uid) return;
        try {
          const res = await this.writes.removeOwnerReferences({ resource: d.id.resource.ref, obj }, uids);
          if (res === 'changed') failures.push(`${d.who}: kept changing`);
        } catch (e) {
          failures.push(`${d.who}: ${(e as Error).message}`);
        }
      },
      { limit: ORPHAN_CONCURRENCY },
    );
    if (failures.length) throw new Error(`orphaning the dependents of ${who} failed: ${failures.join('; ')}`);
    this.deps.log?.(`garbage-collector ORPHAN ${who} => ${dependents.length} dependents released`);
  }

  /** Logs a write; one that lost every race to concurrent changes is retried with back-off. */
  private check(who: string, w: { res: WriteResult; verb: string; args?: string }): void {
    this.deps.log?.(`garbage-collector ${w.verb} ${who}${w.args ? `, ${w.args}` : ''} => ${w.res}`);
    if (w.res === 'changed') throw new Error(`${who} changed while the collector wrote it`);
  }
}

function describe(n: GraphNode): string {
  const id = n.identity;
  if (!id) return n.uid;
  return `${id.resource.ref.plural} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
}

async function forEachLimited<T>(items: T[], fn: (item: T) => Promise<void>, opts: { limit: number }): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(opts.limit, items.length) }, worker));
}
