// VolumeBinding's PreBind (binder.go BindPodVolumes) for a pod whose node is chosen: bind each
// chosen Available volume to its claim the way the PV controller does (claimRef plus
// pv.kubernetes.io/bound-by-controller, a compare-and-swap update; the PV controller completes the
// claim side), ask for provisioning by setting volume.kubernetes.io/selected-node on the claim
// (a merge patch guarded by the claim's resourceVersion), then wait, without blocking anything
// else, until every claim is bound: claim and volume informer events re-check the waiting pods.
// A claim handed back by its provisioner (selected-node removed or changed), a volume's claimRef
// reset, or a provisioned volume that does not accept the node fail the wait at once; so does the
// timeout ("context deadline exceeded", as Kubernetes says). On failure, berth also undoes a
// provisioning request nothing has acted on yet, so the next attempt may choose another node.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import { ANN_SELECTED_NODE } from '../api/storage/well-known.js';
import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../client/resources.js';
import { bindVolumeToClaim } from '../controllers/persistentvolume/binding-writes.js';
import { isVolumeBoundToClaim } from '../controllers/persistentvolume/volume-match.js';
import { volumeNodeAffinityMatches } from './node-selector.js';
import type { PodVolumes } from './plugins/volume-binding.js';
import { isClaimFullyBound } from './plugins/volume-binding.js';
import type { VolumeCache } from './volume-cache.js';

const keyOf = (o: KObject): string => `${o.metadata?.namespace}/${o.metadata?.name}`;
const rvNewer = (a: string | undefined, b: string | undefined): boolean => {
  try {
    return BigInt(a ?? '0') >= BigInt(b ?? '0');
  } catch {
    return true;
  }
};

interface Waiter {
  pv: PodVolumes;
  node: KObject;
  /** resourceVersions of our own writes: the cache is not believed about them until it catches up. */
  written: Map<string, string>;
  resolve(): void;
  reject(e: Error): void;
}

export class VolumeBinder {
  /** claim key → waiters interested in it. */
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(
    private readonly deps: { client: Client; events: EventRecorder; view: VolumeCache; log?: (l: string) => void },
  ) {}

