// PVC protection controller (pkg/controller/volume/pvcprotection): a terminating claim keeps its
// kubernetes.io/pvc-protection finalizer while a pod uses it, and loses it once none does, so the
// API server can remove it. A live claim without the finalizer gets it (claims created before the
// admission plugin). "A pod uses a claim" follows Kubernetes 1.32 exactly (podUsesClaim): the pod
// is in the claim's namespace, scheduled (spec.nodeName set), and names the claim in a
// persistentVolumeClaim volume, or owns it as the `<pod>-<volume>` claim of a generic ephemeral
// volume and is not yet shut down. A pod object in a terminal phase still counts, as in Kubernetes:
// the claim is released when the pod object goes away.
//
// Pods are indexed by the claims they name, so a pod event re-checks exactly its claims (when the
// pod is deleted, finished, unscheduled, or replaced by another pod of the same name). Before a
// finalizer is removed, a live LIST of the namespace's pods (not the informer cache) confirms that
// no pod uses the claim. The finalizer is removed with a JSON patch that first `test`s it is
// still at that position, so a concurrent change is never lost.
// Deliberately absent: Kubernetes' per-namespace batching of live lists (each check lists once).

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import { PVC_PROTECTION_FINALIZER } from '../api/storage/well-known.js';
import type { Informer } from '../client/informer.js';
import { WorkQueue } from '../client/workqueue.js';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../client/resources.js';
import type { ControllerDeps } from './deps.js';

export const PVC_PROTECTION_COMPONENT = 'pvc-protection-controller';

const finalizersOf = (obj: KObject): string[] => (Array.isArray(obj.metadata?.finalizers) ? obj.metadata!.finalizers! : []);

/** protectionutil.IsDeletionCandidate. */
export function isDeletionCandidate(obj: KObject, finalizer: string): boolean {
  return !!obj.metadata?.deletionTimestamp && finalizersOf(obj).includes(finalizer);
}

/** protectionutil.NeedToAddFinalizer. */
export function needToAddFinalizer(obj: KObject, finalizer: string): boolean {
  return !obj.metadata?.deletionTimestamp && !finalizersOf(obj).includes(finalizer);
}

/** `namespace/claim` keys of every claim a pod's volumes name (Kubernetes' PodPVCIndexFunc). */
export function podClaimKeys(pod: KObject): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const keys: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) keys.push(`${ns}/${v.persistentVolumeClaim.claimName}`);
    else if (v?.ephemeral) keys.push(`${ns}/${pod.metadata?.name}-${v.name}`);
  }
  return keys;
}

/** podutil.IsPodTerminated: a terminal phase, or deleted with no container running. */
export function isPodTerminated(pod: KObject): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return true;
  if (!pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.containerStatuses ?? []).every((s: any) => !!s?.state?.terminated || !!s?.state?.waiting);
}

/** The kubelet is done with the pod (it set a zero deletion grace period) or it was force-deleted. */
function podIsShutDown(pod: KObject): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.metadata?.deletionGracePeriodSeconds === 0;
}

/** metav1.IsControlledBy: the claim's controller reference is the pod. */
function controlledBy(claim: KObject, pod: KObject): boolean {
  const ref = (claim.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
  return !!ref && !!pod.metadata?.uid && ref.uid === pod.metadata.uid;
}

/** The pvc-protection controller's podUsesPVC. */
export function podUsesClaim(pod: KObject, claim: KObject): boolean {
  if (!pod.spec?.nodeName) return false;
  if (pod.metadata?.namespace !== claim.metadata?.namespace) return false;
  const name = claim.metadata?.name;
  for (const v of pod.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim && v.persistentVolumeClaim.claimName === name) return true;
    if (v?.ephemeral && !podIsShutDown(pod) && `${pod.metadata?.name}-${v.name}` === name && controlledBy(claim, pod)) return true;
  }
  return false;
}

interface IndexedPod {
  uid: string | undefined;
  claims: string[];
}

export class PvcProtectionController {
  private readonly claims: Informer;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  /** podKey → its uid and the claims it names; claimKey → pods naming it (the PodPVCIndex). */
  private readonly podIndex = new Map<string, IndexedPod>();
  private readonly claimIndex = new Map<string, Set<string>>();

