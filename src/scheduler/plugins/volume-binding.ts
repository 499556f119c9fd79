// VolumeBinding (pkg/scheduler/framework/plugins/volumebinding with its binder.go): which nodes
// can serve the pod's claims. PreFilter rejects a pod whose claim is missing, Lost, being deleted
// or not created for it (generic ephemeral volumes), or that has an unbound claim of an Immediate
// class (the PV controller binds those); bound claims whose volumes are pinned to hostnames narrow
// the candidates to those nodes. Filter, per node: bound volumes must accept the node (node
// affinity); each unbound WaitForFirstConsumer claim needs either an Available volume that fits
// it and accepts the node (the smallest, with the PV controller's matching rules from
// volume-match.ts) or a class that provisions and whose allowedTopologies admit the node. The
// per-node answer (static bindings, claims to provision) is kept for the binding cycle.
// Beyond Kubernetes: a volume pre-bound to the claim (claimRef set, e.g. by a provisioner) is the
// only one it can use, so a node it does not accept is a conflict rather than a provisioning
// candidate; claims another binding cycle is already binding stick to that cycle's node; hostname
// pins are resolved through the nodes' kubernetes.io/hostname labels, not taken as node names.
// Deliberately absent: CSIStorageCapacity ("did not have enough free storage": berth has no
// capacity objects) and the capacity-based scoring (alpha in 1.32).

import type { KObject } from '../../api/resource.js';
import { storageClassOf } from '../../api/core/volume-printing.js';
import { ANN_BIND_COMPLETED, NO_PROVISIONER } from '../../api/storage/well-known.js';
import {
  capacityBytes,
  checkAccessModes,
  isVolumeBoundToClaim,
  requestedBytes,
  selectorFor,
  volumeModeMismatch,
} from '../../controllers/persistentvolume/volume-match.js';
import { nodeMatchesTopologies } from '../../provisioners/provision-controller.js';
import type { ClaimAssumption, CycleContext, FilterPlugin, Status } from '../framework.js';
import { PluginError, unresolvable } from '../framework.js';
import type { NodeInfo } from '../node-info.js';
import { volumeNodeAffinityMatches } from '../node-selector.js';
import { HOSTNAME_LABEL } from '../scheduler-cache.js';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

/** What the binding cycle must do for the pod's claims on the chosen node. */
export interface PodVolumes {
  node: string;
  /** Available volumes to bind to unbound claims (the volume's claimRef is written). */
  staticBindings: { volume: string; claim: KObject }[];
  /** Claims to provision for the node (volume.kubernetes.io/selected-node is written). */
  provisions: KObject[];
  /** Claims another binding cycle is binding to this node: only waited for. */
  pending: KObject[];
}

/** isPVCFullyBound: volumeName set and the PV controller finished the binding. */
export function isClaimFullyBound(claim: KObject): boolean {
  return !!claim.spec?.volumeName && (claim.metadata?.annotations ?? {})[ANN_BIND_COMPLETED] !== undefined;
}

/** The hostnames a volume's node affinity pins it to, or undefined when some term allows other nodes. */
export function pinnedHostnames(pv: KObject): Set<string> | undefined {
  const terms: any[] | undefined = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms?.length) return undefined;
  const out = new Set<string>();
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const e of t?.matchExpressions ?? []) {
      if (e?.key !== HOSTNAME_LABEL || e.operator !== 'In') continue;
      const s = new Set<string>(e.values ?? []);
      names = names ? new Set([...names].filter((n) => s.has(n))) : s;
    }
    if (!names) return undefined;
    for (const n of names) out.add(n);
  }
  return out;
}

interface ToBind {
  claim: KObject;
  key: string;
  className: string;
  assumption?: ClaimAssumption;
  prebound?: KObject;
  /** Matching Available volumes, smallest first: pinned ones by hostname, and the others. */
  byHost: Map<string, KObject[]>;
  unpinned: KObject[];
}

