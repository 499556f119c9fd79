// The process runtime's durable state, so pods survive an agent restart: per pod
// <root>/pods/<uid>/pod.json (identity, network, pause process, volumes), its /etc files under
// etc/, per container instance containers/<id>/ (container.json: what the runtime needs to exec,
// probe and report it; status.json: written by the instance's supervisor; the overlay's upper,
// work and merged directories), and one CRI log file per instance under logs/<name>/<attempt>.log.
// Also the termination message of an exited instance (its termination-log file, or with
// FallbackToLogsOnError the tail of its log: 80 lines, 2048 bytes, as the kubelet cuts it).
// Deliberately absent: behaviour (process-runtime.ts).

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PreparedVolume } from '../runtime.js';
import type { ShimStatus } from './container-shim.js';

export interface PodMeta {
  uid: string;
  namespace: string;
  name: string;
  nodeName: string;
  hostNetwork: boolean;
  ip: string;
  podCIDR: string;
  hostname: string;
  netns?: string;
  veth?: string;
  pausePid?: number;
  pauseStart?: number;
  volumes: PreparedVolume[];
  createdAt: string;
  /** removePod began: finish it at the next start. */
  removing?: boolean;
}

export interface InstanceMeta {
  name: string;
  kind: 'init' | 'regular';
  id: string;
  image: string;
  imageID: string;
  attempt: number;
  createdAt: string;
  env: Record<string, string>;
  workingDir: string;
  logPath: string;
  terminationMessagePolicy?: string;
  /** The container could not be started (StartError): its exit is known without a supervisor. */
  startError?: { exitCode: number; reason: string; message: string; at: string };
}

export class PodStore {
  constructor(readonly root: string) {}

  podDir(uid: string): string {
    return join(this.root, 'pods', uid);
  }

  instanceDir(uid: string, id: string): string {
    return join(this.podDir(uid), 'containers', id);
  }

  logPath(uid: string, o: { name: string; attempt: number }): string {
    return join(this.podDir(uid), 'logs', o.name, `${o.attempt}.log`);
  }

  private async writeJson(path: string, value: unknown): Promise<void> {
    await writeFile(`${path}.tmp`, JSON.stringify(value), { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  }

  async savePod(meta: PodMeta): Promise<void> {
    await mkdir(this.podDir(meta.uid), { recursive: true });
    await this.writeJson(join(this.podDir(meta.uid), 'pod.json'), meta);
  }

  async saveInstance(uid: string, meta: InstanceMeta): Promise<void> {
    await this.writeJson(join(this.instanceDir(uid, meta.id), 'container.json'), meta);
  }

  loadPod(uid: string): PodMeta | undefined {
    try {
      return JSON.parse(readFileSync(join(this.podDir(uid), 'pod.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Every pod on disk (uids). */
  podUids(): string[] {
    try {
      return readdirSync(join(this.root, 'pods'));
    } catch {
      return [];
    }
  }

  /** The pod's instances with their supervisor status, oldest first. */
  loadInstances(uid: string): { meta: InstanceMeta; status?: ShimStatus }[] {
    const dir = join(this.podDir(uid), 'containers');
    const out: { meta: InstanceMeta; status?: ShimStatus }[] = [];
    let ids: string[] = [];
    try {
      ids = readdirSync(dir);
    } catch {
      return out;
    }
    for (const id of ids) {
      try {
        const meta: InstanceMeta = JSON.parse(readFileSync(join(dir, id, 'container.json'), 'utf8'));
        out.push({ meta, status: this.readStatus(uid, id) });
      } catch {
        // An instance whose start did not get far enough to be recorded.
      }
    }
    return out.sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt) || a.meta.attempt - b.meta.attempt);
  }

  readStatus(uid: string, id: string): ShimStatus | undefined {
    try {
      return JSON.parse(readFileSync(join(this.instanceDir(uid, id), 'status.json'), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** The message of an exited instance, as the kubelet reads it. */
  async terminationMessage(uid: string, o: { meta: InstanceMeta; exitCode: number }): Promise<string | undefined> {
    const file = join(this.instanceDir(uid, o.meta.id), 'termination-log');
    const text = existsSync(file) ? (await readFile(file)).subarray(0, 4096).toString('utf8') : '';
    if (text) return text;
    if (o.meta.terminationMessagePolicy !== 'FallbackToLogsOnError' || o.exitCode === 0) return undefined;
    const log = existsSync(o.meta.logPath) ? await readFile(o.meta.logPath, 'utf8') : '';
    const lines = log
      .split('\n')
      .filter(Boolean)
      .slice(-80)
      .map((l) => l.split(' ').slice(3).join(' '));
    const tail = lines.join('\n');
    return tail ? Buffer.from(tail).subarray(-2048).toString('utf8') : undefined;
  }
}
