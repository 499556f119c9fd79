// What a ReplicaSet has asked the API server for and its pod cache has not shown yet: the
// equivalent of pkg/controller's ControllerExpectations / UIDTrackingControllerExpectations.
// Creations are counted (the name of a generateName pod is unknown until the create returns, and
// the watch may deliver the pod first), deletions are tracked by pod key. Each observation of a new
// controlled pod lowers the creation count; each pod seen gone or terminating settles its
// deletion; a failed request is settled at once.
//
// Kubernetes skips the whole scaling step while any expectation is pending. berth instead counts
// the pods still in flight: the ReplicaSet controller treats pending creations as pods and pending
// deletions as gone, so it never double-creates or double-deletes, yet can start the next batch
// (or react to a new replica count) without waiting for the cache to catch up with the last one.
// Like Kubernetes, expectations expire after five minutes, so an observation that never comes (a
// watch gap) cannot wedge a ReplicaSet forever.

export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Pending {
  creates: number;
  deletes: Set<string>;
  /** When these expectations were last raised (ms). */
  at: number;
}

export class ReplicaSetExpectations {
  private readonly byKey = new Map<string, Pending>();

  constructor(private readonly now: () => number, private readonly ttlMs = EXPECTATIONS_TTL_MS) {}

  private live(key: string): Pending | undefined {
    const p = this.byKey.get(key);
    if (p && this.now() - p.at > this.ttlMs) {
      this.byKey.delete(key);
      return undefined;
    }
    return p;
  }

  private entry(key: string): Pending {
    let p = this.live(key);
    if (!p) this.byKey.set(key, (p = { creates: 0, deletes: new Set(), at: this.now() }));
    p.at = this.now();
    return p;
  }

  expectCreations(key: string, n: number): void {
    if (n > 0) this.entry(key).creates += n;
  }

  /** A new pod controlled by the ReplicaSet was observed, or one create failed. */
  creationObserved(key: string): void {
    const p = this.byKey.get(key);
    if (p && p.creates > 0) p.creates--;
    this.forgetIfSettled(key);
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    if (!podKeys.length) return;
    const p = this.entry(key);
    for (const k of podKeys) p.deletes.add(k);
  }

  /** The pod was observed gone or terminating, or its delete failed. */
  deletionObserved(key: string, podKey: string): void {
    this.byKey.get(key)?.deletes.delete(podKey);
    this.forgetIfSettled(key);
  }

  /** Creations asked for and not yet seen. */
  pendingCreates(key: string): number {
    return this.live(key)?.creates ?? 0;
  }

  /** Pods asked to be deleted and not yet seen terminating. */
  pendingDeletes(key: string): ReadonlySet<string> {
    return this.live(key)?.deletes ?? EMPTY;
  }

  /** SatisfiedExpectations: nothing pending (or what was pending expired). */
  satisfied(key: string): boolean {
    return this.pendingCreates(key) === 0 && this.pendingDeletes(key).size === 0;
  }

  delete(key: string): void {
    this.byKey.delete(key);
  }

  private forgetIfSettled(key: string): void {
    const p = this.byKey.get(key);
    if (p && p.creates === 0 && p.deletes.size === 0) this.byKey.delete(key);
  }
}

const EMPTY: ReadonlySet<string> = new Set();
