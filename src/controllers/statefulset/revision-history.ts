// A StatefulSet's revision history (Kubernetes' pkg/controller/history plus the revision parts of
// stateful_set_control.go and stateful_set_utils.go): ControllerRevisions named `<set>-<hash>`
// whose data is the strategic merge patch that restores the pod template
// (`{"spec":{"template":{"$patch":"replace",...}}}`, what getPatch stores and what
// `kubectl rollout undo` applies), numbered upwards; the current and update revisions of a sync;
// a rollback that reuses an equal older revision by renumbering it; and truncation to
// revisionHistoryLimit keeping every live revision.
//
// Hashes are computeHash over berth's canonical JSON (util/hash.ts), so names have Kubernetes'
// shape but not its exact values. Better than Kubernetes: the `controller.kubernetes.io/hash`
// label follows the name when a collision forces a new hash, and renumbering and deleting are
// compare-and-swap writes (resourceVersion, uid precondition).
// Deliberately absent: adoption and release (controller-ref-manager.ts).

import type { KObject } from '../../api/resource.js';
import { isApiError } from '../../api/errors.js';
import type { Client } from '../../client/client.js';
import { objectKey } from '../../client/informer.js';
import { CONTROLLER_REVISIONS } from '../../client/resources.js';
import { canonicalJson, computeHash } from '../util/hash.js';
import type { Pod, StatefulSet } from './pod-identity.js';
import { podRevision, setControllerRef } from './pod-identity.js';
import type { RecentWrites } from './recent-writes.js';

export type Revision = KObject;

/** history.ControllerRevisionHashLabel. */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

export interface HistoryWriter {
  client: Client;
  writes: RecentWrites;
  log?: (line: string) => void;
}

/** JSON-equal copy with keys sorted at every level (what Go's map encoding produces). */
function sorted(v: unknown): any {
  return JSON.parse(canonicalJson(v));
}

/** getPatch: the data of the revision that restores set's pod template. */
export function revisionData(set: StatefulSet): unknown {
  return sorted({ spec: { template: { ...(set.spec?.template ?? {}), $patch: 'replace' } } });
}

