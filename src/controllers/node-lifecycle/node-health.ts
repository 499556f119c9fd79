// Node health as the node lifecycle controller judges it (nodelifecycle tryUpdateNodeHealth): the
// last sign of life of each node, timed on the controller's own clock, and the conditions a node
// gets when it has shown none for its grace period. A sign of life is a change of the Ready
// condition's lastHeartbeatTime or a newer renewTime on the node's Lease; what matters is when this
// controller saw it, not the time written in it, so clock skew between an agent and the control
// plane cannot make a node look dead or alive. A node seen for the first time (for instance after
// a control-plane restart) gets a full grace period from that moment.
// Deliberately absent: writes (the controller makes them) and Kubernetes' readyTransitionTimestamp,
// which only its removed non-taint eviction mode used.

import type { KObject } from '../../api/resource.js';

export interface NodeHealth {
  /** When this controller last saw a sign of life (its clock, ms since the epoch). */
  probeMs: number;
  /** The Ready condition's lastHeartbeatTime as last seen ('' when there was no Ready condition). */
  heartbeat: string;
  hasReady: boolean;
  /** The Lease's renewTime as last seen. */
  renewTime?: string;
}

/** The conditions the controller turns Unknown (NodeNetworkUnavailable is the network's, not the agent's). */
export const AGENT_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function nodeCondition(node: KObject | undefined, type: string): any | undefined {
  return (node?.status?.conditions ?? []).find((c: any) => c?.type === type);
}

/** The Ready condition's status; a node that never posted one counts as Unknown. */
export function readyStatus(node: KObject | undefined): 'True' | 'False' | 'Unknown' {
  const s = nodeCondition(node, 'Ready')?.status;
  return s === 'True' || s === 'False' ? s : 'Unknown';
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A MicroTime (or Time) as microseconds since the epoch, NaN when unreadable. */
function micros(t: string): number {
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) return NaN;
  const frac = /\.(\d+)/.exec(t)?.[1] ?? '';
  return Math.floor(ms / 1000) * 1e6 + Number((frac + '000000').slice(0, 6));
}

function renewedAfter(next: string, prev: string | undefined): boolean {
  if (prev === undefined) return true;
  const a = micros(next);
  const b = micros(prev);
  return !Number.isNaN(a) && (Number.isNaN(b) || a > b);
}

/**
 * The node's health after looking at it and its Lease at `seen.nowMs` (tryUpdateNodeHealth's
 * bookkeeping). `prev` is not modified.
 */
export function observeHealth(prev: NodeHealth | undefined, seen: { node: KObject; lease?: KObject; nowMs: number }): NodeHealth {
  const { node, lease, nowMs } = seen;
  const ready = nodeCondition(node, 'Ready');
  const heartbeat = String(ready?.lastHeartbeatTime ?? '');
  let h: NodeHealth;
  if (!ready) {
    // Never posted a status: the grace period runs from the node's creation (startup grace). The
    // timestamp has whole seconds; reading it as the end of its second is never early.
    const created = Date.parse(node.metadata?.creationTimestamp ?? '');
    const probeMs = Number.isNaN(created) ? nowMs : Math.min(created + 999, nowMs);
    h = prev ? { ...prev, hasReady: false, heartbeat: '' } : { probeMs, heartbeat: '', hasReady: false };
  } else if (!prev || !prev.hasReady || prev.heartbeat !== heartbeat) {
    h = { ...prev, probeMs: nowMs, heartbeat, hasReady: true };
  } else {
    h = { ...prev };
  }
  const renew = lease?.spec?.renewTime;
  if (typeof renew === 'string' && renew && renewedAfter(renew, prev?.renewTime)) {
    h.renewTime = renew;
    h.probeMs = nowMs;
  }
  return h;
}

/**
 * Sets the agent-reported conditions of `node` (a private copy) to Unknown, as Kubernetes does
 * when a node stops posting its status. Returns whether the Ready condition changed (only then is
 * the status written, as in Kubernetes).
 */
export function markConditionsUnknown(node: KObject, nowIso: string): boolean {
  const status = (node.status ??= {});
  const conditions: any[] = (status.conditions ??= []);
  let readyChanged = false;
  for (const type of AGENT_CONDITIONS) {
    const c = conditions.find((x) => x?.type === type);
    if (!c) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp,
        lastTransitionTime: nowIso,
      });
      if (type === 'Ready') readyChanged = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = 'NodeStatusUnknown';
      c.message = 'Kubelet stopped posting node status.';
      c.lastTransitionTime = nowIso;
      if (type === 'Ready') readyChanged = true;
    }
  }
  return readyChanged;
}
