// The agent's pod workers: reconcile(key) brings one pod on this node to what its object asks
// (the kubelet's SyncPod / SyncTerminatingPod / SyncTerminatedPod). Records are kept by UID, so an
// old incarnation of a name (a StatefulSet pod deleted and recreated here) finishes terminating
// while the new one starts. For a running pod, in order: network ready (a podCIDR; NetworkNotReady
// otherwise), volumes (Pending with FailedMount events while a claim is unbound or a volume
// unattached), pod IP, sandbox, containers, probes, then one status write with everything.
// adopt() takes over the pods of a previous agent run before any sync: IPs are re-reserved and
// running containers stay running (no restart, restart counts kept).
// Deliberately absent: node-level admission (resource fit, node affinity; the scheduler decides),
// static pods.

import type { KObject } from '../api/resource.js';
import type { Wake } from './pod-containers.js';
import { runProbes, syncContainers } from './pod-containers.js';
import type { PodContext, PodRecord } from './pod-context.js';
import { newRecord, newestPod } from './pod-context.js';
import { generatePodStatus } from './pod-status.js';
import { forgetPod, syncTerminal, syncTerminating } from './pod-termination.js';
import { writePodStatus } from './status-writer.js';
import type { VolumeSetupResult } from './volume-setup.js';

const list = (names: string[]) => `[${names.join(' ')}]`;
const isTerminalPhase = (p: KObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class PodWorkers {
  private readonly records = new Map<string, PodRecord>();
  private readonly uidsByKey = new Map<string, Set<string>>();
  /** Pods that found no free address, tried again when one is released. */
  private readonly addressWaiters = new Set<string>();

  constructor(
    private readonly ctx: PodContext,
    private readonly opts: { get(key: string): KObject | undefined; networkMessage(): string },
  ) {}

  keyOf(uid: string): string | undefined {
    return this.records.get(uid)?.key;
  }

  get size(): number {
    return this.records.size;
  }

  /** The keys waiting for a pod address (the agent enqueues them when one is released). */
  takeAddressWaiters(): string[] {
    const keys = [...this.addressWaiters];
    this.addressWaiters.clear();
    return keys;
  }

  private record(pod: KObject, key: string): PodRecord {
    const uid = pod.metadata?.uid ?? '';
    let rec = this.records.get(uid);
    if (!rec) {
      this.records.set(uid, (rec = newRecord(pod, key)));
      let set = this.uidsByKey.get(key);
      if (!set) this.uidsByKey.set(key, (set = new Set()));
      set.add(uid);
    }
    return rec;
  }

  private drop(rec: PodRecord): void {
    this.records.delete(rec.uid);
    const set = this.uidsByKey.get(rec.key);
    set?.delete(rec.uid);
    if (set && !set.size) this.uidsByKey.delete(rec.key);
  }

  /** Agent restart: re-claim the pod's IP and its runtime state before workers run. */
  adopt(pod: KObject, key: string): void {
    if (isTerminalPhase(pod)) return;
    const rec = this.record(pod, key);
    const rp = this.ctx.runtime.pod(rec.uid) ?? this.ctx.runtime.adopt(pod);
    if (!rp) return;
    const ip = rp.sandbox.ip ?? pod.status?.podIP;
    if (ip && !pod.spec?.hostNetwork && this.ctx.ipam()?.reserve(rec.uid, ip) === false) {
      this.ctx.log?.(`ADOPT pod ${key}: address ${ip} is outside this node's range or taken`);
    }
    // The volumes were set up by the previous run (the kubelet reconstructs them from disk).
    rec.volumes = [];
    for (const s of pod.status?.containerStatuses ?? []) if (s.state?.running) rec.announced.add(`${String(s.containerID).split('://')[1]}/started`);
    this.ctx.log?.(`ADOPT pod ${key} (${rec.uid}) => ${rp.containers.filter((c) => c.phase === 'running').length} running containers`);
  }

  async reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    let next: number | undefined;
    const wake: Wake = (ms) => (next = next === undefined ? Math.max(0, ms) : Math.min(next, Math.max(0, ms)));
    const cached = this.opts.get(key);
    for (const uid of [...(this.uidsByKey.get(key) ?? [])]) {
      if (uid === cached?.metadata?.uid) continue;
      const old = this.records.get(uid)!;
      if (await forgetPod(this.ctx, old)) this.drop(old);
      else wake(1000);
    }
    if (cached) {
      const rec = this.record(cached, key);
      rec.lastPod = cached;
      const pod = newestPod(cached, rec);
      if (isTerminalPhase(pod)) await syncTerminal(this.ctx, rec, { pod, wake });
      else if (pod.metadata?.deletionTimestamp) await syncTerminating(this.ctx, rec, { pod, hostIP: this.ctx.nodeIP, podIP: this.podIP(pod, rec), wake });
      else await this.syncRunning(rec, { pod, wake });
    }
    return next === undefined ? undefined : { requeueAfterMs: next };
  }

  private podIP(pod: KObject, rec: PodRecord): string | undefined {
    if (pod.spec?.hostNetwork) return this.ctx.nodeIP;
    return this.ctx.ipam()?.ipOf(rec.uid) ?? pod.status?.podIP;
  }

  private status(rec: PodRecord, opts: { pod: KObject; podIP?: string }): Promise<KObject | undefined> {
    return writePodStatus(this.ctx, rec, {
      pod: opts.pod,
      compute: (p) =>
        generatePodStatus({
          pod: p,
          runtimeType: this.ctx.runtime.type,
          rp: this.ctx.runtime.pod(rec.uid),
          probes: rec.probes,
          waiting: rec.waiting,
          hostIP: this.ctx.nodeIP,
          podIP: opts.podIP,
          terminal: false,
          now: this.ctx.now(),
        }),
    });
  }

  /** A Warning event for a persisting wait, each message at most once per interval. */
  private reportWait(rec: PodRecord, opts: { pod: KObject; reason: string; message: string; intervalMs: number }): void {
    const now = this.ctx.now().getTime();
    const at = rec.warned.get(opts.message);
    if (at !== undefined && now - at < opts.intervalMs) return;
    if (rec.warned.size > 16) rec.warned.clear();
    rec.warned.set(opts.message, now);
    this.ctx.recorder?.event(opts.pod, 'Warning', opts.reason, opts.message);
  }

  private reportVolumes(rec: PodRecord, opts: { pod: KObject; res: VolumeSetupResult; wake: Wake }): void {
    const { res, pod } = opts;
    const t = this.ctx.timings;
    const now = this.ctx.now().getTime();
    const w = (rec.volumeWait ??= { since: now, pollMs: 100 });
    w.pollMs = Math.min(w.pollMs * 2, 1000);
    opts.wake(res.unattached.length && !res.failedToProcess.length && !res.setupErrors.length ? Math.max(0, w.since + t.mountTimeoutMs - now) : w.pollMs);
    for (const message of res.setupErrors) this.reportWait(rec, { pod, reason: 'FailedMount', message, intervalMs: t.mountEventIntervalMs });
    const head = `Unable to attach or mount volumes: unmounted volumes=${list(res.unmounted)}, unattached volumes=${list(res.unattached)}, failed to process volumes=${list(res.failedToProcess)}`;
    if (res.processingError) this.reportWait(rec, { pod, reason: 'FailedMount', message: `${head}: ${res.processingError}`, intervalMs: t.mountEventIntervalMs });
    else if (!res.setupErrors.length && now - w.since >= t.mountTimeoutMs) {
      this.reportWait(rec, { pod, reason: 'FailedMount', message: `${head}: timed out waiting for the condition`, intervalMs: t.mountTimeoutMs });
    }
  }

  private async syncRunning(rec: PodRecord, opts: { pod: KObject; wake: Wake }): Promise<void> {
    const { pod, wake } = opts;
    const t = this.ctx.timings;
    const ipam = this.ctx.ipam();
    if (!pod.spec?.hostNetwork && !ipam) {
      this.reportWait(rec, { pod, reason: 'NetworkNotReady', message: `network is not ready: ${this.opts.networkMessage()}`, intervalMs: t.mountEventIntervalMs });
      await this.status(rec, { pod });
      return;
    }
    if (!rec.volumes) {
      const res = await this.ctx.volumes.prepare(pod, rec.uid);
      if (!res.ready) {
        this.reportVolumes(rec, { pod, res, wake });
        await this.status(rec, { pod });
        return;
      }
      rec.volumes = res.volumes;
      rec.volumeWait = undefined;
      rec.warned.clear();
    }
    let ip: string;
    try {
      ip = pod.spec?.hostNetwork ? this.ctx.nodeIP : ipam!.allocate(rec.uid);
    } catch (e) {
      this.addressWaiters.add(rec.key);
      this.reportWait(rec, { pod, reason: 'FailedCreatePodSandBox', message: `Failed to create pod sandbox: ${(e as Error).message}`, intervalMs: t.mountEventIntervalMs });
      await this.status(rec, { pod });
      wake(10_000);
      return;
    }
    let rp = this.ctx.runtime.pod(rec.uid);
    if (!rp?.sandbox.ready) {
      const hostname = String(pod.spec?.hostname || pod.metadata?.name || '').slice(0, 63);
      await this.ctx.runtime.runSandbox({ pod, ip, podCIDR: ipam?.cidr ?? '', hostname, volumes: rec.volumes });
      rp = this.ctx.runtime.pod(rec.uid)!;
    }
    await syncContainers(this.ctx, rec, { pod, rp, wake });
    await runProbes(this.ctx, rec, { pod, rp: this.ctx.runtime.pod(rec.uid)!, wake });
    const written = await this.status(rec, { pod, podIP: ip });
    // A pod that just finished (restartPolicy Never/OnFailure) releases what it held at once.
    if (written && isTerminalPhase(written)) await syncTerminal(this.ctx, rec, { pod: written, wake });
  }
}