/** ApplyRevision: set with the revision's state (its template replaces set's). */
export function applyRevision(set: StatefulSet, revision: Revision): StatefulSet {
  const out = structuredClone(set) as StatefulSet;
  const spec = revision.data?.spec ?? {};
  out.spec ??= {};
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'template' && v && typeof v === 'object') {
      const { $patch: _replace, ...template } = v as Record<string, unknown>;
      out.spec.template = structuredClone(template);
    } else out.spec[k] = structuredClone(v);
  }
  return out;
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.slice(0, 223)}-${hash}`;
}

/** newRevision (history.NewControllerRevision): template labels, set annotations, controller ref. */
export function newRevision(set: StatefulSet, opts: { revision: number; collisionCount: number }): Revision {
  const data = revisionData(set);
  const hash = computeHash(data, opts.collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(set.metadata!.name!, hash),
      namespace: set.metadata?.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(set.metadata?.annotations && Object.keys(set.metadata.annotations).length ? { annotations: { ...set.metadata.annotations } } : {}),
      ownerReferences: [setControllerRef(set)],
    },
    data,
    revision: opts.revision,
  };
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortRevisions(revisions: Revision[]): Revision[] {
  return [...revisions].sort((a, b) => {
    if ((a.revision ?? 0) !== (b.revision ?? 0)) return (a.revision ?? 0) - (b.revision ?? 0);
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  });
}

/** EqualRevision: semantically equal data. */
export function equalRevision(a: Revision | undefined, b: Revision | undefined): boolean {
  if (!a || !b) return a === b;
  return canonicalJson(a.data) === canonicalJson(b.data);
}

/** nextRevision: one more than the highest (revisions sorted), 1 for the first. */
export function nextRevision(revisions: Revision[]): number {
  return revisions.length ? (revisions[revisions.length - 1].revision ?? 0) + 1 : 1;
}

/** CreateControllerRevision: on a name taken by other data, bump collisionCount and rehash. */
async function createRevision(w: HistoryWriter, set: StatefulSet, opts: { revision: number; collisionCount: number }): Promise<{ revision: Revision; collisionCount: number }> {
  let collisionCount = opts.collisionCount;
  for (;;) {
    const rev = newRevision(set, { revision: opts.revision, collisionCount });
    const ns = set.metadata?.namespace;
    try {
      const created = await w.client.create<Revision>(CONTROLLER_REVISIONS, ns, rev);
      w.writes.created(objectKey(created), created);
      w.log?.(`CREATE controllerrevision ${ns}/${created.metadata?.name}, revision ${created.revision} => created`);
      return { revision: created, collisionCount };
    } catch (e) {
      if (!(isApiError(e) && e.code === 409 && e.reason === 'AlreadyExists')) throw e;
      const exists = await w.client.get<Revision>(CONTROLLER_REVISIONS, ns, rev.metadata!.name!);
      if (equalRevision(exists, rev)) {
        w.writes.created(objectKey(exists), exists);
        return { revision: exists, collisionCount };
      }
      collisionCount++;
    }
  }
}

/** UpdateControllerRevision: renumber an existing revision (a rollback), compare-and-swap. */
async function renumberRevision(w: HistoryWriter, to: { rev: Revision; revision: number }): Promise<Revision> {
  const { rev, revision } = to;
  let cur = rev;
  for (let attempt = 0; ; attempt++) {
    if ((cur.revision ?? 0) === revision) return cur;
    try {
      const updated = await w.client.update<Revision>(CONTROLLER_REVISIONS, { ...structuredClone(cur), revision });
      w.writes.wrote(objectKey(updated), updated);
      w.log?.(`UPDATE controllerrevision ${objectKey(updated)}, revision ${cur.revision} → ${revision} => renumbered`);
      return updated;
    } catch (e) {
      if (!(isApiError(e) && e.code === 409) || attempt >= 3) throw e;
      cur = await w.client.get<Revision>(CONTROLLER_REVISIONS, rev.metadata?.namespace, rev.metadata!.name!);
      if ((cur.revision ?? 0) >= revision) return cur;
    }
  }
}

export interface SetRevisions {
  current: Revision;
  update: Revision;
  collisionCount: number;
}

/**
 * getStatefulSetRevisions: the update revision is the set's template now (the latest revision if
 * it is equal, an equal older one renumbered to the top, or a new one); the current revision is
 * the one status.currentRevision names, or the update revision for a new history.
 */
export async function setRevisions(w: HistoryWriter, input: { set: StatefulSet; revisions: Revision[] }): Promise<SetRevisions> {
  const { set } = input;
  const sortedRevs = sortRevisions(input.revisions);
  let collisionCount: number = set.status?.collisionCount ?? 0;
  const candidate = newRevision(set, { revision: nextRevision(sortedRevs), collisionCount });
  const equal = sortedRevs.filter((r) => equalRevision(r, candidate));
  let update: Revision;
  if (equal.length && equalRevision(sortedRevs[sortedRevs.length - 1], equal[equal.length - 1])) {
    update = sortedRevs[sortedRevs.length - 1];
  } else if (equal.length) {
    update = await renumberRevision(w, { rev: equal[equal.length - 1], revision: candidate.revision });
  } else {
    const created = await createRevision(w, set, { revision: candidate.revision, collisionCount });
    update = created.revision;
    collisionCount = created.collisionCount;
  }
  const current = sortedRevs.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/**
 * truncateHistory: delete the oldest revisions that are not live (current, update, or the
 * revision of any pod) until at most revisionHistoryLimit remain.
 */
export async function truncateHistory(w: HistoryWriter, input: { set: StatefulSet; pods: Pod[]; revisions: Revision[]; live: (Revision | undefined)[] }): Promise<void> {
  const live = new Set<string>();
  for (const r of input.live) if (r?.metadata?.name) live.add(r.metadata.name);
  for (const p of input.pods) live.add(podRevision(p));
  const history = sortRevisions(input.revisions).filter((r) => !live.has(r.metadata?.name ?? ''));
  const limit: number = input.set.spec?.revisionHistoryLimit ?? 10;
  if (limit < 0 || history.length <= limit) return;
  for (const r of history.slice(0, history.length - limit)) {
    const { namespace, name, uid } = r.metadata!;
    try {
      await w.client.delete(CONTROLLER_REVISIONS, namespace, name!, { preconditions: { uid } });
      w.log?.(`DELETE controllerrevision ${namespace}/${name}, beyond revisionHistoryLimit ${limit} => deleted`);
    } catch (e) {
      if (!(isApiError(e) && (e.code === 404 || e.code === 409))) throw e;
    }
    w.writes.removed(objectKey(r), r);
  }
}
