// Test support for the process runtime's tests: whether they can run here (root and namespaces,
// else a skip reason), a runtime on a fresh data directory that ends its pods and bridge when the
// test ends, pod objects, starting a pod's containers, and waiting. Each test file uses its own
// node name and pod range, so files running in parallel never share a bridge. Not used outside tests.

import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../api/resource.js';
import type { PreparedVolume, Runtime, RuntimeContainer } from '../runtime.js';
import { processRuntimeAvailable } from './availability.js';
import type { ProcessRuntimeOptions } from './process-runtime.js';
import { createProcessRuntime } from './process-runtime.js';

const available = await processRuntimeAvailable();
/** Why the process runtime's tests cannot run here (undefined: they can). */
export const skipReason: string | undefined = available.ok ? undefined : `process runtime unavailable: ${available.reason}`;

export interface RuntimeWorld {
  rt: Runtime;
  dataDir: string;
  /** A temporary directory removed at the end. */
  tempDir(): Promise<string>;
  /** Closes the runtime (pods keep running) and creates another on the same data directory. */
  reopen(): Promise<Runtime>;
}

export async function withRuntime(opts: { nodeName: string } & Partial<ProcessRuntimeOptions>, fn: (w: RuntimeWorld) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-process-'));
  const temps: string[] = [];
  let current: ProcessRuntimeOptions;
  const make = () => createProcessRuntime((current = { dataDir, killPodsOnClose: true, ...opts, nodeName: opts.nodeName }));
  const w: RuntimeWorld = {
    rt: make(),
    dataDir,
    async tempDir() {
      const d = await mkdtemp(join(tmpdir(), 'berth-vol-'));
      temps.push(d);
      return d;
    },
    async reopen() {
      // killPodsOnClose is read at close(): the old instance lets go without ending the pods.
      current.killPodsOnClose = false;
      await w.rt.close();
      w.rt = make();
      return w.rt;
    },
  };
  try {
    await fn(w);
  } finally {
    await w.rt.close();
    await rm(dataDir, { recursive: true, force: true });
    for (const d of temps) await rm(d, { recursive: true, force: true });
  }
}

export function processPod(name: string, spec: any): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: randomUUID() }, spec };
}

/** The sandbox and every regular container of the pod. */
export async function runPod(rt: Runtime, pod: KObject, o: { ip: string; podCIDR: string; volumes?: PreparedVolume[] }): Promise<RuntimeContainer[]> {
  await rt.runSandbox({ pod, ip: o.ip, podCIDR: o.podCIDR, hostname: pod.spec?.hostname ?? pod.metadata?.name ?? '', volumes: o.volumes ?? [] });
  const out: RuntimeContainer[] = [];
  for (const c of pod.spec?.containers ?? []) out.push(await rt.startContainer(pod.metadata?.uid ?? '', { pod, kind: 'regular', container: c, attempt: 0 }));
  return out;
}

export async function until(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The texts of a CRI log file's entries. */
export async function logTexts(path: string | undefined): Promise<string[]> {
  if (!path) return [];
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ').slice(3).join(' '));
}