  /** Writes the pod's bindings and provisioning requests, then resolves once all its claims are bound. */
  async bind(pv: PodVolumes, opts: { node: KObject; timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    const written = new Map<string, string>();
    const { client, events, view } = this.deps;
    for (const b of pv.staticBindings) {
      const volume = view.volume(b.volume);
      const claim = view.claim(b.claim.metadata!.namespace!, b.claim.metadata!.name!);
      if (!volume) throw new Error(`pv "${b.volume}" not found`);
      if (!claim) throw new Error(`pvc "${keyOf(b.claim)}" not found`);
      if (volume.spec?.claimRef && !isVolumeBoundToClaim(volume, claim)) throw new Error(`pv "${b.volume}" is already bound to another claim`);
      const stored = await bindVolumeToClaim({ client, events }, { apiVersion: 'v1', kind: 'PersistentVolume', ...volume }, claim);
      written.set(`pv/${b.volume}`, stored.metadata?.resourceVersion ?? '');
    }
    for (const c of pv.provisions) {
      const claim = view.claim(c.metadata!.namespace!, c.metadata!.name!);
      if (!claim) throw new Error(`pvc "${keyOf(c)}" not found`);
      if ((claim.metadata?.annotations ?? {})[ANN_SELECTED_NODE] === pv.node) continue;
      const stored = await client.patch<KObject>(PERSISTENT_VOLUME_CLAIMS, claim.metadata!.namespace, claim.metadata!.name!, {
        metadata: { resourceVersion: claim.metadata?.resourceVersion, annotations: { [ANN_SELECTED_NODE]: pv.node } },
      });
      written.set(`pvc/${keyOf(c)}`, stored.metadata?.resourceVersion ?? '');
      this.deps.log?.(`default-scheduler SELECT-NODE ${keyOf(c)} => ${pv.node}`);
    }
    await this.wait({ pv, node: opts.node, written }, opts);
  }

  private wait(w: Omit<Waiter, 'resolve' | 'reject'>, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const claims = [...w.pv.staticBindings.map((b) => b.claim), ...w.pv.provisions, ...w.pv.pending].map(keyOf);
      let timer: NodeJS.Timeout | undefined;
      const aborted = () => finish(new Error('the pod was deleted'));
      const finish = (e?: Error) => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', aborted);
        for (const k of claims) {
          const s = this.waiting.get(k);
          s?.delete(waiter);
          if (s?.size === 0) this.waiting.delete(k);
        }
        if (e) reject(e);
        else resolve();
      };
      const waiter: Waiter = { ...w, resolve: () => finish(), reject: (e) => finish(e) };
      for (const k of claims) {
        let s = this.waiting.get(k);
        if (!s) this.waiting.set(k, (s = new Set()));
        s.add(waiter);
      }
      timer = setTimeout(() => finish(new Error('context deadline exceeded')), opts.timeoutMs);
      timer.unref?.();
      if (opts.signal?.aborted) return aborted();
      opts.signal?.addEventListener('abort', aborted);
      this.check(waiter);
    });
  }

  /** A claim (or the volume whose claimRef names it) changed: re-check the pods waiting on it. */
  changed(claimKey: string): void {
    for (const w of [...(this.waiting.get(claimKey) ?? [])]) this.check(w);
  }

  /** Fails every wait (the scheduler is stopping). */
  stop(): void {
    const all = new Set<Waiter>();
    for (const s of this.waiting.values()) for (const w of s) all.add(w);
    for (const w of all) w.reject(new Error('scheduler stopped'));
  }

  private check(w: Waiter): void {
    try {
      if (this.allBound(w)) w.resolve();
    } catch (e) {
      w.reject(e as Error);
    }
  }

  /** checkBindings: true when every claim is bound; throws when the binding can no longer happen. */
  private allBound(w: Waiter): boolean {
    const { view } = this.deps;
    const ref = { name: w.pv.node, labels: w.node.metadata?.labels ?? {} };
    let done = true;
    for (const b of w.pv.staticBindings) {
      const claim = view.claim(b.claim.metadata!.namespace!, b.claim.metadata!.name!);
      if (!claim || claim.metadata?.uid !== b.claim.metadata?.uid) throw new Error(`pvc "${keyOf(b.claim)}" was deleted`);
      const volume = view.volume(b.volume);
      if (!volume) throw new Error(`pv "${b.volume}" was deleted`);
      if (rvNewer(volume.metadata?.resourceVersion, w.written.get(`pv/${b.volume}`)) && !volume.spec?.claimRef?.uid) {
        throw new Error(`ClaimRef got reset for pv "${b.volume}"`);
      }
      if (!isClaimFullyBound(claim)) done = false;
    }
    for (const c of [...w.pv.provisions, ...w.pv.pending]) {
      const key = keyOf(c);
      const claim = view.claim(c.metadata!.namespace!, c.metadata!.name!);
      if (!claim || claim.metadata?.uid !== c.metadata?.uid) throw new Error(`pvc "${key}" was deleted`);
      if (!isClaimFullyBound(claim)) {
        const selected = (claim.metadata?.annotations ?? {})[ANN_SELECTED_NODE];
        const current = rvNewer(claim.metadata?.resourceVersion, w.written.get(`pvc/${key}`));
        if (current && selected === undefined) throw new Error(`selectedNode annotation reset for PVC "${claim.metadata?.name}"`);
        if (current && selected !== w.pv.node) throw new Error(`selectedNode annotation value "${selected}" not set to scheduled node "${w.pv.node}"`);
        done = false;
        continue;
      }
      const volume = view.volume(claim.spec.volumeName);
      if (!volume) {
        done = false;
        continue;
      }
      if (!volumeNodeAffinityMatches(volume, ref)) throw new Error(`pv "${volume.metadata?.name}" node affinity doesn't match node "${w.pv.node}": no matching NodeSelectorTerms`);
    }
    return done;
  }

  /**
   * Unreserve, berth's addition: a provisioning request nobody acted on (no volume names the
   * claim, the claim is unbound and still names this node) is withdrawn, guarded by the claim's
   * resourceVersion, so the pod may land elsewhere next time.
   */
  async withdraw(pv: PodVolumes): Promise<void> {
    const { client, view } = this.deps;
    for (const c of pv.provisions) {
      const claim = view.claim(c.metadata!.namespace!, c.metadata!.name!);
      if (!claim || claim.spec?.volumeName || (claim.metadata?.annotations ?? {})[ANN_SELECTED_NODE] !== pv.node) continue;
      if (view.volumesReferencing(keyOf(claim)).length || view.volume(`pvc-${claim.metadata?.uid}`)) continue;
      try {
        await client.patch(PERSISTENT_VOLUME_CLAIMS, claim.metadata!.namespace, claim.metadata!.name!, {
          metadata: { resourceVersion: claim.metadata?.resourceVersion, annotations: { [ANN_SELECTED_NODE]: null } },
        });
        this.deps.log?.(`default-scheduler UNRESERVE ${keyOf(claim)} => selected-node ${pv.node} withdrawn`);
      } catch (e) {
        if (!isApiError(e) || (e.code !== 404 && e.code !== 409)) throw e;
      }
    }
  }
}