interface State {
  ctx: CycleContext;
  bound: string[];
  toBind: ToBind[];
  perNode: Map<string, PodVolumes>;
}

const bySize = (a: KObject, b: KObject): number => capacityBytes(a) - capacityBytes(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1);

function candidatesFor(ctx: CycleContext, tb: ToBind): void {
  const claim = tb.claim;
  const want = requestedBytes(claim);
  const selected = selectorFor(claim);
  const list: KObject[] = [];
  for (const v of ctx.volumes.unboundVolumes(tb.className)) {
    if (v.status?.phase !== 'Available' || v.metadata?.deletionTimestamp) continue;
    if (!(capacityBytes(v) >= want) || volumeModeMismatch(claim, v) || !checkAccessModes(claim, v) || !selected(v)) continue;
    const assumedFor = ctx.volumes.volumeAssumedFor(v.metadata!.name!);
    if (assumedFor !== undefined && assumedFor !== tb.key) continue;
    list.push(v);
  }
  list.sort(bySize);
  for (const v of list) {
    const hosts = pinnedHostnames(v);
    if (!hosts) {
      tb.unpinned.push(v);
      continue;
    }
    for (const h of hosts) {
      let b = tb.byHost.get(h);
      if (!b) tb.byHost.set(h, (b = []));
      b.push(v);
    }
  }
}

