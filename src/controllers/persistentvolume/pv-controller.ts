// The persistentvolume controller (kube-controller-manager's "persistentvolume-binder"): binds
// claims to volumes, hands claims to provisioners, keeps phases right and reclaims released
// volumes. Level-based: informer events enqueue claim and volume keys; syncClaim/syncVolume
// (claim-sync.ts, volume-sync.ts) read the caches and write only what differs. The informers'
// periodic resync repairs anything a missed event left behind.
//
// Faster than upstream by design (no client-side throttling, many workers, an index instead of a
// scan, and a new Available volume wakes the claims that were waiting for one instead of leaving
// them to the next resync).

import type { KObject } from '../../api/resource.js';
import { storageClassOf } from '../../api/core/volume-printing.js';
import { objectKey } from '../../client/informer.js';
import type { Informer } from '../../client/informer.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, STORAGE_CLASSES } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerDeps } from '../deps.js';
import { syncClaim } from './claim-sync.js';
import type { PvContext, ReclaimPlugins } from './pv-context.js';
import { VolumeIndex } from './volume-index.js';
import type { Claim, Volume } from './volume-match.js';
import { capacityBytes, checkAccessModes, claimRefKey, requestedBytes } from './volume-match.js';
import { syncVolume } from './volume-sync.js';

export const COMPONENT = 'persistentvolume-controller';

export interface PvControllerOptions {
  plugins: ReclaimPlugins;
  claimWorkers?: number;
  volumeWorkers?: number;
  /** How often every volume and claim is synced again (default 15 s). */
  resyncMs?: number;
}

/** Kubernetes' PV binder syncs every volume and claim this often (its resyncPeriod). */
const RESYNC_MS = 15_000;

/** How many waiting claims a newly Available volume wakes. */
const WAKE = 8;

export class PersistentVolumeController {
  private readonly volumes: Informer;
  private readonly claims: Informer;
  private readonly classes: Informer;
  private readonly index = new VolumeIndex();
  private readonly claimQueue: WorkQueue;
  private readonly volumeQueue: WorkQueue;
  /** class → keys of unbound claims that found no volume. */
  private readonly waitingByClass = new Map<string, Set<string>>();
  /** pod key → claim keys it uses while unscheduled; claim key → such pod names. */
  private readonly podClaims = new Map<string, string[]>();
  private readonly unscheduled = new Map<string, Set<string>>();
  private readonly ctx: PvContext;

  constructor(
    private readonly deps: ControllerDeps,
    private readonly opts: PvControllerOptions,
  ) {
    const inf = deps.informers;
    this.volumes = inf.for(PERSISTENT_VOLUMES);
    this.claims = inf.for(PERSISTENT_VOLUME_CLAIMS);
    this.classes = inf.for(STORAGE_CLASSES);
    const log = deps.log;
    this.claimQueue = new WorkQueue((k) => this.reconcileClaim(k), { name: `${COMPONENT} claim`, log, workers: opts.claimWorkers ?? 32 });
    this.volumeQueue = new WorkQueue((k) => this.reconcileVolume(k), { name: `${COMPONENT} volume`, log, workers: opts.volumeWorkers ?? 16 });
    this.ctx = {
      client: deps.client,
      events: deps.events(COMPONENT),
      index: this.index,
      claim: (k) => this.claims.get(k),
      storageClass: (n) => this.classes.get(n),
      storageClasses: () => this.classes.list(),
      unscheduledPodsUsing: (c) => [...(this.unscheduled.get(objectKey(c)) ?? [])].sort(),
      binding: new Map(),
      enqueueClaim: (k) => this.claimQueue.add(k),
      enqueueVolume: (n) => this.volumeQueue.add(n),
      waiting: (c, waits) => this.setWaiting(c, waits),
      plugins: opts.plugins,
      log,
    };
    this.volumes.onChange((name, v) => this.volumeChanged(name, v), { resyncMs: opts.resyncMs ?? RESYNC_MS });
    this.claims.onChange((key, c) => this.claimChanged(key, c), { resyncMs: opts.resyncMs ?? RESYNC_MS });
    this.classes.onChange(() => this.classChanged());
    inf.for(PODS).onChange((key, p) => this.podChanged(key, p));
  }

  start(): void {
    this.claimQueue.run();
    this.volumeQueue.run();
  }

  stop(): void {
    this.claimQueue.stop();
    this.volumeQueue.stop();
  }

  async reconcileClaim(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim) return;
    await syncClaim(this.ctx, claim);
  }

  async reconcileVolume(name: string): Promise<void> {
    const volume = this.index.get(name);
    if (!volume) return;
    await syncVolume(this.ctx, volume);
  }

  private volumeChanged(name: string, v: Volume | undefined): void {
    if (!v) {
      const old = this.index.get(name);
      this.index.remove(name);
      const ref = old && claimRefKey(old);
      if (ref) this.claimQueue.add(ref);
      return;
    }
    this.index.upsert(v);
    this.volumeQueue.add(name);
    if (!v.spec?.claimRef && v.status?.phase === 'Available') this.wakeWaiting(v);
  }

  private claimChanged(key: string, c: Claim | undefined): void {
    if (c) {
      this.claimQueue.add(key);
      return;
    }
    this.dropWaiting(key);
    for (const v of this.index.referencing(key)) this.volumeQueue.add(v.metadata!.name!);
  }

  private classChanged(): void {
    // A new default class or a class created after its claims: look at every unbound claim again.
    for (const c of this.claims.list()) if (!c.spec?.volumeName) this.claimQueue.add(objectKey(c));
  }

  private podChanged(key: string, pod: KObject | undefined): void {
    for (const ck of this.podClaims.get(key) ?? []) this.unscheduled.get(ck)?.delete(pod?.metadata?.name ?? key.split('/')[1]);
    this.podClaims.delete(key);
    if (!pod || pod.spec?.nodeName) return;
    const ns = pod.metadata?.namespace;
    const used: string[] = [];
    for (const vol of pod.spec?.volumes ?? []) {
      const name = vol.persistentVolumeClaim?.claimName ?? (vol.ephemeral ? `${pod.metadata?.name}-${vol.name}` : undefined);
      if (!name) continue;
      const ck = `${ns}/${name}`;
      used.push(ck);
      let s = this.unscheduled.get(ck);
      if (!s) this.unscheduled.set(ck, (s = new Set()));
      s.add(pod.metadata!.name!);
    }
    if (used.length) this.podClaims.set(key, used);
  }

  private setWaiting(claim: Claim, waits: boolean): void {
    const key = objectKey(claim);
    if (!waits) return this.dropWaiting(key);
    const cls = storageClassOf(claim);
    let s = this.waitingByClass.get(cls);
    if (!s) this.waitingByClass.set(cls, (s = new Set()));
    s.add(key);
  }

  private dropWaiting(key: string): void {
    for (const [cls, s] of this.waitingByClass) {
      if (s.delete(key) && s.size === 0) this.waitingByClass.delete(cls);
    }
  }

  /** A volume became Available: enqueue the oldest waiting claims it could serve. */
  private wakeWaiting(v: Volume): void {
    const s = this.waitingByClass.get(storageClassOf(v));
    if (!s) return;
    let woken = 0;
    for (const key of s) {
      const c = this.claims.get(key);
      if (!c || c.spec?.volumeName) {
        s.delete(key);
        continue;
      }
      if (requestedBytes(c) > capacityBytes(v) || !checkAccessModes(c, v)) continue;
      this.claimQueue.add(key);
      if (++woken >= WAKE) return;
    }
  }
}
