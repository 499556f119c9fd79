// The `simulated` runtime: pods without processes, for testing scheduling and controllers at scale
// (thousands of nodes, tens of thousands of pods in one process). Sandboxes and containers are
// records that move through their phases on configurable timings; nothing runs. The agent around
// it is the real one (volumes are prepared on disk, IPs allocated, status written as the kubelet
// writes it), so only this file differs from the process runtime.
//
// Behaviour, and the pod annotations that steer it:
// - A container is Running `startDelayMs` after it is started (0: at once, no timer).
// - Readiness and startup probes pass once the container has run for the probe's
//   initialDelaySeconds (unless `honourInitialDelay` is false, for instant readiness) or
//   `readyDelayMs`, whichever is longer; containers without a readiness probe are ready when running.
// - `berth.dev/simulated-ready: "false"` makes every container of the pod not ready (as if each had
//   a failing readiness probe); removing the annotation or setting it to "true" makes them ready
//   again at the next pod sync.
// - `berth.dev/simulated-exit-code: "<n>"` makes the pod's regular containers exit with code n after
//   running `runMs`; the agent applies the restart policy (Never/OnFailure → Succeeded/Failed,
//   Always → restarts with CrashLoopBackOff back-off). Init containers always exit 0.
// - A stop ends the container at once with exit code 0 (a process that honours SIGTERM). With
//   `honourGracePeriod` it ignores SIGTERM and is killed (137) when the grace period ends, capped
//   at `gracePeriodCapSeconds`, so the pod stays Terminating that long.
// Deliberately absent: liveness probes (always pass: simulated containers never hang), images
// (every image is present), resource usage.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { KObject } from '../api/resource.js';
import { hostKernelVersion, hostOSImage } from './node-info.js';
import type { ContainerSpec, ProbeOutcome, ProbeRequest, Runtime, RuntimeContainer, RuntimeNodeInfo, RuntimePod, SandboxSpec } from './runtime.js';

export const SIMULATED_READY_ANNOTATION = 'berth.dev/simulated-ready';
export const SIMULATED_EXIT_CODE_ANNOTATION = 'berth.dev/simulated-exit-code';
export const SIMULATED_RUNTIME_TYPE = 'berth-simulated';

export interface SimulatedRuntimeOptions {
  /** ContainerCreating → Running, per container (default 0). */
  startDelayMs?: number;
  /** Minimum time a container runs before its readiness/startup probe passes (default 0). */
  readyDelayMs?: number;
  /** Wait for probes' initialDelaySeconds (default true; false gives instant readiness). */
  honourInitialDelay?: boolean;
  /** How long a container with the exit-code annotation runs before exiting (default 0). */
  runMs?: number;
  /** A stopped container takes its grace period (killed with 137) instead of exiting at once. */
  honourGracePeriod?: boolean;
  /** Upper bound of a simulated grace period, in seconds (default 30). */
  gracePeriodCapSeconds?: number;
  now?: () => Date;
}

/** docker.io/library/nginx:1.25 → docker.io/library/nginx (the repository an image ID names). */
function repository(image: string): string {
  let ref = image.split('@')[0];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  const first = ref.split('/')[0];
  if (!ref.includes('/')) return `docker.io/library/${ref}`;
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return `docker.io/${ref}`;
  return ref;
}

/** A stable digest-form image ID (`<repository>@sha256:<hex>`), as containerd reports one. */
export function simulatedImageID(image: string): string {
  return `${repository(image)}@sha256:${createHash('sha256').update(image).digest('hex')}`;
}

