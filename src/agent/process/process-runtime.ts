// The `process` runtime: pods as real Linux processes. Sandboxes are network namespaces on the
// node's bridge plus a pause process (pod-sandbox.ts); each container instance is a process tree
// in its own mount and PID namespaces on an overlay of the host's file system, supervised by a
// detached container-shim that writes its CRI log and records its exit, so containers outlive the
// agent: adopt() re-attaches to them from the state under <dataDir>/runtime (pod-store.ts),
// checking PIDs with their start times. Exits reach the agent through watch() (the shim's exit for
// instances this process started, a 500 ms poll for adopted ones); the agent applies restart
// policies and back-off. stopContainer runs the preStop hook, sends SIGTERM, and SIGKILL when the
// grace period (at least the kubelet's 2 s) ends. Probes run on their own schedule
// (probe-workers.ts); a failed liveness or startup probe stops the container the same way.
// Pods found on disk that nobody adopts within `orphanCleanupMs` of the start are removed, as the
// kubelet garbage-collects unknown sandboxes.
// Probe failures (Unhealthy) and the kills they cause (Killing) are recorded as the kubelet's
// events, through the agent's recorder.
// Deliberately absent: resource limits (cgroups), image pulls, attach, port-forward.

import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { KObject } from '../../api/resource.js';
import { hostKernelVersion, hostOSImage } from '../node-info.js';
import type { ContainerSpec, ExecRequest, ExecSession, LogRequest, ProbeOutcome, ProbeRequest, Runtime, RuntimeContainer, RuntimeNodeInfo, RuntimePod, SandboxSpec } from '../runtime.js';
import type { LaunchTools } from './container-launch.js';
import { findTools, launch } from './container-launch.js';
import type { ObjectLookup } from './container-env.js';
import { planContainer } from './container-plan.js';
import type { DnsTarget } from './dns-relay.js';
import { startExec } from './exec-session.js';
import { isAlive, signalProcess } from './host.js';
import { ImageMap } from './image-map.js';
import { prepareInstance } from './instance-files.js';
import { KeyedSerial } from '../../util/keyed-serial.js';
import { ProbeWorkers } from './probe-workers.js';
import { Sandboxes } from './pod-sandbox.js';
import type { Instance, PodEntry } from './runtime-instances.js';
import { execTarget, instanceFrom, killInstance, runHandler, setExit, track } from './runtime-instances.js';
import { NodeNetwork } from './pod-network.js';
import type { PodMeta } from './pod-store.js';
import { PodStore } from './pod-store.js';

export const PROCESS_RUNTIME_TYPE = 'berth-process';

export interface ProcessRuntimeOptions {
  /** The agent's data directory; the runtime keeps its state under <dataDir>/runtime. */
  dataDir: string;
  nodeName: string;
  /** The cluster DNS server the per-node relay forwards to. */
  dns?: DnsTarget;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** Extra image map entries (JSON or YAML). */
  imageMapFile?: string;
  /** ConfigMaps and Secrets for env valueFrom and envFrom (the agent's client). */
  lookup?: ObjectLookup;
  /** Where the runtime's events go (Unhealthy, Killing after a failed probe): the agent's recorder. */
  events?: (pod: KObject, ev: { type: 'Normal' | 'Warning'; reason: string; message: string }) => void;
  /** close() also ends every pod and removes the node's bridge (tests). */
  killPodsOnClose?: boolean;
  /** Pods on disk not adopted within this time after the start are removed (default 60 s). */
  orphanCleanupMs?: number;
  now?: () => Date;
  log?: (l: string) => void;
}