function claimProblem(ctx: CycleContext, vol: any): { claim?: KObject; status?: Status } {
  const pod = ctx.pod;
  const ns = pod.metadata?.namespace ?? '';
  const ephemeral = !vol.persistentVolumeClaim && !!vol.ephemeral;
  const name: string = ephemeral ? `${pod.metadata?.name}-${vol.name}` : vol.persistentVolumeClaim.claimName;
  const claim = ctx.volumes.claim(ns, name);
  const fail = (msg: string) => ({ status: unresolvable('VolumeBinding', msg) });
  if (!claim) return fail(ephemeral ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"` : `persistentvolumeclaim "${name}" not found`);
  if (claim.status?.phase === 'Lost') return fail(`persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${claim.spec?.volumeName ?? ''}"`);
  if (claim.metadata?.deletionTimestamp) return fail(`persistentvolumeclaim "${name}" is being deleted`);
  if (ephemeral) {
    const owner = (claim.metadata?.ownerReferences ?? []).find((r: any) => r?.controller === true);
    if (!owner || owner.uid !== pod.metadata?.uid) return fail(`PVC ${ns}/${name} was not created for pod ${ns}/${pod.metadata?.name} (pod is not owner)`);
  }
  return { claim };
}

export const volumeBinding: FilterPlugin<State> = {
  name: 'VolumeBinding',
  preFilter(ctx) {
    const state: State = { ctx, bound: [], toBind: [], perNode: new Map() };
    let hasClaims = false;
    let immediate = false;
    let eligible: Set<string> | undefined;
    for (const vol of ctx.pod.spec?.volumes ?? []) {
      if (!vol?.persistentVolumeClaim && !vol?.ephemeral) continue;
      hasClaims = true;
      const { claim, status } = claimProblem(ctx, vol);
      if (status) return { status };
      const c = claim!;
      if (isClaimFullyBound(c)) {
        state.bound.push(c.spec.volumeName);
        const pv = ctx.volumes.volume(c.spec.volumeName);
        const hosts = pv && pinnedHostnames(pv);
        if (hosts) {
          const names = new Set<string>();
          for (const h of hosts) for (const n of ctx.cache.nodesWithHostname(h) ?? []) names.add(n);
          eligible = eligible ? new Set([...eligible].filter((n) => names.has(n))) : names;
        }
        continue;
      }
      const className = storageClassOf(c);
      const cls = className ? ctx.volumes.storageClass(className) : undefined;
      if (cls?.volumeBindingMode !== 'WaitForFirstConsumer' || c.spec?.volumeName) {
        immediate = true;
        continue;
      }
      const key = `${c.metadata?.namespace}/${c.metadata?.name}`;
      const tb: ToBind = { claim: c, key, className, assumption: ctx.volumes.claimAssumption(key), byHost: new Map(), unpinned: [] };
      tb.prebound = ctx.volumes.volumesReferencing(key).find((v) => isVolumeBoundToClaim(v, c));
      if (!tb.assumption && !tb.prebound) candidatesFor(ctx, tb);
      state.toBind.push(tb);
    }
    if (!hasClaims) return {};
    if (immediate) return { status: unresolvable('VolumeBinding', ERR_REASON_UNBOUND_IMMEDIATE) };
    state.toBind.sort((a, b) => requestedBytes(a.claim) - requestedBytes(b.claim));
    return { state, nodeNames: eligible };
  },
  filter(state, node) {
    const { ctx } = state;
    const ref = { name: node.name, labels: node.labels };
    let nodeConflict = false;
    let bindConflict = false;
    let pvMissing = false;
    for (const name of state.bound) {
      const pv = ctx.volumes.volume(name);
      if (!pv) pvMissing = true;
      else if (!volumeNodeAffinityMatches(pv, ref)) nodeConflict = true;
    }
    const pv: PodVolumes = { node: node.name, staticBindings: [], provisions: [], pending: [] };
    const chosen = new Set<string>();
    for (const tb of state.toBind) {
      if (tb.assumption) {
        if (tb.assumption.node === node.name) pv.pending.push(tb.claim);
        else bindConflict = true;
        continue;
      }
      if (tb.prebound) {
        if (volumeNodeAffinityMatches(tb.prebound, ref)) pv.staticBindings.push({ volume: tb.prebound.metadata!.name!, claim: tb.claim });
        else bindConflict = true;
        continue;
      }
      const match = smallestMatch(tb, { node, chosen });
      if (match) {
        chosen.add(match.metadata!.name!);
        pv.staticBindings.push({ volume: match.metadata!.name!, claim: tb.claim });
      } else if (canProvision(ctx, { tb, node })) pv.provisions.push(tb.claim);
      else bindConflict = true;
    }
    const reasons: string[] = [];
    if (nodeConflict) reasons.push(ERR_REASON_NODE_CONFLICT);
    if (bindConflict) reasons.push(ERR_REASON_BIND_CONFLICT);
    if (pvMissing) reasons.push(ERR_REASON_PV_NOT_EXIST);
    if (reasons.length) return unresolvable('VolumeBinding', ...reasons);
    if (state.toBind.length) state.perNode.set(node.name, pv);
    return undefined;
  },
};

function smallestMatch(tb: ToBind, opts: { node: NodeInfo; chosen: Set<string> }): KObject | undefined {
  const { node, chosen } = opts;
  const ref = { name: node.name, labels: node.labels };
  const first = (list: KObject[] | undefined) => list?.find((v) => !chosen.has(v.metadata!.name!) && volumeNodeAffinityMatches(v, ref));
  const host = node.labels[HOSTNAME_LABEL];
  const a = host !== undefined ? first(tb.byHost.get(host)) : undefined;
  const b = first(tb.unpinned);
  if (!a || !b) return a ?? b;
  return bySize(a, b) <= 0 ? a : b;
}

/** checkVolumeProvisions: the class provisions, and its allowedTopologies admit the node. */
function canProvision(ctx: CycleContext, opts: { tb: ToBind; node: NodeInfo }): boolean {
  const { tb, node } = opts;
  const cls = ctx.volumes.storageClass(tb.className);
  if (!cls) throw new PluginError(`failed to find storage class "${tb.className}"`);
  const provisioner: string = cls.provisioner ?? '';
  if (!provisioner || provisioner === NO_PROVISIONER) return false;
  return node.node ? nodeMatchesTopologies(node.node, cls.allowedTopologies) : false;
}

/** The volumes of a pod's choice on a node, for the binding cycle (undefined: nothing to bind). */
export function podVolumesFor(state: unknown, node: string): PodVolumes | undefined {
  return (state as State | undefined)?.perNode.get(node);
}
