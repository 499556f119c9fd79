// The process runtime's container instances in memory: how one is rebuilt from its records (running
// while its supervisor or its init process lives), how an exit is recorded on it, the newest-two
// bookkeeping per container, and acting on a running one: a lifecycle handler or probe attempt in
// its namespaces, and its stop (preStop hook, SIGTERM, SIGKILL when the grace period ends, at least
// the kubelet's 2 s, and at least that long again for SIGTERM after a slow hook).
// Deliberately absent: the runtime's maps and notifications (process-runtime.ts).

import { rm } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import type { KObject } from '../../api/resource.js';
import type { RuntimeContainer, RuntimePod } from '../runtime.js';
import type { ShimStatus } from './container-shim.js';
import type { ExecTarget } from './exec-session.js';
import { runInContainer } from './exec-session.js';
import { isAlive, signalProcess } from './host.js';
import type { CheckResult } from './probe-checks.js';
import { runCheck } from './probe-checks.js';
import type { InstanceMeta, PodMeta, PodStore } from './pod-store.js';

export interface Instance {
  meta: InstanceMeta;
  rc: RuntimeContainer;
  status?: ShimStatus;
  shim?: ChildProcess;
  /** The container's spec (probes, preStop), from startContainer or adopt. */
  spec?: any;
  killTimer?: NodeJS.Timeout;
}

export interface PodEntry {
  meta: PodMeta;
  rp: RuntimePod;
  instances: Instance[];
  pod?: KObject;
}

export const MIN_GRACE_SECONDS = 2;

export function setExit(inst: Instance, o: { exitCode: number; finishedAt?: string; reason?: string; message?: string; now: Date }): void {
  const rc = inst.rc;
  rc.phase = 'exited';
  rc.exitCode = o.exitCode;
  rc.reason = o.reason ?? (o.exitCode === 0 ? 'Completed' : 'Error');
  if (o.message) rc.message = o.message;
  rc.finishedAt = o.finishedAt ? new Date(o.finishedAt) : o.now;
  rc.startedAt ??= rc.finishedAt;
  rc.stopping = false;
}

/** A RuntimeContainer from the instance's records. */
export function instanceFrom(meta: InstanceMeta, o: { status?: ShimStatus; now: Date }): Instance {
  const status = o.status;
  const rc: RuntimeContainer = {
    name: meta.name,
    kind: meta.kind,
    id: meta.id,
    image: meta.image,
    imageID: meta.imageID,
    attempt: meta.attempt,
    phase: 'running',
    createdAt: new Date(meta.createdAt),
    startedAt: status?.startedAt ? new Date(status.startedAt) : undefined,
  };
  const inst: Instance = { meta, rc, status };
  const err = meta.startError;
  if (err) setExit(inst, { exitCode: err.exitCode, reason: err.reason, message: err.message, finishedAt: err.at, now: o.now });
  else if (status?.exitCode !== undefined) setExit(inst, { exitCode: status.exitCode, finishedAt: status.finishedAt, now: o.now });
  else if (!isAlive(status?.shimPid, status?.shimStart) && !isAlive(status?.initPid, status?.initStart)) rc.phase = 'exited';
  return inst;
}

/** Adds an instance, keeping the newest two per container (state and lastState), oldest first. */
export function track(e: PodEntry, o: { inst: Instance; store: PodStore }): void {
  const same = e.instances.filter((i) => i.meta.name === o.inst.meta.name);
  if (same.length >= 2) {
    const old = same[0];
    e.instances.splice(e.instances.indexOf(old), 1);
    void rm(o.store.instanceDir(e.meta.uid, old.meta.id), { recursive: true, force: true });
    void rm(old.meta.logPath, { force: true });
  }
  e.instances.push(o.inst);
  e.rp.containers.splice(0, e.rp.containers.length, ...e.instances.map((i) => i.rc));
}

export function execTarget(inst: Instance, o: { nsenter: string }): ExecTarget | undefined {
  const s = inst.status;
  if (!s?.initPid || !isAlive(s.initPid, s.initStart)) return undefined;
  return { nsenter: o.nsenter, initPid: s.initPid, env: inst.meta.env, workingDir: inst.meta.workingDir };
}

/** One attempt of a probe or lifecycle handler against the instance. */
export function runHandler(e: PodEntry, inst: Instance, o: { nsenter: string; handler: any; timeoutMs: number }): Promise<CheckResult> {
  return runCheck(o.handler, {
    timeoutMs: o.timeoutMs,
    target: {
      host: e.meta.hostNetwork ? '127.0.0.1' : e.meta.ip,
      ports: inst.spec?.ports ?? [],
      exec: async (command, x) => {
        const t = execTarget(inst, o);
        if (!t) return { exitCode: 126, output: 'container not running', timedOut: false };
        return runInContainer(t, { command, timeoutMs: x.timeoutMs });
      },
    },
  });
}

/** preStop, SIGTERM, then SIGKILL when the grace period ends. */
export async function killInstance(e: PodEntry, inst: Instance, o: { graceSeconds: number; reason: string; nsenter: string; log?: (l: string) => void }): Promise<void> {
  inst.rc.stopping = true;
  const grace = Math.max(o.graceSeconds, MIN_GRACE_SECONDS);
  const started = Date.now();
  const s = inst.status;
  const name = `${e.meta.namespace}/${e.meta.name}/${inst.meta.name}`;
  const sigkill = () => {
    signalProcess(s?.initPid, { start: s?.initStart, signal: 'SIGKILL' });
    // Without a known init process, the launcher's end ends the PID namespace.
    if (!s?.initPid && s?.launcherPid) signalProcess(s.launcherPid, { start: undefined, signal: 'SIGKILL' });
  };
  const arm = (ms: number) => {
    clearTimeout(inst.killTimer);
    inst.killTimer = setTimeout(sigkill, ms);
    inst.killTimer.unref();
  };
  arm(grace * 1000);
  const preStop = inst.spec?.lifecycle?.preStop;
  if (preStop) {
    const res = await runHandler(e, inst, { nsenter: o.nsenter, handler: preStop, timeoutMs: grace * 1000 });
    o.log?.(`PRESTOP container ${name} => ${res.success ? 'done' : `failed (${res.message ?? ''})`}`);
    arm(Math.max(grace * 1000 - (Date.now() - started), MIN_GRACE_SECONDS * 1000));
  }
  if (inst.rc.phase === 'exited') return clearTimeout(inst.killTimer);
  signalProcess(s?.initPid, { start: s?.initStart, signal: 'SIGTERM' });
  o.log?.(`KILL container ${name}, ${o.reason}, grace ${grace}s => SIGTERM`);
}
