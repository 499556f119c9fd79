// Which objects a StatefulSet controls, as Kubernetes' ControllerRefManager.ClaimObject decides
// (pkg/controller/controller_ref_manager.go): an object it already controls stays claimed while it
// matches and is released when it no longer does (unless the set is being deleted); an orphan that
// matches is adopted unless the set or the orphan is being deleted; objects controlled by someone
// else are ignored. Before the first adoption of a sync, a live GET of the set confirms it still
// exists with the same uid and is not being deleted (RecheckDeletionTimestamp; the cache may lag).
// Adopt and release are strategic merge patches of ownerReferences (merged by uid) that carry the
// object's uid, so they never apply to a newer object of the same name.
// Used for pods and ControllerRevisions alike.

import type { KObject } from '../../api/resource.js';
import { isApiError } from '../../api/errors.js';
import type { Client, ResourceRef } from '../../client/client.js';
import { objectKey } from '../../client/informer.js';
import { STATEFUL_SETS } from '../../client/resources.js';
import { controllerOf, releasePatch } from '../util/owners.js';
import type { StatefulSet } from './pod-identity.js';
import { setControllerRef } from './pod-identity.js';
import type { RecentWrites } from './recent-writes.js';

export interface ClaimContext {
  client: Client;
  writes: RecentWrites;
  log?: (line: string) => void;
}

/** RecheckDeletionTimestamp for one sync: a live read of the set, done at most once. */
export function canAdoptOnce(client: Client, set: StatefulSet): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () =>
    (result ??= (async () => {
      const { namespace, name, uid } = set.metadata!;
      const fresh = await client.get<KObject>(STATEFUL_SETS, namespace, name!);
      if (fresh.metadata?.uid !== uid) throw new Error(`original StatefulSet ${namespace}/${name} is gone: got uid ${fresh.metadata?.uid}, wanted ${uid}`);
      if (fresh.metadata?.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    })());
}

/**
 * ClaimObjects: the objects set controls after adopting and releasing. Errors of single objects are
 * collected and thrown together after every object has been looked at.
 */
export async function claimObjects(
  ctx: ClaimContext,
  input: { set: StatefulSet; resource: ResourceRef; objects: KObject[]; match: (o: KObject) => boolean; canAdopt: () => Promise<void> },
): Promise<KObject[]> {
  const { set, resource } = input;
  const uid = set.metadata?.uid;
  const setDeleting = !!set.metadata?.deletionTimestamp;
  const claimed: KObject[] = [];
  const errors: Error[] = [];
  const what = resource.plural.replace(/s$/, '');
  await Promise.all(
    input.objects.map(async (obj) => {
      const ref = controllerOf(obj);
      const key = objectKey(obj);
      try {
        if (ref) {
          if (ref.uid !== uid) return;
          if (input.match(obj)) {
            claimed.push(obj);
            return;
          }
          if (setDeleting) return;
          const released = await ctx.client.patch<KObject>(resource, obj.metadata?.namespace, obj.metadata!.name!, releasePatch(obj, uid!), { type: 'strategic' });
          ctx.writes.wrote(key, released);
          ctx.log?.(`RELEASE ${what} ${key} from statefulset ${objectKey(set)} => released`);
          return;
        }
        if (setDeleting || !input.match(obj) || obj.metadata?.deletionTimestamp) return;
        if (obj.metadata?.namespace !== set.metadata?.namespace) return;
        await input.canAdopt();
        const patch = { metadata: { ownerReferences: [setControllerRef(set)], uid: obj.metadata?.uid } };
        const adopted = await ctx.client.patch<KObject>(resource, obj.metadata?.namespace, obj.metadata!.name!, patch, { type: 'strategic' });
        ctx.writes.wrote(key, adopted);
        ctx.log?.(`ADOPT ${what} ${key} into statefulset ${objectKey(set)} => adopted`);
        claimed.push(adopted);
      } catch (e) {
        // Gone, or replaced by a newer object of the same name (uid guard): nothing to claim.
        if (isApiError(e) && (e.code === 404 || e.code === 422)) return;
        errors.push(e as Error);
      }
    }),
  );
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new Error(`[${errors.map((e) => e.message).join(', ')}]`);
  return claimed;
}
