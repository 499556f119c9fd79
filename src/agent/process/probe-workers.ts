// The runtime's probe workers (the kubelet's prober workers, pkg/kubelet/prober/worker.go): one per
// container instance and probe kind, started with the container. Initial results as the kubelet's:
// readiness and startup fail, liveness succeeds. The first attempt runs when initialDelaySeconds
// have passed since the container started (the kubelet waits for the next period tick after it;
// berth probes at once, which makes pods Ready sooner), then every periodSeconds; each attempt is
// bounded by timeoutSeconds; a result changes only after successThreshold successes or
// failureThreshold failures in a row. Liveness and readiness wait until the startup probe (if any)
// has succeeded; startup stops probing once it has. Every change is reported (the runtime notifies
// the agent), and a failed liveness or startup probe asks the runtime to kill the container (its
// restart policy then applies); that worker stops, as the kubelet puts it on hold.
// Deliberately absent: the kubelet's random start jitter after a restart.

import type { ProbeKind } from '../runtime.js';
import type { CheckResult } from './probe-checks.js';

interface Worker {
  podUid: string;
  containerId: string;
  kind: ProbeKind;
  probe: any;
  result: boolean;
  last?: boolean;
  run: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

export interface ProbeWorkerHooks {
  check(o: { podUid: string; containerId: string; probe: any; timeoutMs: number }): Promise<CheckResult>;
  changed(podUid: string): void;
  /** A liveness or startup probe failed: the container is to be killed. */
  failed(o: { podUid: string; containerId: string; kind: ProbeKind; message?: string; probe: any }): void;
  /** One check failed (the kubelet's Unhealthy event, recorded on every failure). */
  unhealthy?(o: { podUid: string; containerId: string; kind: ProbeKind; message?: string }): void;
  log?: (l: string) => void;
}

const key = (containerId: string, kind: ProbeKind) => `${containerId}/${kind}`;

export class ProbeWorkers {
  private readonly workers = new Map<string, Worker>();

  constructor(private readonly hooks: ProbeWorkerHooks) {}

  /** Starts the worker for a container's probe unless it runs already. */
  ensure(o: { podUid: string; containerId: string; kind: ProbeKind; probe: any; startedAt: Date }): void {
    if (!o.probe || this.workers.has(key(o.containerId, o.kind))) return;
    const w: Worker = { podUid: o.podUid, containerId: o.containerId, kind: o.kind, probe: o.probe, result: o.kind === 'liveness', run: 0, stopped: false };
    this.workers.set(key(o.containerId, o.kind), w);
    const delay = Math.max(0, o.startedAt.getTime() + (o.probe.initialDelaySeconds ?? 0) * 1000 - Date.now());
    this.schedule(w, delay);
  }

  /** The current verdict, or undefined without a worker. */
  result(containerId: string, kind: ProbeKind): boolean | undefined {
    return this.workers.get(key(containerId, kind))?.result;
  }

  has(containerId: string, kind: ProbeKind): boolean {
    return this.workers.has(key(containerId, kind));
  }

  /** The container ended: its workers stop. */
  stop(containerId: string): void {
    for (const kind of ['startup', 'readiness', 'liveness'] as const) {
      const w = this.workers.get(key(containerId, kind));
      if (!w) continue;
      w.stopped = true;
      clearTimeout(w.timer);
      this.workers.delete(key(containerId, kind));
    }
  }

  close(): void {
    for (const w of this.workers.values()) {
      w.stopped = true;
      clearTimeout(w.timer);
    }
    this.workers.clear();
  }

  private schedule(w: Worker, ms: number): void {
    if (w.stopped) return;
    w.timer = setTimeout(() => void this.tick(w), ms);
    w.timer.unref();
  }

  private async tick(w: Worker): Promise<void> {
    const period = Math.max(1, w.probe.periodSeconds ?? 10) * 1000;
    const startup = this.workers.get(key(w.containerId, 'startup'));
    if (w.kind !== 'startup' && startup && !startup.result) return this.schedule(w, period);
    const res = await this.hooks.check({ podUid: w.podUid, containerId: w.containerId, probe: w.probe, timeoutMs: Math.max(1, w.probe.timeoutSeconds ?? 1) * 1000 });
    if (w.stopped) return;
    if (!res.success) this.hooks.unhealthy?.({ podUid: w.podUid, containerId: w.containerId, kind: w.kind, message: res.message });
    if (res.success === w.last) w.run++;
    else {
      w.last = res.success;
      w.run = 1;
    }
    const needed = res.success ? (w.kind === 'readiness' ? (w.probe.successThreshold ?? 1) : 1) : (w.probe.failureThreshold ?? 3);
    if (w.run >= needed && !res.success && w.kind !== 'readiness') {
      this.hooks.log?.(`PROBE ${w.kind} ${w.containerId.slice(0, 12)} => failure (${res.message ?? ''}), kill`);
      w.result = false;
      this.stop(w.containerId);
      this.hooks.failed({ podUid: w.podUid, containerId: w.containerId, kind: w.kind, message: res.message, probe: w.probe });
      this.hooks.changed(w.podUid);
      return;
    }
    if (w.run >= needed && w.result !== res.success) {
      w.result = res.success;
      this.hooks.log?.(`PROBE ${w.kind} ${w.containerId.slice(0, 12)} => ${res.success ? 'success' : `failure (${res.message ?? ''})`}`);
      this.hooks.changed(w.podUid);
    }
    // A startup probe is done once it succeeded; liveness and readiness may now begin.
    if (w.kind === 'startup' && w.result) return;
    this.schedule(w, period);
  }
}
