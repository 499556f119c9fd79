// The garbage collector's dependency graph (kube's GraphBuilder and uidToNode): one node per uid,
// holding the object's observed identity, its ownerReferences and the nodes that name it as an
// owner. Owners that are referenced but not observed (not created yet, not watched, or already
// gone while dependents still name them) are "virtual" nodes; a virtual node lives exactly as long
// as something references it, and remembers the coordinates at which its absence was verified, so
// a thousand dependents of one deleted owner need no thousand lookups (kube's absentOwnerCache,
// without an LRU: the knowledge is dropped with the last dependent).
//
// observe() applies one informer event synchronously and answers with the uids the collector must
// look at; it does no I/O, so the graph always agrees with the informer caches it is fed from.
// Deliberately absent: kube's re-identification of virtual nodes from virtual delete events (a
// dependent's references are verified one by one at their own coordinates instead).

import type { KObject } from '../../api/resource.js';
import type { OwnerReference } from '../util/owners.js';
import type { KindResource } from './discovery.js';
import { splitApiVersion } from './discovery.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export interface ObservedIdentity {
  resource: KindResource;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  /** The informer key. */
  key: string;
}

export interface GraphNode {
  uid: string;
  /** Undefined for a virtual node. */
  identity: ObservedIdentity | undefined;
  owners: readonly OwnerReference[];
  dependents: Set<GraphNode>;
  beingDeleted: boolean;
  /** Being deleted with the foregroundDeletion finalizer. */
  deletingDependents: boolean;
  /** Being deleted with the orphan finalizer. */
  orphaning: boolean;
  /** Coordinates (`group/kind/namespace/name`) at which this uid was verified not to exist. */
  absent: Set<string>;
  /** When the collector last re-queued the dependents this node waits for (ms). */
  dependentsKickedAt?: number;
}

export type OwnerState = 'solid' | 'waiting' | 'absent';

/** `group/kind/namespace/name` of an object or of a reference resolved in a namespace. */
export function coordinates(c: { group: string; kind: string; namespace: string; name: string }): string {
  return `${c.group}/${c.kind}/${c.namespace}/${c.name}`;
}

const identityCoordinates = (id: ObservedIdentity): string =>
  coordinates({ group: id.resource.ref.group, kind: id.resource.kind, namespace: id.namespace, name: id.name });

const isBlocking = (r: OwnerReference | undefined): boolean => r?.blockOwnerDeletion === true;

/** Whether ref names the observed object, seen from a dependent in dependentNamespace. */
export function referenceMatches(ref: OwnerReference, id: ObservedIdentity, opts: { dependentNamespace: string }): boolean {
  return (
    splitApiVersion(ref.apiVersion ?? '').group === id.resource.ref.group &&
    ref.kind === id.resource.kind &&
    ref.name === id.name &&
    (id.namespace === '' || id.namespace === opts.dependentNamespace)
  );
}

