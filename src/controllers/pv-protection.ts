// PV protection controller (pkg/controller/volume/pvprotection): a terminating PersistentVolume keeps
// its kubernetes.io/pv-protection finalizer while it is in use and loses it once it is not, so the
// API server can remove it. Kubernetes' rule is "in use iff status.phase is Bound"; every PV update
// re-checks (the PV controller moves a deleted claim's volume to Released or Failed). A live PV
// without the finalizer gets it (volumes created before the admission plugin).
// The finalizer is removed with a JSON patch that first `test`s it is still at that position, and
// added with a merge patch carrying the resourceVersion, so a concurrent change is never lost.
// Deliberately absent: deciding the phase (the PV controller's job) and reclaiming the volume.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import { PV_PROTECTION_FINALIZER } from '../api/storage/well-known.js';
import type { Informer } from '../client/informer.js';
import { WorkQueue } from '../client/workqueue.js';
import { PERSISTENT_VOLUMES } from '../client/resources.js';
import type { ControllerDeps } from './deps.js';
import { isDeletionCandidate, needToAddFinalizer } from './pvc-protection.js';

export const PV_PROTECTION_COMPONENT = 'pv-protection-controller';

/** The pv-protection controller's isBeingUsed. */
export function volumeInUse(pv: KObject): boolean {
  return pv.status?.phase === 'Bound';
}

export class PvProtectionController {
  private readonly volumes: Informer;
  private readonly queue: WorkQueue;

  constructor(
    private readonly deps: ControllerDeps,
    opts: { workers?: number } = {},
  ) {
    this.volumes = deps.informers.for(PERSISTENT_VOLUMES);
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: PV_PROTECTION_COMPONENT, log: deps.log, workers: opts.workers ?? 1 });
    this.volumes.onChange((key, pv) => {
      if (pv && (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER) || isDeletionCandidate(pv, PV_PROTECTION_FINALIZER))) this.queue.add(key);
    });
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.queue.stop();
  }

  async reconcile(name: string): Promise<void> {
    const pv = this.volumes.get(name);
    if (!pv) return;
    if (isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) {
      if (volumeInUse(pv)) {
        this.deps.log?.(`pv-protection ${name} => kept, Bound`);
        return;
      }
      await this.write(name, this.removal(pv));
      this.deps.log?.(`pv-protection ${name} => removed ${PV_PROTECTION_FINALIZER}`);
      return;
    }
    if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER)) {
      const finalizers = [...(pv.metadata?.finalizers ?? []), PV_PROTECTION_FINALIZER];
      await this.write(name, { patch: { metadata: { resourceVersion: pv.metadata?.resourceVersion, finalizers } }, type: 'merge' });
      this.deps.log?.(`pv-protection ${name} => added ${PV_PROTECTION_FINALIZER}`);
    }
  }

  private removal(pv: KObject): { patch: unknown; type: 'json' } {
    const path = `/metadata/finalizers/${(pv.metadata?.finalizers ?? []).indexOf(PV_PROTECTION_FINALIZER)}`;
    return { patch: [{ op: 'test', path, value: PV_PROTECTION_FINALIZER }, { op: 'remove', path }], type: 'json' };
  }

  private async write(name: string, p: { patch: unknown; type: 'json' | 'merge' }): Promise<void> {
    try {
      await this.deps.client.patch(PERSISTENT_VOLUMES, undefined, name, p.patch, { type: p.type });
    } catch (e) {
      if (!(isApiError(e) && e.code === 404)) throw e;
    }
  }
}
