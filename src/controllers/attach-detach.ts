// The attach-detach controller (kube-controller-manager's `attachdetach-controller`, together with
// the attacher berth is for its own volumes): every scheduled pod that uses a claim Bound to a
// PersistentVolume needs a storage.k8s.io/v1 VolumeAttachment for (volume, node), named
// `berth-<hash of "pv/node">` with spec.attacher `attacher.berth.dev`; berth then marks it
// attached through the status subresource. A volume whose access modes include neither
// ReadWriteMany nor ReadOnlyMany is attached to one node at a time (reconciler.go
// isMultiAttachForbidden): while it is attached elsewhere the new attachment stays
// attached=false and the waiting pods get Kubernetes' Warning FailedAttachVolume "Multi-Attach
// error for volume ..." once. An attachment is deleted (detached) when no pod on its node uses
// the volume any more: the pod is gone or in a terminal phase. A Terminating pod keeps its
// attachment until its object is gone (Kubernetes waits for the kubelet to report the volume
// unmounted; berth cannot see a dead node's mounts, so this is what keeps a StatefulSet pod on a
// lost node from sharing its ReadWriteOnce volume). When a detach frees the volume, the oldest
// waiting attachment becomes attached. Level-based per volume: every pod, claim, volume and
// attachment event enqueues the volumes it concerns; reconcile(pvName) reads the caches.
// Deliberately absent: inline CSI volumes, attachments of other attachers (left alone), node
// status volumesAttached/volumesInUse, and the maximum-wait force-detach of Kubernetes.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import type { EventRecorder } from '../client/events.js';
import type { Informer } from '../client/informer.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, PODS, VOLUME_ATTACHMENTS } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from './deps.js';
import { computeHash } from './util/hash.js';
import { isPodTerminal, podClaimNames } from './util/pods.js';

export const ATTACH_DETACH_COMPONENT = 'attachdetach-controller';
/** spec.attacher of berth's attachments (a CSI driver name must be a DNS-1123 subdomain). */
export const BERTH_ATTACHER = 'attacher.berth.dev';

/** The attachment's name for (volume, node); a hash collision with another pair takes the next count. */
export function volumeAttachmentName(pvName: string, nodeName: string, opts: { collision?: number } = {}): string {
  return `berth-${computeHash(`${pvName}/${nodeName}`, opts.collision)}`;
}

/** reconciler.isMultiAttachForbidden for a PersistentVolume. */
export function multiAttachAllowed(pv: KObject | undefined): boolean {
  const modes: string[] = pv?.spec?.accessModes ?? [];
  return modes.length === 0 || modes.includes('ReadWriteMany') || modes.includes('ReadOnlyMany');
}

const asAttachment = (o: KObject): KObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', ...o });
const podRef = (pod: KObject): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata });

/** key → set of values, with empty sets dropped. */
class Index extends Map<string, Set<string>> {
  link(k: string, v: string): void {
    let s = this.get(k);
    if (!s) this.set(k, (s = new Set()));
    s.add(v);
  }
  unlink(k: string, v: string): void {
    const s = this.get(k);
    s?.delete(v);
    if (s?.size === 0) this.delete(k);
  }
}

export class AttachDetachController {
  private readonly pods: Informer;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly attachments: Informer;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  /** pod key → claim keys it names; claim key → pods naming it. */
  private readonly podClaims = new Map<string, string[]>();
  private readonly claimPods = new Index();
  /** pod key → volumes it holds; volume → pods holding it. */
  private readonly podVolumes = new Map<string, Set<string>>();
  private readonly volumePods = new Index();
  /** volume → names of our attachments of it. */
  private readonly volumeAttachments = new Index();
  private readonly attachmentVolume = new Map<string, string>();
  /** volume → the attachment this process marked attached (ahead of the informer's copy). */
  private readonly attachedHere = new Map<string, string>();
  /** volume → `podUid/node` already told about a Multi-Attach error. */
  private readonly reported = new Map<string, Set<string>>();

