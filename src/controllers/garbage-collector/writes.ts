// The garbage collector's three writes, each a compare-and-swap that never loses a concurrent
// change: deleting a dependent (preconditions on uid and resourceVersion; on a conflict, retried
// with the uid alone when the live object's ownerReferences are still the ones the decision was
// made on, as kube's deleteObject does), removing owner references from a dependent, and removing
// a propagation finalizer from an owner (JSON patches that `test` the object's uid and the exact
// list they rewrite, so a list changed by someone else makes the patch fail instead of clobbering
// it; the write is then recomputed from the live object).
// Deliberately absent: what to write and when (garbage-collector.ts decides).

import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../../api/resource.js';
import { isApiError } from '../../api/errors.js';
import type { Client, ResourceRef } from '../../client/client.js';
import type { OwnerReference } from '../util/owners.js';

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

/** What a write answered: done, the object is gone, or it kept changing under the write. */
export type WriteResult = 'done' | 'gone' | 'changed';

/** An object to write, as the collector last saw it, and the resource that serves it. */
export interface Target {
  resource: ResourceRef;
  obj: KObject;
}

interface ListRewrite<T> {
  path: string;
  read(obj: KObject): T[] | undefined;
  rewrite(list: T[]): T[];
}

const ATTEMPTS = 5;

const notFound = (e: unknown): boolean => isApiError(e) && e.code === 404;
/** A failed `test` is 422, a failed precondition 409. */
const lostRace = (e: unknown): boolean => isApiError(e) && (e.code === 409 || e.code === 422);

const nsOf = (t: Target): string | undefined => (t.resource.namespaced ? t.obj.metadata?.namespace : undefined);

export class GcWrites {
  constructor(private readonly client: Client) {}

  /** Deletes the object unless it changed in a way that matters (its uid, or its ownerReferences). */
  async deleteDependent(t: Target, opts: { propagation: Propagation }): Promise<WriteResult> {
    const { name, uid, resourceVersion } = t.obj.metadata!;
    try {
      await this.client.delete(t.resource, nsOf(t), name!, { propagationPolicy: opts.propagation, preconditions: { uid, resourceVersion } });
      return 'done';
    } catch (e) {
      if (notFound(e)) return 'gone';
      if (!(isApiError(e) && e.code === 409)) throw e;
    }
    const live = await this.getLive(t);
    if (!live) return 'gone';
    // Only the status (or anything else but the owners) changed: the decision still holds.
    if (!isDeepStrictEqual(live.metadata?.ownerReferences ?? [], t.obj.metadata?.ownerReferences ?? [])) return 'changed';
    try {
      await this.client.delete(t.resource, nsOf(t), name!, { propagationPolicy: opts.propagation, preconditions: { uid } });
      return 'done';
    } catch (e) {
      if (notFound(e) || (isApiError(e) && e.code === 409)) return 'gone';
      throw e;
    }
  }

  /** Removes the owner references whose uid is in `uids`. */
  removeOwnerReferences(t: Target, uids: ReadonlySet<string>): Promise<WriteResult> {
    return this.rewriteList(t, {
      path: '/metadata/ownerReferences',
      read: (o) => o.metadata?.ownerReferences,
      rewrite: (refs: OwnerReference[]) => refs.filter((x) => !uids.has(x.uid)),
    });
  }

  /** Removes one finalizer. */
  removeFinalizer(t: Target, finalizer: string): Promise<WriteResult> {
    return this.rewriteList(t, {
      path: '/metadata/finalizers',
      read: (o) => o.metadata?.finalizers,
      rewrite: (fs: string[]) => fs.filter((f) => f !== finalizer),
    });
  }

  private async rewriteList<T>(t: Target, how: ListRewrite<T>): Promise<WriteResult> {
    let cur: KObject | undefined = t.obj;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const list = how.read(cur) ?? [];
      const next = how.rewrite(list);
      if (isDeepStrictEqual(next, list)) return 'done';
      const patch = [
        { op: 'test', path: '/metadata/uid', value: cur.metadata?.uid },
        { op: 'test', path: how.path, value: list },
        next.length ? { op: 'replace', path: how.path, value: next } : { op: 'remove', path: how.path },
      ];
      try {
        await this.client.patch(t.resource, nsOf(t), cur.metadata!.name!, patch, { type: 'json' });
        return 'done';
      } catch (e) {
        if (notFound(e)) return 'gone';
        if (!lostRace(e)) throw e;
      }
      cur = await this.getLive(t);
      if (!cur) return 'gone';
    }
    return 'changed';
  }

  /** The live object with the target's uid, or undefined when it is gone (or replaced by a namesake). */
  private async getLive(t: Target): Promise<KObject | undefined> {
    try {
      const live = await this.client.get(t.resource, nsOf(t), t.obj.metadata!.name!);
      return live.metadata?.uid === t.obj.metadata?.uid ? live : undefined;
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
  }
}
