// Server-side rollback through the `deprecated.deployment.rollback.to` annotation
// (pkg/controller/deployment/rollback.go), the way extensions/v1beta1's rollback subresource
// reached the controller: the Deployment takes the template and annotations of the ReplicaSet of
// that revision (0: the previous one) and the annotation is cleared. Events DeploymentRollback
// "Rolled back deployment "<d>" to revision <n>", DeploymentRollbackRevisionNotFound and
// DeploymentRollbackTemplateUnchanged.
// kubectl 1.32's `rollout undo` does not use this: it patches spec.template and the annotations
// itself, and the sync finds the old ReplicaSet by template and gives it the next revision.

import type { DeploymentSync } from './deployment-context.js';
import type { Deployment, ReplicaSet } from './deployment-util.js';
import { POD_TEMPLATE_HASH, ROLLBACK_TO, annotationsForRollback, equalIgnoreHash, lastRevision, revisionOf } from './deployment-util.js';
import { getAllReplicaSetsAndSyncRevision } from './sync.js';

/** getRollbackTo: the requested revision, or undefined when there is none (or it is not a number). */
export function rollbackTo(d: Deployment): number | undefined {
  const v = d.metadata?.annotations?.[ROLLBACK_TO];
  if (!v || !/^[+-]?[0-9]+$/.test(v)) return undefined;
  return Number(v);
}

export async function rollback(s: DeploymentSync): Promise<void> {
  const { d, ctx } = s;
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, { create: true });
  const all = [...oldRSs, ...(newRS ? [newRS] : [])];
  let revision = rollbackTo(d) ?? 0;
  if (revision === 0) {
    revision = lastRevision(all);
    if (revision === 0) {
      ctx.events.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find last revision.');
      return clearRollbackTo(s);
    }
  }
  const target = all.find((rs) => revisionOf(rs) === revision);
  if (!target) {
    ctx.events.event(d, 'Warning', 'DeploymentRollbackRevisionNotFound', 'Unable to find the revision to rollback to.');
    return clearRollbackTo(s);
  }
  if (await rollbackToTemplate(s, target)) {
    ctx.events.event(d, 'Normal', 'DeploymentRollback', `Rolled back deployment "${d.metadata?.name}" to revision ${revision}`);
  }
}

async function rollbackToTemplate(s: DeploymentSync, rs: ReplicaSet): Promise<boolean> {
  const { d } = s;
  let performed = false;
  if (!equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
    const template = structuredClone(rs.spec.template);
    if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH];
    d.spec.template = template;
    // The ReplicaSet's annotations (change-cause...) come back with its template.
    d.metadata!.annotations = annotationsForRollback(d, rs);
    performed = true;
  } else {
    s.ctx.events.event(d, 'Warning', 'DeploymentRollbackTemplateUnchanged', `The rollback revision contains the same template as current deployment "${d.metadata?.name}"`);
  }
  await clearRollbackTo(s);
  return performed;
}

async function clearRollbackTo(s: DeploymentSync): Promise<void> {
  const a = s.d.metadata?.annotations;
  if (a) delete a[ROLLBACK_TO];
  await s.writeDeployment();
}
