// The controller-ref manager of pkg/controller (ClaimObject, ClaimPods, ClaimReplicaSets) shared
// by the ReplicaSet controller (which claims pods) and the Deployment controller (which claims
// ReplicaSets): a dependent controlled by the owner is kept while the selector matches and
// released when it stops matching; an orphan that matches is adopted, but only after one live GET
// has confirmed that the owner still exists under the same uid and is not being deleted
// (RecheckDeletionTimestamp), so a cache that lags a delete-and-recreate never adopts into a dead
// owner. Adoption and release are strategic merge patches keyed by the reference uid and guarded by
// the dependent's uid, exactly the patches Kubernetes sends; the API server rejects a second
// controller reference, so two owners racing for one orphan cannot both win.
// Deliberately absent: anything about what the owner does with what it claimed.

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { ParsedSelector } from '../api/validation/label-selector.js';
import { selectorMatches } from '../api/validation/label-selector.js';
import type { Client, ResourceRef } from '../client/client.js';
import type { OwnerReference } from './util/owners.js';
import { controllerOf } from './util/owners.js';

export interface ClaimOptions {
  client: Client;
  /** The dependents' resource (pods, replicasets). */
  resource: ResourceRef;
  /** The owner's resource, kind and apiVersion, for the live recheck and the reference. */
  ownerResource: ResourceRef;
  ownerRef: OwnerReference;
  selector: ParsedSelector;
  /** Whether an object's labels match the selector, if the caller memoizes it. */
  matches?: (obj: KObject) => boolean;
  /** Called with each adoption and release, for the transcript. */
  log?: (line: string) => void;
}

/** How many adoption or release patches one claim sends at a time. */
const CLAIM_CONCURRENCY = 64;

/**
 * Runs fn over items with at most `limit` calls in flight; resolves when all have settled and
 * returns the errors (in item order).
 */
export async function forEachConcurrently<T>(items: readonly T[], opts: { limit: number }, fn: (item: T) => Promise<void>): Promise<unknown[]> {
  const errors: { i: number; e: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i]);
      } catch (e) {
        errors.push({ i, e });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.limit, items.length) }, worker));
  return errors.sort((a, b) => a.i - b.i).map((x) => x.e);
}

/**
 * controller.RecheckDeletionTimestamp over a live GET: resolves when the owner still exists with
 * the same uid and no deletionTimestamp, rejects otherwise. Memoized: one GET per claim.
 */
function ownerRecheck(owner: KObject, o: ClaimOptions): () => Promise<void> {
  let result: Promise<void> | undefined;
  const { namespace, name, uid } = owner.metadata!;
  return () =>
    (result ??= (async () => {
      let fresh: KObject;
      try {
        fresh = await o.client.get(o.ownerResource, namespace, name!);
      } catch (e) {
        throw new Error(`can't recheck DeletionTimestamp: ${(e as Error).message}`);
      }
      if (fresh.metadata?.uid !== uid) {
        throw new Error(`original ${o.ownerRef.kind} ${namespace}/${name} is gone: got uid ${fresh.metadata?.uid}, wanted ${uid}`);
      }
      if (fresh.metadata?.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    })());
}

const notFound = (e: unknown) => isApiError(e) && e.code === 404;

/**
 * ClaimObject over a list: returns the objects the owner controls after adopting matching orphans
 * and releasing controlled objects that no longer match. Throws (after trying every object) the
 * first adoption or release error, like Kubernetes' aggregated error; objects gone meanwhile are
 * simply not claimed.
 */
export async function claimObjects(owner: KObject, objs: readonly KObject[], o: ClaimOptions): Promise<KObject[]> {
  const ownerUid = owner.metadata?.uid;
  const ownerDeleting = !!owner.metadata?.deletionTimestamp;
  const claimed: KObject[] = [];
  const toAdopt: KObject[] = [];
  const toRelease: KObject[] = [];
  for (const obj of objs) {
    const ref = controllerOf(obj);
    const matches = o.matches ? o.matches(obj) : selectorMatches(o.selector, obj.metadata?.labels);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (matches) claimed.push(obj);
      // Owned by us but no longer selected: release, unless we are being deleted.
      else if (!ownerDeleting) toRelease.push(obj);
      continue;
    }
    if (ownerDeleting || !matches || obj.metadata?.deletionTimestamp) continue;
    if (owner.metadata?.namespace && owner.metadata.namespace !== obj.metadata?.namespace) continue;
    toAdopt.push(obj);
  }
  const recheck = ownerRecheck(owner, o);
  const adopted: KObject[] = [];
  const errors = [
    ...(await forEachConcurrently(toAdopt, { limit: CLAIM_CONCURRENCY }, async (obj) => {
      await recheck();
      const { namespace, name, uid } = obj.metadata!;
      try {
        const patched = await o.client.patch<KObject>(o.resource, namespace, name!, { metadata: { ownerReferences: [o.ownerRef], uid } }, { type: 'strategic' });
        adopted.push(patched);
        o.log?.(`ADOPT ${o.resource.plural} ${namespace}/${name}, by ${o.ownerRef.kind} ${owner.metadata?.name} => ok`);
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    })),
    ...(await forEachConcurrently(toRelease, { limit: CLAIM_CONCURRENCY }, async (obj) => {
      const { namespace, name, uid } = obj.metadata!;
      try {
        await o.client.patch(o.resource, namespace, name!, { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid } }, { type: 'strategic' });
        o.log?.(`RELEASE ${o.resource.plural} ${namespace}/${name}, from ${o.ownerRef.kind} ${owner.metadata?.name} => ok`);
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    })),
  ];
  if (errors.length) throw errors[0];
  return [...claimed, ...adopted];
}
