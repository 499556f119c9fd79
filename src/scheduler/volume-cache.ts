// The scheduler's view of claims, volumes and storage classes (the VolumeView the volume plugins
// read): the shared informers' caches, the PV controller's VolumeIndex for "which volumes name
// this claim", volumes without a claimRef by class (the static-binding candidates), and the
// assumptions of binding cycles in flight (kube-scheduler's assume cache): a volume chosen for a
// claim is nobody else's candidate, and a claim being bound pins its other users to the same node
// until the cycle ends.

import type { KObject } from '../api/resource.js';
import { storageClassOf } from '../api/core/volume-printing.js';
import type { Informer } from '../client/informer.js';
import { VolumeIndex } from '../controllers/persistentvolume/volume-index.js';
import { claimRefKey } from '../controllers/persistentvolume/volume-match.js';
import type { ClaimAssumption, VolumeView } from './framework.js';
import type { PodVolumes } from './plugins/volume-binding.js';

const claimKeyOf = (c: KObject): string => `${c.metadata?.namespace}/${c.metadata?.name}`;

export class VolumeCache implements VolumeView {
  private readonly index = new VolumeIndex();
  /** class → name → volume without a claimRef. */
  private readonly unbound = new Map<string, Map<string, KObject>>();
  private readonly unboundClass = new Map<string, string>();
  private readonly assumedVolumes = new Map<string, string>();
  private readonly assumedClaims = new Map<string, ClaimAssumption & { pod: string }>();

  constructor(
    private readonly claims: Informer,
    private readonly volumes: Informer,
    private readonly classes: Informer,
  ) {}

  /** Keeps the indexes in step with the volume informer; returns the claims the old and new claimRef name. */
  volumeChanged(name: string, pv: KObject | undefined): string[] {
    const refs = [this.index.get(name), pv].map((v) => v && claimRefKey(v)).filter((k): k is string => !!k);
    const cls = this.unboundClass.get(name);
    if (cls !== undefined) {
      const m = this.unbound.get(cls);
      m?.delete(name);
      if (m?.size === 0) this.unbound.delete(cls);
      this.unboundClass.delete(name);
    }
    if (!pv) {
      this.index.remove(name);
      return refs;
    }
    this.index.upsert(pv);
    if (pv.spec?.claimRef) return refs;
    const c = storageClassOf(pv);
    let m = this.unbound.get(c);
    if (!m) this.unbound.set(c, (m = new Map()));
    m.set(name, pv);
    this.unboundClass.set(name, c);
    return refs;
  }

  claim(namespace: string, name: string): KObject | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }

  volume(name: string): KObject | undefined {
    return this.volumes.get(name);
  }

  storageClass(name: string): KObject | undefined {
    return this.classes.get(name);
  }

  unboundVolumes(className: string): Iterable<KObject> {
    return this.unbound.get(className)?.values() ?? [];
  }

  volumesReferencing(claimKey: string): KObject[] {
    return this.index.referencing(claimKey);
  }

  volumeAssumedFor(volumeName: string): string | undefined {
    return this.assumedVolumes.get(volumeName);
  }

  claimAssumption(claimKey: string): ClaimAssumption | undefined {
    return this.assumedClaims.get(claimKey);
  }

  /** AssumePodVolumes: record what the pod's binding cycle is about to write. */
  assume(podKey: string, pv: PodVolumes): void {
    for (const b of pv.staticBindings) {
      const key = claimKeyOf(b.claim);
      this.assumedVolumes.set(b.volume, key);
      this.assumedClaims.set(key, { node: pv.node, volume: b.volume, pod: podKey });
    }
    for (const c of pv.provisions) this.assumedClaims.set(claimKeyOf(c), { node: pv.node, pod: podKey });
  }

  /** The pod's binding cycle ended: its assumptions go (the objects themselves now tell). */
  release(podKey: string, pv: PodVolumes): void {
    for (const b of pv.staticBindings) {
      if (this.assumedClaims.get(claimKeyOf(b.claim))?.pod !== podKey) continue;
      this.assumedVolumes.delete(b.volume);
      this.assumedClaims.delete(claimKeyOf(b.claim));
    }
    for (const c of pv.provisions) {
      if (this.assumedClaims.get(claimKeyOf(c))?.pod === podKey) this.assumedClaims.delete(claimKeyOf(c));
    }
  }
}