class ProcessRuntime implements Runtime {
  readonly type = PROCESS_RUNTIME_TYPE;
  readonly version = `${PROCESS_RUNTIME_TYPE}://1`;
  private readonly entries = new Map<string, PodEntry>();
  /** Sandbox creation and pod removal of one pod run one after the other, never interleaved. */
  private readonly sandboxOps = new KeyedSerial();
  private readonly listeners = new Set<(uid: string) => void>();
  private readonly store: PodStore;
  private readonly network: NodeNetwork;
  private readonly sandboxes: Sandboxes;
  private readonly images: ImageMap;
  private readonly probes: ProbeWorkers;
  private readonly now: () => Date;
  private readonly poller: NodeJS.Timeout;
  private readonly orphanTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly opts: ProcessRuntimeOptions,
    private readonly tools: LaunchTools,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.store = new PodStore(join(opts.dataDir, 'runtime'));
    this.network = new NodeNetwork({ nodeName: opts.nodeName, scope: resolve(opts.dataDir), dns: opts.dns, log: opts.log });
    this.sandboxes = new Sandboxes({ store: this.store, network: this.network, ...tools, nodeName: opts.nodeName, clusterDomain: opts.clusterDomain ?? 'cluster.local', log: opts.log });
    this.images = new ImageMap(opts.imageMapFile);
    this.probes = new ProbeWorkers({
      check: (o) => this.check(o),
      changed: (uid) => this.notify(uid),
      failed: (o) => this.probeFailed(o),
      unhealthy: (o) => this.podEvent(o.podUid, { type: 'Warning', reason: 'Unhealthy', message: `${o.kind[0].toUpperCase()}${o.kind.slice(1)} probe failed: ${o.message ?? ''}` }),
      log: opts.log,
    });
    this.poller = setInterval(() => this.poll(), 500).unref();
    this.orphanTimer = setTimeout(() => void this.removeOrphans(), opts.orphanCleanupMs ?? 60_000).unref();
    void this.network.adoptBridge().catch(() => undefined);
    for (const uid of this.store.podUids()) {
      const meta = this.store.loadPod(uid);
      if (meta?.removing && meta.nodeName === opts.nodeName) void this.removePod(uid, { known: meta });
    }
  }

  nodeInfo(nodeName: string): RuntimeNodeInfo {
    const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8').trim() : '');
    return {
      machineID: read('/etc/machine-id') || nodeName,
      systemUUID: read('/sys/class/dmi/id/product_uuid') || read('/etc/machine-id'),
      bootID: read('/proc/sys/kernel/random/boot_id'),
      kernelVersion: hostKernelVersion(),
      osImage: hostOSImage(),
    };
  }

  watch(listener: (uid: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(uid: string): void {
    for (const l of this.listeners) l(uid);
  }

  pod(uid: string): RuntimePod | undefined {
    return this.entries.get(uid)?.rp;
  }

  pods(): RuntimePod[] {
    return [...this.entries.values()].map((e) => e.rp);
  }

  private newEntry(meta: PodMeta, ready: boolean): PodEntry {
    const e: PodEntry = {
      meta,
      instances: [],
      rp: { uid: meta.uid, namespace: meta.namespace, name: meta.name, sandbox: { ready, ip: meta.ip, createdAt: new Date(meta.createdAt) }, containers: [] },
    };
    this.entries.set(meta.uid, e);
    return e;
  }

  adopt(pod: KObject): RuntimePod | undefined {
    const uid = pod.metadata?.uid ?? '';
    const known = this.entries.get(uid);
    if (known) return known.rp;
    const meta = this.store.loadPod(uid);
    if (!meta || meta.removing) return undefined;
    const e = this.newEntry(meta, this.sandboxes.isReady(meta));
    e.pod = pod;
    const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    for (const { meta: im, status } of this.store.loadInstances(uid)) {
      const inst = instanceFrom(im, { status, now: this.now() });
      inst.spec = specs.find((c: any) => c.name === im.name);
      track(e, { inst, store: this.store });
      if (inst.rc.phase === 'exited' && !status?.finishedAt && !im.startError) void this.exited(e, inst);
      else if (inst.rc.phase === 'running') this.startProbes(e, inst, { liveness: true });
    }
    this.opts.log?.(`ADOPT runtime pod ${meta.namespace}/${meta.name} => ${e.instances.filter((i) => i.rc.phase === 'running').length} running, sandbox ${e.rp.sandbox.ready ? 'ready' : 'gone'}`);
    return e.rp;
  }

  runSandbox(spec: SandboxSpec): Promise<void> {
    return this.sandboxOps.run(spec.pod.metadata?.uid ?? '', () => this.createSandbox(spec));
  }

  private async createSandbox(spec: SandboxSpec): Promise<void> {
    const uid = spec.pod.metadata?.uid ?? '';
    const cur = this.entries.get(uid);
    if (cur?.rp.sandbox.ready && this.sandboxes.isReady(cur.meta)) return;
    const meta = await this.sandboxes.create(spec, cur?.meta ?? this.store.loadPod(uid));
    const e = cur ?? this.newEntry(meta, true);
    e.meta = meta;
    e.pod = spec.pod;
    e.rp.sandbox.ready = true;
    e.rp.sandbox.ip = spec.ip;
  }

  async startContainer(podUid: string, spec: ContainerSpec): Promise<RuntimeContainer> {
    const e = this.entries.get(podUid);
    if (!e?.rp.sandbox.ready) throw new Error(`pod sandbox ${podUid} is not ready`);
    e.pod = spec.pod;
    const c = spec.container;
    const plan = await planContainer({ pod: spec.pod, container: c, meta: e.meta, imageMap: this.images, lookup: this.opts.lookup, hostIP: spec.pod.status?.hostIP });
    const { dir, meta } = await prepareInstance(this.store, { podUid, kind: spec.kind, attempt: spec.attempt, container: c, plan, now: this.now() });
    if (plan.startError) meta.startError = { exitCode: 128, reason: 'StartError', message: `failed to start container process: ${plan.startError}`, at: this.now().toISOString() };
    await this.store.saveInstance(podUid, meta);
    const inst = instanceFrom(meta, { now: this.now() });
    inst.rc.phase = meta.startError ? 'exited' : 'created';
    inst.spec = c;
    track(e, { inst, store: this.store });
    if (meta.startError) {
      this.opts.log?.(`START container ${e.meta.namespace}/${e.meta.name}/${c.name} => StartError (${plan.startError})`);
      return inst.rc;
    }
    const etc = (n: 'hosts' | 'resolv.conf' | 'hostname') => this.sandboxes.etcFile(podUid, n);
    const { status, shim } = await launch(
      {
        tools: this.tools,
        dir,
        pausePid: e.meta.pausePid!,
        hostNetwork: e.meta.hostNetwork,
        files: [
          { source: etc('hosts'), target: '/etc/hosts', readOnly: false, file: true },
          { source: etc('resolv.conf'), target: '/etc/resolv.conf', readOnly: false, file: true },
          { source: etc('hostname'), target: '/etc/hostname', readOnly: false, file: true },
          { source: join(dir, 'termination-log'), target: c.terminationMessagePath || '/dev/termination-log', readOnly: false, file: true },
        ],
        mounts: plan.mounts,
        hide: this.store.root,
        workingDir: plan.workingDir,
        argv: plan.argv,
        env: plan.env,
        logPath: meta.logPath,
      },
      { statusPath: join(dir, 'status.json') },
    );
    inst.status = status;
    inst.shim = shim;
    shim.once('exit', () => void this.exited(e, inst));
    if (status.exitCode === undefined) {
      inst.rc.phase = 'running';
      inst.rc.startedAt = status.startedAt ? new Date(status.startedAt) : this.now();
      this.startProbes(e, inst, { liveness: true });
    }
    return inst.rc;
  }

  private startProbes(e: PodEntry, inst: Instance, o: { liveness: boolean }): void {
    const startedAt = inst.rc.startedAt ?? this.now();
    const base = { podUid: e.meta.uid, containerId: inst.meta.id, startedAt };
    if (inst.spec?.startupProbe) this.probes.ensure({ ...base, kind: 'startup', probe: inst.spec.startupProbe });
    if (inst.spec?.readinessProbe) this.probes.ensure({ ...base, kind: 'readiness', probe: inst.spec.readinessProbe });
    if (o.liveness && inst.spec?.livenessProbe) this.probes.ensure({ ...base, kind: 'liveness', probe: inst.spec.livenessProbe });
  }

  /** The supervisor ended (or is gone): the instance's exit from its status file. */
  private async exited(e: PodEntry, inst: Instance): Promise<void> {
    if (inst.rc.phase === 'exited' && inst.rc.finishedAt) return;
    const status = this.store.readStatus(e.meta.uid, inst.meta.id) ?? inst.status;
    if (status?.exitCode === undefined && isAlive(status?.initPid, status?.initStart)) return;
    clearTimeout(inst.killTimer);
    this.probes.stop(inst.meta.id);
    const exitCode = status?.exitCode ?? 137;
    const message =
      status?.exitCode === undefined
        ? "the container's supervisor ended without recording its exit"
        : status.error ?? (await this.store.terminationMessage(e.meta.uid, { meta: inst.meta, exitCode }).catch(() => undefined));
    setExit(inst, { now: this.now(), exitCode, finishedAt: status?.finishedAt, reason: status?.exitCode === undefined ? 'ContainerStatusUnknown' : status.error ? 'StartError' : undefined, message });
    this.opts.log?.(`EXIT container ${e.meta.namespace}/${e.meta.name}/${inst.meta.name} => ${exitCode} ${inst.rc.reason}`);
    this.notify(e.meta.uid);
  }

  /** Adopted instances have no supervisor handle here: look at their processes. */
  private poll(): void {
    for (const e of this.entries.values()) {
      for (const inst of e.instances) {
        if (inst.rc.phase !== 'running' || inst.shim) continue;
        const s = inst.status;
        if (!isAlive(s?.shimPid, s?.shimStart)) void this.exited(e, inst);
      }
    }
  }

  private live(e: PodEntry, name: string): Instance | undefined {
    return e.instances.filter((i) => i.meta.name === name && i.rc.phase !== 'exited').pop();
  }

  async stopContainer(podUid: string, name: string, opts: { gracePeriodSeconds: number }): Promise<void> {
    const e = this.entries.get(podUid);
    const inst = e && this.live(e, name);
    if (!e || !inst || inst.rc.stopping) return;
    void killInstance(e, inst, { graceSeconds: opts.gracePeriodSeconds, reason: 'stop', nsenter: this.tools.nsenter, log: this.opts.log });
  }

  private check(o: { podUid: string; containerId: string; probe: any; timeoutMs: number }) {
    const e = this.entries.get(o.podUid);
    const inst = e?.instances.find((i) => i.meta.id === o.containerId);
    if (!e || !inst) return Promise.resolve({ success: false, message: 'container gone' });
    return runHandler(e, inst, { nsenter: this.tools.nsenter, handler: o.probe, timeoutMs: o.timeoutMs });
  }

  /** An event about a pod, as the kubelet records its prober's and its kills'. */
  private podEvent(podUid: string, ev: { type: 'Normal' | 'Warning'; reason: string; message: string }): void {
    const pod = this.entries.get(podUid)?.pod;
    if (pod) this.opts.events?.({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, ev);
  }

  private probeFailed(o: { podUid: string; containerId: string; kind: string; message?: string; probe: any }): void {
    const e = this.entries.get(o.podUid);
    const inst = e?.instances.find((i) => i.meta.id === o.containerId);
    if (!e || !inst || inst.rc.phase !== 'running' || inst.rc.stopping) return;
    const grace = o.probe.terminationGracePeriodSeconds ?? e.pod?.spec?.terminationGracePeriodSeconds ?? 30;
    this.opts.log?.(`PROBE container ${e.meta.namespace}/${e.meta.name}/${inst.meta.name} failed ${o.kind} probe, will be restarted`);
    this.podEvent(o.podUid, { type: 'Normal', reason: 'Killing', message: `Container ${inst.meta.name} failed ${o.kind} probe, will be restarted` });
    void killInstance(e, inst, { graceSeconds: grace, reason: `${o.kind} probe failed`, nsenter: this.tools.nsenter, log: this.opts.log });
  }

  async probe(req: ProbeRequest): Promise<ProbeOutcome> {
    if (!req.probe) return { success: true };
    const e = this.entries.get(req.pod.metadata?.uid ?? '');
    const inst = e?.instances.find((i) => i.meta.id === req.container.id);
    if (!e || !inst || inst.rc.phase !== 'running') return { success: false };
    if (!this.probes.has(inst.meta.id, req.kind) && !inst.rc.stopping) {
      inst.spec ??= [...(req.pod.spec?.initContainers ?? []), ...(req.pod.spec?.containers ?? [])].find((c: any) => c.name === inst.meta.name);
      this.probes.ensure({ podUid: e.meta.uid, containerId: inst.meta.id, kind: req.kind, probe: req.probe, startedAt: inst.rc.startedAt ?? this.now() });
    }
    return { success: this.probes.result(inst.meta.id, req.kind) ?? req.kind === 'liveness' };
  }

  async exec(req: ExecRequest): Promise<ExecSession> {
    const e = this.entries.get(req.podUid);
    if (!e) throw new Error(`pod ${req.podUid} not found`);
    if (!e.instances.some((i) => i.meta.name === req.container)) throw new Error(`container ${req.container} not found in pod ${e.meta.name}`);
    const inst = this.live(e, req.container);
    const t = inst && execTarget(inst, this.tools);
    if (!t) throw new Error('container not running');
    return startExec(t, req);
  }

  logPath(req: LogRequest): string | undefined {
    const e = this.entries.get(req.podUid);
    const all = e?.instances.filter((i) => i.meta.name === req.container) ?? [];
    const inst = all[all.length - (req.previous ? 2 : 1)];
    return inst && existsSync(inst.meta.logPath) ? inst.meta.logPath : undefined;
  }

  /**
   * Ends a pod's processes and sandbox. With keepLogs (a pod that finished but is not deleted) its
   * exited containers and their log files stay, as the kubelet keeps a terminated pod's dead
   * containers, so `kubectl logs` still reads them; only their writable layers go. A later
   * removePod without it removes the rest.
   */
  removePod(podUid: string, opts: { keepLogs?: boolean; known?: PodMeta } = {}): Promise<void> {
    return this.sandboxOps.run(podUid, () => this.remove(podUid, opts));
  }

  private async remove(podUid: string, opts: { keepLogs?: boolean; known?: PodMeta }): Promise<void> {
    const e = this.entries.get(podUid);
    const meta = e?.meta ?? opts.known ?? this.store.loadPod(podUid);
    if (!meta) return;
    await this.store.savePod({ ...meta, removing: true }).catch(() => undefined);
    const instances = e?.instances ?? this.store.loadInstances(podUid).map((x) => instanceFrom(x.meta, { status: x.status, now: this.now() }));
    for (const inst of instances) {
      this.probes.stop(inst.meta.id);
      clearTimeout(inst.killTimer);
      const s = inst.status ?? this.store.readStatus(podUid, inst.meta.id);
      signalProcess(s?.initPid, { start: s?.initStart, signal: 'SIGKILL' });
      // Wait for the supervisor to finish its log and status before the directory goes.
      for (let i = 0; i < 200 && isAlive(s?.shimPid, s?.shimStart); i++) await new Promise((r) => setTimeout(r, 10));
      signalProcess(s?.shimPid, { start: s?.shimStart, signal: 'SIGKILL' });
    }
    await this.sandboxes.remove(meta);
    if (opts.keepLogs && e) {
      for (const inst of instances) {
        for (const layer of ['upper', 'work']) await rm(join(this.store.instanceDir(podUid, inst.meta.id), layer), { recursive: true, force: true });
      }
      this.opts.log?.(`REMOVE runtime pod ${meta.namespace}/${meta.name} (${podUid}) => sandbox removed, logs kept`);
      return;
    }
    await rm(this.store.podDir(podUid), { recursive: true, force: true });
    this.entries.delete(podUid);
    this.opts.log?.(`REMOVE runtime pod ${meta.namespace}/${meta.name} (${podUid}) => removed`);
  }

  /** Pods on disk for this node that the agent did not adopt: leftovers of deleted pods. */
  private async removeOrphans(): Promise<void> {
    if (this.closed) return;
    for (const uid of this.store.podUids()) {
      if (this.entries.has(uid)) continue;
      const meta = this.store.loadPod(uid);
      if (meta && meta.nodeName !== this.opts.nodeName) continue;
      this.opts.log?.(`GC runtime pod ${meta?.namespace}/${meta?.name} (${uid}) => not adopted, removing`);
      await this.removePod(uid, { known: meta }).catch((err) => this.opts.log?.(`GC runtime pod ${uid} => ${(err as Error).message}`));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    clearTimeout(this.orphanTimer);
    this.probes.close();
    this.listeners.clear();
    for (const e of this.entries.values()) for (const i of e.instances) clearTimeout(i.killTimer);
    // All at once: each removal may wait up to 2 s for its supervisors, and a shutdown that takes
    // too long gets killed before it has removed every sandbox.
    if (this.opts.killPodsOnClose) await Promise.all([...this.entries.keys()].map((uid) => this.removePod(uid).catch((e) => this.opts.log?.(`REMOVE runtime pod ${uid} => ${(e as Error).message}`))));
    await this.network.close({ removeBridge: this.opts.killPodsOnClose === true });
  }
}

export function createProcessRuntime(opts: ProcessRuntimeOptions): Runtime {
  const tools = findTools();
  if (typeof tools === 'string') throw new Error(`the process runtime cannot start: ${tools}`);
  // Absolute: container launchers change directory while they mount (`berth up` defaults to
  // ./.berth). The options object itself is kept: killPodsOnClose is read when close() runs.
  opts.dataDir = resolve(opts.dataDir);
  return new ProcessRuntime(opts, tools);
}