  constructor(
    private readonly deps: ControllerDeps,
    opts: { workers?: number } = {},
  ) {
    this.claims = deps.informers.for(PERSISTENT_VOLUME_CLAIMS);
    this.pods = deps.informers.for(PODS);
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: PVC_PROTECTION_COMPONENT, log: deps.log, workers: opts.workers ?? 2 });
    this.claims.onChange((key, pvc) => {
      if (pvc && (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER) || isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER))) this.queue.add(key);
    });
    this.pods.onChange((key, pod) => this.podChanged(key, pod));
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.queue.stop();
  }

  private podChanged(key: string, pod: KObject | undefined): void {
    const prev = this.podIndex.get(key);
    if (prev) for (const c of prev.claims) this.claimIndex.get(c)?.delete(key);
    if (!pod) {
      this.podIndex.delete(key);
      for (const c of prev?.claims ?? []) this.queue.add(c);
      return;
    }
    const claims = podClaimKeys(pod);
    this.podIndex.set(key, { uid: pod.metadata?.uid, claims });
    for (const c of claims) {
      let s = this.claimIndex.get(c);
      if (!s) this.claimIndex.set(c, (s = new Set()));
      s.add(key);
    }
    for (const c of prev?.claims ?? []) if (!this.claimIndex.get(c)?.size) this.claimIndex.delete(c);
    // A delete and re-create under one name can arrive as one update: re-check the old pod's claims.
    if (prev && prev.uid !== pod.metadata?.uid) for (const c of prev.claims) this.queue.add(c);
    // Only a pod that cannot (or can no longer) use its claims can help release one.
    if (isPodTerminated(pod) || !pod.spec?.nodeName) for (const c of claims) this.queue.add(c);
  }

  async reconcile(key: string): Promise<void> {
    const pvc = this.claims.get(key);
    if (!pvc) return;
    if (isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) {
      if (await this.isBeingUsed(pvc)) {
        this.deps.log?.(`pvc-protection ${key} => kept, in use by a pod`);
        return;
      }
      await this.removeFinalizer(pvc);
      return;
    }
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER)) await this.addFinalizer(pvc);
  }

  private async isBeingUsed(pvc: KObject): Promise<boolean> {
    const key = `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
    for (const podKey of this.claimIndex.get(key) ?? []) {
      const pod = this.pods.get(podKey);
      if (pod && podUsesClaim(pod, pvc)) return true;
    }
    // The cache may not have seen a new pod yet: only a live list is proof that none uses it.
    const live = await this.deps.client.list(PODS, pvc.metadata?.namespace);
    return live.items.some((pod) => podUsesClaim(pod, pvc));
  }

  private async removeFinalizer(pvc: KObject): Promise<void> {
    const { namespace, name } = pvc.metadata!;
    const i = finalizersOf(pvc).indexOf(PVC_PROTECTION_FINALIZER);
    const path = `/metadata/finalizers/${i}`;
    try {
      await this.deps.client.patch(PERSISTENT_VOLUME_CLAIMS, namespace, name!, [{ op: 'test', path, value: PVC_PROTECTION_FINALIZER }, { op: 'remove', path }], {
        type: 'json',
      });
    } catch (e) {
      if (isApiError(e) && e.code === 404) return;
      throw e;
    }
    this.deps.log?.(`pvc-protection ${namespace}/${name} => removed ${PVC_PROTECTION_FINALIZER}`);
  }

  private async addFinalizer(pvc: KObject): Promise<void> {
    const { namespace, name, resourceVersion } = pvc.metadata!;
    const finalizers = [...finalizersOf(pvc), PVC_PROTECTION_FINALIZER];
    try {
      await this.deps.client.patch(PERSISTENT_VOLUME_CLAIMS, namespace, name!, { metadata: { resourceVersion, finalizers } });
    } catch (e) {
      if (isApiError(e) && e.code === 404) return;
      throw e;
    }
    this.deps.log?.(`pvc-protection ${namespace}/${name} => added ${PVC_PROTECTION_FINALIZER}`);
  }
}