function hashUUID(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const parseTime = (s: unknown): Date | undefined => (typeof s === 'string' && s ? new Date(s) : undefined);

class SimulatedRuntime implements Runtime {
  readonly type = SIMULATED_RUNTIME_TYPE;
  readonly version = `${SIMULATED_RUNTIME_TYPE}://1`;
  private readonly pods_ = new Map<string, RuntimePod>();
  private readonly listeners = new Set<(uid: string) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly bootID = randomUUID();
  private readonly now: () => Date;

  constructor(private readonly opts: SimulatedRuntimeOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  nodeInfo(nodeName: string): RuntimeNodeInfo {
    return {
      machineID: createHash('sha256').update(`berth-simulated/${nodeName}`).digest('hex').slice(0, 32),
      systemUUID: hashUUID(`berth-simulated/system/${nodeName}`),
      bootID: this.bootID,
      kernelVersion: hostKernelVersion(),
      osImage: hostOSImage(),
    };
  }

  watch(listener: (uid: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  pod(uid: string): RuntimePod | undefined {
    return this.pods_.get(uid);
  }

  pods(): RuntimePod[] {
    return [...this.pods_.values()];
  }

  adopt(pod: KObject): RuntimePod | undefined {
    const uid = pod.metadata?.uid ?? '';
    const existing = this.pods_.get(uid);
    if (existing) return existing;
    const prefix = `${this.type}://`;
    const containers: RuntimeContainer[] = [];
    const restore = (kind: RuntimeContainer['kind'], o: { statuses: any[] | undefined; specs: any[] | undefined }) => {
      for (const s of o.statuses ?? []) {
        const spec = (o.specs ?? []).find((c: any) => c.name === s.name);
        const last = s.lastState?.terminated;
        if (last?.containerID?.startsWith(prefix)) containers.push(this.exitedFrom(s, last, { kind, attempt: Math.max(0, (s.restartCount ?? 0) - 1) }));
        const t = s.state?.terminated;
        const r = s.state?.running;
        const id = String(s.containerID ?? '');
        if (!spec || !id.startsWith(prefix)) continue;
        if (r) {
          containers.push({
            name: s.name,
            kind,
            id: id.slice(prefix.length),
            image: spec.image,
            imageID: s.imageID || simulatedImageID(spec.image),
            attempt: s.restartCount ?? 0,
            phase: 'running',
            createdAt: parseTime(r.startedAt) ?? this.now(),
            startedAt: parseTime(r.startedAt) ?? this.now(),
          });
          this.scheduleExit(containers[containers.length - 1], { podUid: uid, pod });
        } else if (t) containers.push(this.exitedFrom(s, t, { kind, attempt: s.restartCount ?? 0 }));
      }
    };
    restore('init', { statuses: pod.status?.initContainerStatuses, specs: pod.spec?.initContainers });
    restore('regular', { statuses: pod.status?.containerStatuses, specs: pod.spec?.containers });
    if (!containers.some((c) => c.phase === 'running')) return undefined;
    const rp: RuntimePod = {
      uid,
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      sandbox: { ready: true, ip: pod.status?.podIP, createdAt: parseTime(pod.status?.startTime) ?? this.now() },
      containers,
    };
    this.pods_.set(uid, rp);
    return rp;
  }

  private exitedFrom(s: any, t: any, opts: { kind: RuntimeContainer['kind']; attempt: number }): RuntimeContainer {
    const id = String(t.containerID ?? s.containerID ?? '');
    return {
      name: s.name,
      kind: opts.kind,
      id: id.slice(id.indexOf('://') + 3),
      image: s.image,
      imageID: s.imageID ?? '',
      attempt: opts.attempt,
      phase: 'exited',
      createdAt: parseTime(t.startedAt) ?? this.now(),
      startedAt: parseTime(t.startedAt),
      finishedAt: parseTime(t.finishedAt),
      exitCode: t.exitCode ?? 0,
      reason: t.reason,
      message: t.message,
    };
  }

  async runSandbox(spec: SandboxSpec): Promise<void> {
    const uid = spec.pod.metadata?.uid ?? '';
    const cur = this.pods_.get(uid);
    if (cur?.sandbox.ready) return;
    this.pods_.set(uid, {
      uid,
      namespace: spec.pod.metadata?.namespace ?? '',
      name: spec.pod.metadata?.name ?? '',
      sandbox: { ready: true, ip: spec.ip, createdAt: this.now() },
      containers: cur?.containers ?? [],
    });
  }

  async startContainer(podUid: string, spec: ContainerSpec): Promise<RuntimeContainer> {
    const rp = this.pods_.get(podUid);
    if (!rp?.sandbox.ready) throw new Error(`pod sandbox ${podUid} is not ready`);
    const c: RuntimeContainer = {
      name: spec.container.name,
      kind: spec.kind,
      id: randomBytes(32).toString('hex'),
      image: spec.container.image,
      imageID: simulatedImageID(spec.container.image),
      attempt: spec.attempt,
      phase: 'created',
      createdAt: this.now(),
    };
    // Keep the newest two instances per container, as the kubelet shows state and lastState.
    const same = rp.containers.filter((x) => x.name === c.name);
    if (same.length >= 2) rp.containers.splice(rp.containers.indexOf(same[0]), 1);
    rp.containers.push(c);
    const run = () => {
      if (c.phase !== 'created') return;
      c.phase = 'running';
      c.startedAt = this.now();
      this.scheduleExit(c, { podUid, pod: spec.pod });
    };
    const delay = this.opts.startDelayMs ?? 0;
    if (delay > 0) this.after(delay, () => (run(), this.notify(podUid)));
    else run();
    return c;
  }

  /** Init containers complete; with the exit-code annotation regular containers exit too. */
  private scheduleExit(c: RuntimeContainer, o: { podUid: string; pod: KObject }): void {
    const podUid = o.podUid;
    const code = c.kind === 'init' ? 0 : this.exitCodeOf(o.pod);
    if (code === undefined) return;
    const finish = () => {
      if (c.phase !== 'running') return;
      this.exit(c, { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' });
      this.notify(podUid);
    };
    this.after(this.opts.runMs ?? 0, finish);
  }

  private exitCodeOf(pod: KObject): number | undefined {
    const raw = pod.metadata?.annotations?.[SIMULATED_EXIT_CODE_ANNOTATION];
    if (raw === undefined) return undefined;
    const n = Number(raw);
    return Number.isInteger(n) && n >= 0 && n <= 255 ? n : undefined;
  }

  private exit(c: RuntimeContainer, e: { exitCode: number; reason: string }): void {
    c.phase = 'exited';
    c.exitCode = e.exitCode;
    c.reason = e.reason;
    c.finishedAt = this.now();
    c.startedAt ??= c.finishedAt;
    c.stopping = false;
  }

  async stopContainer(podUid: string, name: string, opts: { gracePeriodSeconds: number }): Promise<void> {
    const rp = this.pods_.get(podUid);
    const c = rp?.containers.filter((x) => x.name === name && x.phase !== 'exited').pop();
    if (!c || c.stopping) return;
    if (!this.opts.honourGracePeriod || opts.gracePeriodSeconds <= 0) {
      this.exit(c, { exitCode: 0, reason: 'Completed' });
      return;
    }
    c.stopping = true;
    const seconds = Math.min(opts.gracePeriodSeconds, this.opts.gracePeriodCapSeconds ?? 30);
    this.after(seconds * 1000, () => {
      if (c.phase === 'exited') return;
      this.exit(c, { exitCode: 137, reason: 'Error' });
      this.notify(podUid);
    });
  }

  async removePod(podUid: string): Promise<void> {
    this.pods_.delete(podUid);
  }

  async probe(req: ProbeRequest): Promise<ProbeOutcome> {
    if (req.kind === 'liveness') return { success: true };
    if (req.kind === 'readiness' && req.pod.metadata?.annotations?.[SIMULATED_READY_ANNOTATION] === 'false') return { success: false };
    if (!req.probe) return { success: true };
    const initial = this.opts.honourInitialDelay === false ? 0 : (req.probe.initialDelaySeconds ?? 0) * 1000;
    const delay = Math.max(initial, this.opts.readyDelayMs ?? 0);
    const ran = req.now.getTime() - (req.container.startedAt ?? req.now).getTime();
    return ran >= delay ? { success: true } : { success: false, recheckAfterMs: delay - ran };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private notify(uid: string): void {
    for (const l of this.listeners) l(uid);
  }
}

export function createSimulatedRuntime(opts: SimulatedRuntimeOptions = {}): Runtime {
  return new SimulatedRuntime(opts);
}
