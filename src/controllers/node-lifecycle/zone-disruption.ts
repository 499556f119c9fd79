// Zone disruption, as the node lifecycle controller guards evictions with it (nodelifecycle
// ComputeZoneState, handleDisruption, the per-zone NoExecute tainting rate limiters): nodes are
// grouped by zone (region and zone labels); a zone with no Ready node is FullDisruption, one with
// more than two not-Ready nodes making at least unhealthyZoneThreshold of it is PartialDisruption,
// else Normal. When every zone is fully disrupted the control plane is the likelier culprit, so no
// node gets a NoExecute taint and those present are removed; a partially disrupted zone taints
// slowly (large zones) or not at all (small zones); otherwise one node per zone is tainted every
// 1/rate seconds. The tracker keeps counts per zone, updated from node events, so a decision
// costs O(zones), not O(nodes).
// Deliberately absent: writes, and Kubernetes' metrics (zone size, health, evictions).

import type { KObject } from '../../api/resource.js';
import { readyStatus } from './node-health.js';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface DisruptionOptions {
  /** --node-eviction-rate: NoExecute taints per second per healthy zone (Kubernetes 0.1). */
  evictionRate: number;
  /** --secondary-node-eviction-rate: per second in a partially disrupted large zone (0.01). */
  secondaryEvictionRate: number;
  /** --large-cluster-size-threshold: above this many nodes a zone is large (50). */
  largeClusterThreshold: number;
  /** --unhealthy-zone-threshold: share of not-Ready nodes making a zone partially disrupted (0.55). */
  unhealthyZoneThreshold: number;
}

/** Nodes with this label count in no zone's health (labelNodeDisruptionExclusion). */
export const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';

/** nodetopology.GetZoneKey: region and zone, beta labels first; '' when the node has neither. */
export function zoneKey(node: KObject): string {
  const l: Record<string, string> = node.metadata?.labels ?? {};
  const zone = l['failure-domain.beta.kubernetes.io/zone'] ?? l['topology.kubernetes.io/zone'] ?? '';
  const region = l['failure-domain.beta.kubernetes.io/region'] ?? l['topology.kubernetes.io/region'] ?? '';
  if (!region && !zone) return '';
  return `${region}:\u0000:${zone}`;
}

/** ComputeZoneState. */
export function computeZoneState(counts: { ready: number; notReady: number }, unhealthyZoneThreshold: number): ZoneState {
  const { ready, notReady } = counts;
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
}

interface Member {
  zone: string;
  ready: boolean;
  counted: boolean;
}

export class ZoneTracker {
  private readonly members = new Map<string, Member>();
  private readonly counts = new Map<string, { ready: number; notReady: number }>();
  /** zone → every node in it, counted or not (for re-examining a zone's nodes). */
  private readonly nodesByZone = new Map<string, Set<string>>();
  /** zone → when its next NoExecute taint may be added (ms), and the rate that applies. */
  private readonly limiters = new Map<string, { rate: number; nextMs: number; prevMs: number }>();

  constructor(private readonly opts: DisruptionOptions) {}

  /** Records a node's zone and readiness; returns whether either changed. */
  update(name: string, node: KObject | undefined): boolean {
    const prev = this.members.get(name);
    const next: Member | undefined = node
      ? { zone: zoneKey(node), ready: readyStatus(node) === 'True', counted: !(EXCLUDE_DISRUPTION_LABEL in (node.metadata?.labels ?? {})) }
      : undefined;
    if (prev && next && prev.zone === next.zone && prev.ready === next.ready && prev.counted === next.counted) return false;
    if (prev) {
      this.count(prev, -1);
      const s = this.nodesByZone.get(prev.zone);
      s?.delete(name);
      if (s && s.size === 0) this.nodesByZone.delete(prev.zone);
      this.members.delete(name);
    }
    if (next) {
      this.members.set(name, next);
      this.count(next, 1);
      let s = this.nodesByZone.get(next.zone);
      if (!s) this.nodesByZone.set(next.zone, (s = new Set()));
      s.add(name);
    }
    return true;
  }

  private count(m: Member, d: 1 | -1): void {
    if (!m.counted) return;
    let c = this.counts.get(m.zone);
    if (!c) this.counts.set(m.zone, (c = { ready: 0, notReady: 0 }));
    if (m.ready) c.ready += d;
    else c.notReady += d;
    if (c.ready === 0 && c.notReady === 0) this.counts.delete(m.zone);
  }

  zoneOf(name: string): string | undefined {
    return this.members.get(name)?.zone;
  }

  nodesIn(zone: string): string[] {
    return [...(this.nodesByZone.get(zone) ?? [])];
  }

  allNodes(): string[] {
    return [...this.members.keys()];
  }

  /** The state of every zone with counted nodes. */
  states(): Map<string, ZoneState> {
    const out = new Map<string, ZoneState>();
    for (const [zone, c] of this.counts) out.set(zone, computeZoneState(c, this.opts.unhealthyZoneThreshold));
    return out;
  }

  /** Every zone is fully disrupted (and there is at least one). */
  allFullyDisrupted(states = this.states()): boolean {
    return states.size > 0 && [...states.values()].every((s) => s === 'FullDisruption');
  }

  /** NoExecute taints per second allowed in a zone now (setLimiterInZone); 0 stops tainting. */
  rate(zone: string, states = this.states()): number {
    if (this.allFullyDisrupted(states)) return 0;
    const state = states.get(zone) ?? 'Normal';
    if (state !== 'PartialDisruption') return this.opts.evictionRate;
    const size = (this.counts.get(zone)?.ready ?? 0) + (this.counts.get(zone)?.notReady ?? 0);
    return size > this.opts.largeClusterThreshold ? this.opts.secondaryEvictionRate : 0;
  }

  /**
   * Takes the zone's token for one new NoExecute taint (a token bucket of burst 1, refilled at the
   * zone's rate; a changed rate starts with a full bucket, as SwapLimiter does). Returns 0 when
   * granted, else the ms to wait (Infinity while tainting is stopped).
   */
  acquire(zone: string, nowMs: number): number {
    const rate = this.rate(zone);
    let l = this.limiters.get(zone);
    if (!l || l.rate !== rate) this.limiters.set(zone, (l = { rate, nextMs: 0, prevMs: 0 }));
    if (rate <= 0) return Infinity;
    if (nowMs < l.nextMs) return l.nextMs - nowMs;
    l.prevMs = l.nextMs;
    l.nextMs = nowMs + 1000 / rate;
    return 0;
  }

  /** Gives back the token of a taint that could not be written (a conflict is retried at once). */
  refund(zone: string): void {
    const l = this.limiters.get(zone);
    if (l) l.nextMs = l.prevMs;
  }
}
