// The ReplicaSet controller's view of pods: every pod indexed by the uid of its controller (and
// orphans by namespace), with what a sync needs derived once per pod version (active, ready,
// since when). For each ReplicaSet a sync has looked at, the claim is kept up to date
// incrementally: which of its pods it still selects, how many are fully labeled, ready and
// available, and which ready ones are still waiting out minReadySeconds. A pod event only marks
// the pod dirty in its owner's view, so a sync costs what changed since the last one, not the
// size of the ReplicaSet (a 10,000-pod ReplicaSet is synced hundreds of times while it fills).
// Deliberately absent: adoption and release themselves (replicaset-claims.ts), and any I/O.

import type { KObject } from '../api/resource.js';
import type { ParsedSelector } from '../api/validation/label-selector.js';
import { selectorMatches } from '../api/validation/label-selector.js';
import { isPodActive } from './replicaset-ranking.js';
import type { OwnerReference } from './util/owners.js';
import { controllerOf } from './util/owners.js';
import { isPodReady, podCondition } from './util/pods.js';

export interface PodInfo {
  key: string;
  pod: KObject;
  uid: string | undefined;
  rv: string | undefined;
  controller: OwnerReference | undefined;
  labels: Record<string, string> | undefined;
  deleting: boolean;
  active: boolean;
  ready: boolean;
  /** When the pod became Ready (ms); NaN when unknown. */
  readySince: number;
}

export interface PodCounts {
  replicas: number;
  fullyLabeled: number;
  ready: number;
  available: number;
}

function podInfo(key: string, pod: KObject): PodInfo {
  const ready = isPodReady(pod);
  return {
    key,
    pod,
    uid: pod.metadata?.uid,
    rv: pod.metadata?.resourceVersion,
    controller: controllerOf(pod),
    labels: pod.metadata?.labels,
    deleting: !!pod.metadata?.deletionTimestamp,
    active: isPodActive(pod),
    ready,
    readySince: ready ? Date.parse(podCondition(pod, 'Ready')?.lastTransitionTime ?? '') : NaN,
  };
}

function hasLabels(labels: Record<string, string> | undefined, want: Record<string, string> | undefined): boolean {
  for (const k in want) if (labels?.[k] !== want[k]) return false;
  return true;
}

function isAvailable(info: PodInfo, minReadySeconds: number, now: number): boolean {
  if (!info.ready) return false;
  if (!minReadySeconds) return true;
  return !Number.isNaN(info.readySince) && info.readySince + minReadySeconds * 1000 <= now;
}

/** Counts of any pods (the ones a sync just adopted), as the view counts its own. */
export function countPods(rs: KObject, pods: readonly KObject[], now: Date): PodCounts {
  const counts: PodCounts = { replicas: 0, fullyLabeled: 0, ready: 0, available: 0 };
  const template = rs.spec?.template?.metadata?.labels;
  const minReady = rs.spec?.minReadySeconds ?? 0;
  for (const pod of pods) {
    const info = podInfo('', pod);
    counts.replicas++;
    if (hasLabels(info.labels, template)) counts.fullyLabeled++;
    if (info.ready) counts.ready++;
    if (isAvailable(info, minReady, now.getTime())) counts.available++;
  }
  return counts;
}

interface Contribution {
  fully: boolean;
  ready: boolean;
  available: boolean;
}

/** One ReplicaSet's claim over the pods it controls, maintained incrementally. */
class OwnerView {
  selectorKey = '';
  templateKey = '';
  minReady = 0;
  /** Controlled, active and selected. */
  readonly claimed = new Map<string, PodInfo>();
  /** Controlled and active but no longer selected: to release. */
  readonly unselected = new Map<string, PodInfo>();
  readonly contrib = new Map<string, Contribution>();
  /** Claimed, ready, not yet available. */
  readonly waiting = new Set<string>();
  readonly dirty = new Set<string>();
  stale = true;
  counts: PodCounts = { replicas: 0, fullyLabeled: 0, ready: 0, available: 0 };

  remove(key: string): void {
    this.unselected.delete(key);
    const c = this.contrib.get(key);
    if (!c) return;
    this.claimed.delete(key);
    this.contrib.delete(key);
    this.waiting.delete(key);
    this.counts.replicas--;
    if (c.fully) this.counts.fullyLabeled--;
    if (c.ready) this.counts.ready--;
    if (c.available) this.counts.available--;
  }

  add(info: PodInfo, opts: { selector: ParsedSelector; template: Record<string, string> | undefined; now: number }): void {
    if (!selectorMatches(opts.selector, info.labels)) {
      this.unselected.set(info.key, info);
      return;
    }
    const c: Contribution = { fully: hasLabels(info.labels, opts.template), ready: info.ready, available: isAvailable(info, this.minReady, opts.now) };
    this.claimed.set(info.key, info);
    this.contrib.set(info.key, c);
    this.counts.replicas++;
    if (c.fully) this.counts.fullyLabeled++;
    if (c.ready) this.counts.ready++;
    if (c.available) this.counts.available++;
    else if (c.ready) this.waiting.add(info.key);
  }

