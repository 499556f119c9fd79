// Shared by the process-runtime e2e files: one real `berth up` per file with its default runtime
// (process) and a pod range of its own (files run two at a time, and the host routes a range to
// one bridge), the real kubectl, and helpers that wait on pods and say what berth last logged
// about one. Every pod carries the label suite=process-runtime and a 2 s grace period; after()
// deletes what is left, waits until it is gone and stops berth gracefully (its pods end with it).
// BERTH_E2E_LOG=<file> keeps berth's verbose transcript for a post-mortem.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBerth, ok } from './harness.js';
import type { Berth, KubectlResult } from './harness.js';
import { NS, conditionOf, isReady, workloadClient } from './workload-support.js';

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the process runtime needs root';
  for (const [bin, pkg] of [['python3', 'python3'], ['curl', 'curl'], ['script', 'bsdutils']]) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return `${bin} is not installed (Debian package ${pkg})`;
    }
  }
  return undefined;
}

/** A shell that idles until SIGTERM (PID 1 in its namespace ignores signals it does not trap). */
export const IDLE = "trap 'exit 0' TERM; sleep 3600 & wait";

export const readyCondition = (p: any) => conditionOf(p, 'Ready')?.status === 'True';
export const status = (p: any, c = 0) => p.status?.containerStatuses?.[c];

export function podOf(name: string, spec: any, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { suite: 'process-runtime', ...labels } }, spec: { terminationGracePeriodSeconds: 2, ...spec } };
}

/** Registers this file's berth (before/after) on its own pod range; returns the helpers. */
export function processRuntimeSuite(opts: { clusterCidr: string }) {
  const skip = missing();
  let b: Berth;
  const berth = () => b;
  const w = workloadClient(berth, { waitMs: 20_000 });
  const hostDirs: string[] = [];
  const pod = (name: string) => w.getObj(`${NS}/pods/${name}`);
  const exec = (name: string, cmd: string[], o: { container?: string } = {}): Promise<KubectlResult> =>
    b.kubectl(['exec', name, ...(o.container ? ['-c', o.container] : []), '--', ...cmd]);

  /** Waits for the pod to pass check; a timeout says what the pod and berth's log last showed. */
  async function waitPod(name: string, check: (p: any) => boolean, o: { what: string; ms?: number }): Promise<any> {
    let last: any;
    try {
      return await w.waitFor(`${name}: ${o.what}`, async () => {
        last = await pod(name);
        return last && check(last) && last;
      }, o.ms ?? 20_000);
    } catch (e) {
      const log = b.output().split('\n').filter((l) => l.includes(name)).slice(-15).join('\n');
      throw new Error(`${(e as Error).message}\nlast status: ${JSON.stringify(last?.status)}\nberth's log about ${name}:\n${log}`);
    }
  }

  before(async () => {
    if (skip) return;
    const verbose = process.env.BERTH_E2E_LOG ? ['-v'] : [];
    b = await startBerth({ defaultRuntime: true, args: ['--cluster-cidr', opts.clusterCidr, ...verbose] });
    assert.match(b.output(), /agents: node-1 \(runtime process\)/, 'berth up with no flag runs the process runtime here');
  });

  after(async () => {
    if (b) {
      await b.kubectl(['delete', 'pod', '-l', 'suite=process-runtime', '--grace-period=1', '--ignore-not-found', '--wait=false']);
      await w.waitFor('every pod of this file gone', async () => (await w.list(`${NS}/pods`, { labelSelector: 'suite=process-runtime' })).length === 0, 30_000).catch(() => undefined);
      await b.stop();
      if (process.env.BERTH_E2E_LOG) writeFileSync(process.env.BERTH_E2E_LOG, b.output());
    }
    for (const d of hostDirs) rmSync(d, { recursive: true, force: true });
  });

  return {
    skip,
    w,
    berth,
    pod,
    exec,
    execOk: async (name: string, cmd: string[], o: { container?: string } = {}) => ok(await exec(name, cmd, o)),
    waitPod,
    waitReady: (name: string) => waitPod(name, isReady, { what: 'Running and Ready' }),
    waitPhase: (name: string, phase: string) => waitPod(name, (p) => p.status?.phase === phase, { what: `phase ${phase}` }),
    /** Deletes pods the way each test ends: a short grace period, not waiting for them to go. */
    remove: async (...names: string[]) => {
      await b.kubectl(['delete', 'pod', ...names, '--grace-period=1', '--wait=false', '--ignore-not-found']);
    },
    /** A host directory for a hostPath volume, removed in after(). */
    hostDir: () => {
      const d = mkdtempSync(join(tmpdir(), 'berth-e2e-hostpath-'));
      hostDirs.push(d);
      return d;
    },
  };
}