export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();
  /** `<group>/<plural>|<informer key>` → uid, so a delete event (which carries no object) finds its node. */
  private readonly byKey = new Map<string, string>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Applies one informer event (the object at `key`, undefined once deleted); returns the uids to (re)consider. */
  observe(resource: KindResource, { key, obj }: { key: string; obj: KObject | undefined }): Set<string> {
    const out = new Set<string>();
    const k = `${resource.ref.group}/${resource.ref.plural}|${key}`;
    const prev = this.byKey.get(k);
    const uid = obj?.metadata?.uid;
    if (prev && prev !== uid) this.removeObserved(prev, out);
    if (!obj || !uid) {
      this.byKey.delete(k);
      return out;
    }
    this.byKey.set(k, uid);
    const meta = obj.metadata!;
    let n = this.nodes.get(uid);
    if (!n) this.nodes.set(uid, (n = this.newNode(uid)));
    const wasObserved = !!n.identity;
    const wasDeletingDependents = n.deletingDependents;
    n.identity = { resource, namespace: meta.namespace ?? '', name: meta.name ?? '', key };
    if (!wasObserved) {
      // Dependents that named this uid before it was seen: those naming it wrongly need a check.
      for (const d of n.dependents) {
        const ref = d.owners.find((r) => r.uid === uid);
        if (!ref || !referenceMatches(ref, n.identity, { dependentNamespace: d.identity?.namespace ?? '' })) out.add(d.uid);
      }
    }
    this.setOwners(n, Array.isArray(meta.ownerReferences) ? meta.ownerReferences : [], out);
    const finalizers: string[] = Array.isArray(meta.finalizers) ? meta.finalizers : [];
    n.beingDeleted = !!meta.deletionTimestamp;
    n.deletingDependents = n.beingDeleted && finalizers.includes(FOREGROUND_FINALIZER);
    n.orphaning = n.beingDeleted && finalizers.includes(ORPHAN_FINALIZER);
    if (n.deletingDependents) {
      out.add(uid);
      if (!wasDeletingDependents) for (const d of n.dependents) out.add(d.uid);
    } else n.dependentsKickedAt = undefined;
    if (n.orphaning) out.add(uid);
    return out;
  }

  /** Records that `uid` does not exist at the given coordinates (a live lookup said so). */
  markAbsent(uid: string, coords: string): void {
    this.nodes.get(uid)?.absent.add(coords);
  }

  /**
   * What the graph knows of an owner reference resolved at `coords`: solid or waiting when the
   * owner is observed there, absent when its absence is known, undefined when only the API server
   * can tell. An observed owner is trusted: if it is gone already, its delete event is on its way
   * and will bring the dependent back here.
   */
  ownerState(ref: OwnerReference, coords: string): OwnerState | undefined {
    const n = this.nodes.get(ref.uid);
    if (!n) return undefined;
    if (n.identity && identityCoordinates(n.identity) === coords) return n.deletingDependents ? 'waiting' : 'solid';
    return n.absent.has(coords) ? 'absent' : undefined;
  }

  /** The observed namespace of uid, when it is observed (for the OwnerRefInvalidNamespace event). */
  observedNamespace(uid: string): string | undefined {
    return this.nodes.get(uid)?.identity?.namespace;
  }

  /** Dependents whose reference to n has blockOwnerDeletion (kube's blockingDependents), n itself excepted. */
  blockingDependents(n: GraphNode): GraphNode[] {
    const out: GraphNode[] = [];
    for (const d of n.dependents) {
      if (d !== n && d.identity && isBlocking(d.owners.find((r) => r.uid === n.uid))) out.push(d);
    }
    return out;
  }

  /**
   * The dependents n must still wait for. A dependent that is itself deleting its dependents and
   * (through blocking references of objects all deleting theirs) waits for n is a cycle in which
   * everyone waits: n does not wait for it, so the cycle unwinds from n. Kubernetes breaks only the
   * cycles whose deletion starts at one object, by unblocking a reference; this also ends cycles
   * entered from several objects at once, and writes nothing.
   */
  waitingFor(n: GraphNode): GraphNode[] {
    return this.blockingDependents(n).filter((d) => !(d.deletingDependents && this.waitsOn(d, n)));
  }

  private waitsOn(start: GraphNode, target: GraphNode): boolean {
    const seen = new Set<GraphNode>([start]);
    const stack = [start];
    while (stack.length) {
      const x = stack.pop()!;
      for (const d of this.blockingDependents(x)) {
        if (d === target) return true;
        if (d.deletingDependents && !seen.has(d)) {
          seen.add(d);
          stack.push(d);
        }
      }
    }
    return false;
  }

  private newNode(uid: string): GraphNode {
    return { uid, identity: undefined, owners: [], dependents: new Set(), beingDeleted: false, deletingDependents: false, orphaning: false, absent: new Set() };
  }

  private setOwners(n: GraphNode, owners: readonly OwnerReference[], out: Set<string>): void {
    const before = new Map(n.owners.map((r) => [r.uid, r]));
    const after = new Map(owners.map((r) => [r.uid, r]));
    n.owners = owners;
    for (const [uid, old] of before) {
      const now = after.get(uid);
      const owner = this.nodes.get(uid);
      if (!owner) continue;
      // A reference that stops blocking may be what a foreground deletion waits for.
      if (isBlocking(old) && !isBlocking(now)) out.add(uid);
      if (!now) {
        owner.dependents.delete(n);
        this.dropIfUnused(owner);
      }
    }
    for (const [uid, ref] of after) {
      if (before.has(uid)) continue;
      let owner = this.nodes.get(uid);
      if (!owner) this.nodes.set(uid, (owner = this.newNode(uid)));
      owner.dependents.add(n);
      // Verify references to owners not observed (or observed elsewhere); a new dependent of an
      // owner deleting its dependents is deleted too, and an orphaning owner must release it.
      if (!owner.identity || !referenceMatches(ref, owner.identity, { dependentNamespace: n.identity?.namespace ?? '' }) || owner.deletingDependents) out.add(n.uid);
      if (owner.orphaning) out.add(uid);
    }
  }

  private removeObserved(uid: string, out: Set<string>): void {
    const n = this.nodes.get(uid);
    if (!n?.identity) return;
    for (const r of n.owners) {
      const owner = this.nodes.get(r.uid);
      if (!owner) continue;
      owner.dependents.delete(n);
      if (owner.deletingDependents) out.add(owner.uid);
      this.dropIfUnused(owner);
    }
    if (n.dependents.size) {
      // Still referenced: the node turns virtual, and remembers where it was verified gone.
      n.absent.add(identityCoordinates(n.identity));
      for (const d of n.dependents) out.add(d.uid);
    }
    n.identity = undefined;
    n.owners = [];
    n.beingDeleted = n.deletingDependents = n.orphaning = false;
    this.dropIfUnused(n);
  }

  private dropIfUnused(n: GraphNode): void {
    if (!n.identity && n.dependents.size === 0) this.nodes.delete(n.uid);
  }
}