  reset(): void {
    this.claimed.clear();
    this.unselected.clear();
    this.contrib.clear();
    this.waiting.clear();
    this.dirty.clear();
    this.counts = { replicas: 0, fullyLabeled: 0, ready: 0, available: 0 };
  }
}

export interface ClaimView {
  counts: PodCounts;
  claimed: ReadonlyMap<string, PodInfo>;
  unselected: ReadonlyMap<string, PodInfo>;
  /** Milliseconds until the next claimed ready pod becomes available; undefined when none waits. */
  nextAvailableMs: number | undefined;
}

export class ReplicaSetPods {
  private readonly byKey = new Map<string, PodInfo>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly orphansByNs = new Map<string, Set<string>>();
  private readonly views = new Map<string, OwnerView>();

  get(key: string): PodInfo | undefined {
    return this.byKey.get(key);
  }

  /** Records the pod's new version; returns what was known before. */
  set(key: string, pod: KObject): { prev: PodInfo | undefined; cur: PodInfo } {
    const prev = this.delete(key);
    const cur = podInfo(key, pod);
    this.byKey.set(key, cur);
    if (cur.controller) group(this.byOwner, cur.controller.uid, key, true);
    else group(this.orphansByNs, key.slice(0, key.indexOf('/')), key, true);
    if (cur.controller) this.views.get(cur.controller.uid)?.dirty.add(key);
    return { prev, cur };
  }

  delete(key: string): PodInfo | undefined {
    const prev = this.byKey.get(key);
    if (!prev) return undefined;
    this.byKey.delete(key);
    if (prev.controller) {
      group(this.byOwner, prev.controller.uid, key, false);
      this.views.get(prev.controller.uid)?.dirty.add(key);
    } else group(this.orphansByNs, key.slice(0, key.indexOf('/')), key, false);
    return prev;
  }

  /** Pods without a controller in the namespace. */
  orphans(namespace: string): PodInfo[] {
    return [...(this.orphansByNs.get(namespace) ?? [])].map((k) => this.byKey.get(k)!);
  }

  /** Every pod (active or not) the owner controls. */
  ownedBy(uid: string): PodInfo[] {
    return [...(this.byOwner.get(uid) ?? [])].map((k) => this.byKey.get(k)!);
  }

  /** The ReplicaSet's claim over the pods it controls, brought up to date. */
  view(rs: KObject, opts: { selector: ParsedSelector; now: Date }): ClaimView {
    const uid = rs.metadata!.uid!;
    let v = this.views.get(uid);
    if (!v) this.views.set(uid, (v = new OwnerView()));
    const template = rs.spec?.template?.metadata?.labels;
    const selectorKey = JSON.stringify(rs.spec?.selector ?? null);
    const templateKey = JSON.stringify(template ?? {});
    const minReady = rs.spec?.minReadySeconds ?? 0;
    if (v.selectorKey !== selectorKey || v.templateKey !== templateKey || v.minReady !== minReady) {
      Object.assign(v, { selectorKey, templateKey, minReady, stale: true });
    }
    const now = opts.now.getTime();
    const ctx = { selector: opts.selector, template, now };
    const apply = (key: string) => {
      v.remove(key);
      const info = this.byKey.get(key);
      if (info && info.active && info.controller?.uid === uid) v.add(info, ctx);
    };
    if (v.stale) {
      v.reset();
      for (const key of this.byOwner.get(uid) ?? []) apply(key);
      v.stale = false;
    } else {
      for (const key of v.dirty) apply(key);
    }
    v.dirty.clear();
    let next: number | undefined;
    for (const key of v.waiting) {
      const info = v.claimed.get(key)!;
      if (isAvailable(info, minReady, now)) {
        v.waiting.delete(key);
        v.contrib.get(key)!.available = true;
        v.counts.available++;
        continue;
      }
      const wait = Number.isNaN(info.readySince) ? minReady * 1000 : info.readySince + minReady * 1000 - now;
      next = Math.min(next ?? Infinity, Math.max(wait, 0));
    }
    return { counts: { ...v.counts }, claimed: v.claimed, unselected: v.unselected, nextAvailableMs: next };
  }

  /** Forgets the view of a ReplicaSet that is gone. */
  dropView(uid: string): void {
    this.views.delete(uid);
  }
}

function group(map: Map<string, Set<string>>, name: string, key: string, present: boolean): void {
  let s = map.get(name);
  if (present) {
    if (!s) map.set(name, (s = new Set()));
    s.add(key);
  } else if (s) {
    s.delete(key);
    if (!s.size) map.delete(name);
  }
}