  constructor(
    private readonly deps: ControllerDeps,
    opts: { workers?: number } = {},
  ) {
    const inf = deps.informers;
    this.pods = inf.for(PODS);
    this.claims = inf.for(PERSISTENT_VOLUME_CLAIMS);
    this.volumes = inf.for(PERSISTENT_VOLUMES);
    this.attachments = inf.for(VOLUME_ATTACHMENTS);
    this.events = deps.events(ATTACH_DETACH_COMPONENT);
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: ATTACH_DETACH_COMPONENT, log: deps.log, workers: opts.workers ?? 4 });
    this.pods.onChange((key, pod) => this.podChanged(key, pod));
    this.claims.onChange((key, claim) => {
      for (const p of this.claimPods.get(key) ?? []) this.resolvePod(p);
      if (claim?.spec?.volumeName) this.queue.add(claim.spec.volumeName);
    });
    this.volumes.onChange((name, pv) => {
      const ref = pv?.spec?.claimRef;
      if (ref) for (const p of this.claimPods.get(`${ref.namespace}/${ref.name}`) ?? []) this.resolvePod(p);
      for (const p of [...(this.volumePods.get(name) ?? [])]) this.resolvePod(p);
      this.queue.add(name);
    });
    this.attachments.onChange((name, va) => this.attachmentChanged(name, va));
  }

  start(): void {
    this.queue.run();
  }

  async stop(): Promise<void> {
    this.queue.stop();
    await this.events.flush();
  }

  private podChanged(key: string, pod: KObject | undefined): void {
    for (const c of this.podClaims.get(key) ?? []) this.claimPods.unlink(c, key);
    this.podClaims.delete(key);
    if (pod) {
      const ns = pod.metadata?.namespace ?? '';
      const claims = podClaimNames(pod).map((n) => `${ns}/${n}`);
      if (claims.length) this.podClaims.set(key, claims);
      for (const c of claims) this.claimPods.link(c, key);
    }
    this.resolvePod(key);
  }

  /** Recomputes the volumes a pod holds; every volume gained or lost is reconciled. */
  private resolvePod(key: string): void {
    const pod = this.pods.get(key);
    const next = new Set<string>();
    if (pod?.spec?.nodeName && !isPodTerminal(pod)) {
      for (const ck of this.podClaims.get(key) ?? []) {
        const claim = this.claims.get(ck);
        const pvName: string | undefined = claim?.spec?.volumeName;
        if (!pvName || claim?.status?.phase !== 'Bound') continue;
        const pv = this.volumes.get(pvName);
        if (pv && pv.spec?.claimRef?.uid === claim?.metadata?.uid) next.add(pvName);
      }
    }
    const prev = this.podVolumes.get(key) ?? new Set<string>();
    for (const v of prev) if (!next.has(v)) this.volumePods.unlink(v, key);
    for (const v of next) this.volumePods.link(v, key);
    if (next.size) this.podVolumes.set(key, next);
    else this.podVolumes.delete(key);
    for (const v of new Set([...prev, ...next])) this.queue.add(v);
  }

  private attachmentChanged(name: string, va: KObject | undefined): void {
    const old = this.attachmentVolume.get(name);
    if (old !== undefined) {
      this.volumeAttachments.unlink(old, name);
      this.attachmentVolume.delete(name);
      this.queue.add(old);
    }
    const pv: string | undefined = va?.spec?.source?.persistentVolumeName;
    if (!va && old !== undefined && this.attachedHere.get(old) === name) this.attachedHere.delete(old);
    if (!va || va.spec?.attacher !== BERTH_ATTACHER || !pv) return;
    this.volumeAttachments.link(pv, name);
    this.attachmentVolume.set(name, pv);
    this.queue.add(pv);
  }

  /** node → pods on it holding the volume (scheduled, not terminal; Terminating ones included). */
  private desired(pvName: string): Map<string, KObject[]> {
    const out = new Map<string, KObject[]>();
    for (const key of this.volumePods.get(pvName) ?? []) {
      const pod = this.pods.get(key);
      const node: string | undefined = pod?.spec?.nodeName;
      if (!pod || !node || isPodTerminal(pod)) continue;
      const list = out.get(node) ?? [];
      list.push(pod);
      out.set(node, list);
    }
    return out;
  }

  async reconcile(pvName: string): Promise<void> {
    const pv = this.volumes.get(pvName);
    const desired = pv ? this.desired(pvName) : new Map<string, KObject[]>();
    const existing = [...(this.volumeAttachments.get(pvName) ?? [])].map((n) => this.attachments.get(n)).filter((v): v is KObject => !!v);
    const byNode = new Map<string, KObject>();
    const holders: KObject[] = [];
    const markedHere = this.attachedHere.get(pvName);
    for (const va of existing) {
      // Our own mark counts even before the informer shows it: never two holders of one volume.
      if (va.status?.attached === true || va.metadata?.name === markedHere) holders.push(va);
      if (desired.has(va.spec?.nodeName) && !va.metadata?.deletionTimestamp) {
        byNode.set(va.spec.nodeName, va);
        continue;
      }
      if (!va.metadata?.deletionTimestamp) await this.detach(va);
    }
    for (const node of desired.keys()) if (!byNode.has(node)) await this.create(pvName, node);
    const waiting = [...byNode.values()].filter((va) => va.status?.attached !== true && va.metadata?.name !== markedHere);
    if (multiAttachAllowed(pv)) {
      for (const va of waiting) await this.markAttached(va);
      this.reported.delete(pvName);
      return;
    }
    if (holders.length === 0 && waiting.length) {
      const first = waiting.sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata!.name! < b.metadata!.name! ? -1 : 1))[0];
      await this.markAttached(first);
      holders.push(first);
      waiting.shift();
    }
    this.reportMultiAttach(pvName, { desired, holders, waiting });
  }

  private async create(pvName: string, node: string): Promise<void> {
    for (let collision = 0; collision < 10; collision++) {
      const name = volumeAttachmentName(pvName, node, { collision: collision === 0 ? undefined : collision });
      const cached = this.attachments.get(name);
      if (cached) {
        if (cached.spec?.source?.persistentVolumeName === pvName && cached.spec?.nodeName === node) return;
        continue;
      }
      try {
        await this.deps.client.create(VOLUME_ATTACHMENTS, undefined, {
          apiVersion: 'storage.k8s.io/v1',
          kind: 'VolumeAttachment',
          metadata: { name },
          spec: { attacher: BERTH_ATTACHER, source: { persistentVolumeName: pvName }, nodeName: node },
        });
        this.deps.log?.(`${ATTACH_DETACH_COMPONENT} ATTACH ${pvName} to ${node} => created ${name}`);
        return;
      } catch (e) {
        if (!isApiError(e) || e.code !== 409) throw e;
        const live = await this.deps.client.get(VOLUME_ATTACHMENTS, undefined, name);
        if (live.spec?.source?.persistentVolumeName === pvName && live.spec?.nodeName === node) return;
      }
    }
    throw new Error(`no free VolumeAttachment name for volume "${pvName}" on node "${node}"`);
  }

  private async markAttached(va: KObject): Promise<void> {
    const next = structuredClone(va);
    next.status = { ...next.status, attached: true };
    await this.deps.client.update(VOLUME_ATTACHMENTS, asAttachment(next), 'status');
    this.attachedHere.set(va.spec?.source?.persistentVolumeName, va.metadata!.name!);
    this.deps.log?.(`${ATTACH_DETACH_COMPONENT} ATTACH ${va.spec?.source?.persistentVolumeName} to ${va.spec?.nodeName} => attached`);
  }

  private async detach(va: KObject): Promise<void> {
    try {
      await this.deps.client.delete(VOLUME_ATTACHMENTS, undefined, va.metadata!.name!, { preconditions: { uid: va.metadata?.uid } });
    } catch (e) {
      if (!isApiError(e) || (e.code !== 404 && e.code !== 409)) throw e;
    }
    this.deps.log?.(`${ATTACH_DETACH_COMPONENT} DETACH ${va.spec?.source?.persistentVolumeName} from ${va.spec?.nodeName} => deleted ${va.metadata?.name}`);
  }

  /** reportMultiAttachError: once per waiting pod, naming the pods that hold the volume elsewhere when there are any. */
  private reportMultiAttach(pvName: string, s: { desired: Map<string, KObject[]>; holders: KObject[]; waiting: KObject[] }): void {
    const seen = this.reported.get(pvName) ?? new Set<string>();
    const still = new Set<string>();
    const holderNodes = new Set(s.holders.map((va) => va.spec?.nodeName));
    for (const va of s.waiting) {
      const node: string = va.spec?.nodeName;
      const others = [...holderNodes].filter((n) => n !== node).flatMap((n) => s.desired.get(n) ?? []);
      for (const pod of s.desired.get(node) ?? []) {
        const id = `${pod.metadata?.uid}/${node}`;
        still.add(id);
        if (seen.has(id)) continue;
        const local = others.filter((o) => o.metadata?.namespace === pod.metadata?.namespace).map((o) => o.metadata?.name);
        const elsewhere = others.length - local.length;
        let msg: string;
        if (others.length === 0) msg = "Volume is already exclusively attached to one node and can't be attached to another";
        else if (local.length) msg = `Volume is already used by pod(s) ${local.join(', ')}${elsewhere ? ` and ${elsewhere} pod(s) in different namespaces` : ''}`;
        else msg = `Volume is already used by ${elsewhere} pod(s) in different namespaces`;
        this.events.event(podRef(pod), 'Warning', 'FailedAttachVolume', `Multi-Attach error for volume "${pvName}" ${msg}`);
      }
    }
    // Every pod still waiting has been told now; a pod that stops waiting may be told again later.
    if (still.size) this.reported.set(pvName, still);
    else this.reported.delete(pvName);
  }
}
