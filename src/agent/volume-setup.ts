// Volume preparation before a pod's containers start (the kubelet's volume manager, for the
// sources berth serves), with the same paths, checks and error texts:
// - emptyDir: <dataDir>/pods/<uid>/volumes/kubernetes.io~empty-dir/<name>, mode 0777;
// - hostPath: the type check of pkg/volume/hostpath (DirectoryOrCreate/FileOrCreate create);
// - configMap / secret: their keys (or items) written as files under
//   <dataDir>/pods/<uid>/volumes/kubernetes.io~configmap|secret/<name>, once, at preparation;
// - persistentVolumeClaim: the claim must be Bound and its PV bound back to it (the desired-state
//   populator's "error processing PVC ns/name: ..." texts); a PV whose access modes include
//   ReadWriteOnce or ReadWriteOncePod must be attached here (a VolumeAttachment for this node
//   with status.attached, written by the attach-detach controller); its hostPath, local or nfs
//   path must exist (berth mounts nfs exports from the local file system).
// Real directories are made for every runtime, so the process runtime bind-mounts the same paths.
// teardown() removes <dataDir>/pods/<uid> (emptyDir, configMap and secret contents).
// - downwardAPI: each item's pod field or container resource (downward-api.ts) as a file;
// - projected: configMap, secret and downwardAPI sources merged into one directory.
// Deliberately absent: live updates of configMap/secret/downwardAPI files, serviceAccountToken
// and clusterTrustBundle projections (berth issues no tokens), block volumes, CSI and cloud volume
// sources (a setup error names them), fsGroup ownership changes and SELinux relabelling.

import { chmod, lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { CONFIG_MAPS, PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS, SECRETS } from '../client/resources.js';
import type { AttachmentTracker } from './attachment-tracker.js';
import type { PreparedVolume } from './runtime.js';
import { fieldRefValue, resourceFieldValue } from './downward-api.js';

export interface VolumeSetupResult {
  ready: boolean;
  volumes: PreparedVolume[];
  /** Outer volume names not set up yet, sorted (the kubelet's "unmounted volumes"). */
  unmounted: string[];
  /** Volumes whose PV waits for its VolumeAttachment. */
  unattached: string[];
  /** Volumes whose claim or PV is not usable yet ("failed to process volumes"). */
  failedToProcess: string[];
  /** The first processing error: `error processing PVC default/www-web-0: PVC is not bound`. */
  processingError?: string;
  /** `MountVolume.SetUp failed for volume "x" : ...` for each volume that failed its set-up. */
  setupErrors: string[];
}

/** Whether a PV must be attached to the node before use (berth's single-node access modes). */
export function needsAttachment(pv: KObject): boolean {
  const modes: string[] = pv.spec?.accessModes ?? [];
  return modes.includes('ReadWriteOnce') || modes.includes('ReadWriteOncePod');
}

type Outcome = { volume: PreparedVolume } | { processing: string } | { unattached: true } | { setup: string };

class SetupError extends Error {}

/** A failure of the volume itself (reported as an event), not of the API (retried by the queue). */
const isSetupFailure = (e: unknown) => e instanceof SetupError || typeof (e as NodeJS.ErrnoException)?.code === 'string';

const notFoundText = (e: unknown) => (isApiError(e) && e.code === 404 ? e.message : undefined);

async function kindOf(path: string): Promise<'dir' | 'file' | 'socket' | 'char' | 'block' | 'other' | undefined> {
  try {
    const s = await lstat(path);
    if (s.isDirectory()) return 'dir';
    if (s.isFile()) return 'file';
    if (s.isSocket()) return 'socket';
    if (s.isCharacterDevice()) return 'char';
    if (s.isBlockDevice()) return 'block';
    return 'other';
  } catch {
    return undefined;
  }
}

const TYPE_CHECKS: Record<string, { want: string; text: string }> = {
  Directory: { want: 'dir', text: 'is not a directory' },
  DirectoryOrCreate: { want: 'dir', text: 'is not a directory' },
  File: { want: 'file', text: 'is not a file' },
  FileOrCreate: { want: 'file', text: 'is not a file' },
  Socket: { want: 'socket', text: 'is not a socket file' },
  CharDevice: { want: 'char', text: 'is not a character device' },
  BlockDevice: { want: 'block', text: 'is not a block device' },
};

/** pkg/volume/hostpath checkType, creating DirectoryOrCreate (0755) and FileOrCreate (0644) paths. */
async function hostPathCheck(path: string, type: string | undefined): Promise<void> {
  const check = type ? TYPE_CHECKS[type] : undefined;
  if (!check) return;
  let kind = await kindOf(path);
  if (kind === undefined && type === 'DirectoryOrCreate') {
    await mkdir(path, { recursive: true, mode: 0o755 });
    kind = 'dir';
  } else if (kind === undefined && type === 'FileOrCreate') {
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await writeFile(path, '', { mode: 0o644, flag: 'a' });
    kind = 'file';
  }
  if (kind !== check.want) throw new SetupError(`hostPath type check failed: ${path} ${check.text}`);
}

async function mustExist(path: string): Promise<void> {
  if ((await kindOf(path)) === undefined) throw new SetupError(`path "${path}" does not exist`);
}

export class VolumeSetup {
  constructor(
    private readonly client: Client,
    private readonly opts: { dataDir: string; nodeName: string; attachments?: AttachmentTracker },
  ) {}

  podDir(uid: string): string {
    return join(this.opts.dataDir, 'pods', uid);
  }

  /** Sets up every volume of the pod that can be; `waiter` is woken when an attachment changes. */
  async prepare(pod: KObject, waiter: string): Promise<VolumeSetupResult> {
    const res: VolumeSetupResult = { ready: true, volumes: [], unmounted: [], unattached: [], failedToProcess: [], setupErrors: [] };
    let waitsForAttachment = false;
    for (const v of pod.spec?.volumes ?? []) {
      const out = await this.one(pod, { volume: v, waiter });
      if ('volume' in out) {
        res.volumes.push(out.volume);
        continue;
      }
      res.ready = false;
      res.unmounted.push(v.name);
      if ('processing' in out) {
        res.failedToProcess.push(v.name);
        res.processingError ??= out.processing;
      } else if ('unattached' in out) {
        res.unattached.push(v.name);
        waitsForAttachment = true;
      } else res.setupErrors.push(out.setup);
    }
    if (!waitsForAttachment) this.opts.attachments?.done(waiter);
    res.unmounted.sort();
    res.unattached.sort();
    res.failedToProcess.sort();
    return res;
  }

  /** Removes the pod's own directories (emptyDir, configMap, secret contents). */
  async teardown(uid: string): Promise<void> {
    if (!uid) return;
    await rm(this.podDir(uid), { recursive: true, force: true });
  }

  private pluginDir(uid: string, v: { plugin: string; name: string }): string {
    return join(this.podDir(uid), 'volumes', `kubernetes.io~${v.plugin}`, v.name);
  }

  private async one(pod: KObject, o: { volume: any; waiter: string }): Promise<Outcome> {
    const v = o.volume;
    const uid = pod.metadata?.uid ?? '';
    const specName = v.persistentVolumeClaim ? undefined : v.name;
    try {
      if (v.emptyDir) {
        const dir = this.pluginDir(uid, { plugin: 'empty-dir', name: v.name });
        await mkdir(dir, { recursive: true, mode: 0o777 });
        await chmod(dir, 0o777);
        return { volume: { name: v.name, hostPath: dir, readOnly: false } };
      }
      if (v.hostPath) {
        await hostPathCheck(v.hostPath.path, v.hostPath.type);
        return { volume: { name: v.name, hostPath: v.hostPath.path, readOnly: false } };
      }
      if (v.configMap || v.secret || v.downwardAPI || v.projected) return await this.projectFiles(pod, v);
      if (v.persistentVolumeClaim) return await this.claim(pod, o);
      const source = Object.keys(v).find((k) => k !== 'name') ?? 'unknown';
      throw new SetupError(`berth's node agent cannot mount ${source} volumes`);
    } catch (e) {
      if (!isSetupFailure(e)) throw e;
      return { setup: `MountVolume.SetUp failed for volume "${specName ?? v.name}" : ${(e as Error).message}` };
    }
  }

  private async claim(pod: KObject, o: { volume: any; waiter: string }): Promise<Outcome> {
    const v = o.volume;
    const ns = pod.metadata?.namespace ?? '';
    const claimName = v.persistentVolumeClaim.claimName;
    const processing = (msg: string): Outcome => ({ processing: `error processing PVC ${ns}/${claimName}: ${msg}` });
    let claim: KObject;
    try {
      claim = await this.client.get(PERSISTENT_VOLUME_CLAIMS, ns, claimName);
    } catch (e) {
      const nf = notFoundText(e);
      if (nf === undefined) throw e;
      return processing(`failed to fetch PVC from API server: ${nf}`);
    }
    if (claim.metadata?.deletionTimestamp) return processing('PVC is being deleted');
    if (claim.status?.phase !== 'Bound') return processing('PVC is not bound');
    const pvName = claim.spec?.volumeName;
    if (!pvName) return processing('PVC has empty pvc.Spec.VolumeName');
    let pv: KObject;
    try {
      pv = await this.client.get(PERSISTENT_VOLUMES, undefined, pvName);
    } catch (e) {
      const nf = notFoundText(e);
      if (nf === undefined) throw e;
      return processing(`failed to fetch PV ${pvName} from API server: ${nf}`);
    }
    const ref = pv.spec?.claimRef;
    if (!ref) return processing(`found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
    if (ref.uid !== claim.metadata?.uid) {
      return processing(`found PV object ${pvName} but its pv.Spec.ClaimRef.UID ${ref.uid} does not point to claim.UID ${claim.metadata?.uid}`);
    }
    if (this.opts.attachments && needsAttachment(pv) && !(await this.opts.attachments.isAttached(pvName, o.waiter))) return { unattached: true };
    const readOnly = v.persistentVolumeClaim.readOnly === true;
    try {
      let path: string;
      if (pv.spec?.hostPath) {
        path = pv.spec.hostPath.path;
        await hostPathCheck(path, pv.spec.hostPath.type);
      } else if (pv.spec?.local || pv.spec?.nfs) {
        path = (pv.spec.local ?? pv.spec.nfs).path;
        await mustExist(path);
      } else {
        const source = Object.keys(pv.spec ?? {}).find((k) => !['accessModes', 'capacity', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions', 'volumeMode', 'nodeAffinity', 'volumeAttributesClassName'].includes(k));
        throw new SetupError(`berth's node agent cannot mount ${source ?? 'this'} volumes`);
      }
      return { volume: { name: v.name, hostPath: path, readOnly } };
    } catch (e) {
      if (!isSetupFailure(e)) throw e;
      return { setup: `MountVolume.SetUp failed for volume "${pvName}" : ${(e as Error).message}` };
    }
  }

  /** configMap, secret, downwardAPI and projected volumes: files written once into the pod's directory. */
  private async projectFiles(pod: KObject, v: any): Promise<Outcome> {
    const files = new Map<string, { data: Buffer; mode: number }>();
    const plugin = v.configMap ? 'configmap' : v.secret ? 'secret' : v.downwardAPI ? 'downward-api' : 'projected';
    if (v.configMap || v.secret) await this.objectFiles(pod, { src: v.configMap ?? v.secret, secret: !!v.secret, defaultMode: (v.configMap ?? v.secret).defaultMode, files });
    else if (v.downwardAPI) downwardFiles(pod, { items: v.downwardAPI.items, defaultMode: v.downwardAPI.defaultMode, files });
    else {
      for (const source of v.projected.sources ?? []) {
        const defaultMode = v.projected.defaultMode;
        if (source.configMap || source.secret) await this.objectFiles(pod, { src: source.configMap ?? source.secret, secret: !!source.secret, defaultMode, files });
        else if (source.downwardAPI) downwardFiles(pod, { items: source.downwardAPI.items, defaultMode, files });
      }
    }
    const dir = this.pluginDir(pod.metadata?.uid ?? '', { plugin, name: v.name });
    await mkdir(dir, { recursive: true, mode: 0o755 });
    for (const [path, f] of files) {
      const file = join(dir, path);
      await mkdir(dirname(file), { recursive: true, mode: 0o755 });
      await writeFile(file, f.data, { mode: f.mode });
    }
    return { volume: { name: v.name, hostPath: dir, readOnly: true } };
  }

  /** A configMap or secret source: each key (or each item) as a file. */
  private async objectFiles(pod: KObject, o: { src: any; secret: boolean; defaultMode?: number; files: Map<string, { data: Buffer; mode: number }> }): Promise<void> {
    const { src, secret } = o;
    const name = secret ? src.secretName ?? src.name : src.name;
    const kind = secret ? 'secret' : 'configmap';
    let obj: KObject | undefined;
    try {
      obj = await this.client.get(secret ? SECRETS : CONFIG_MAPS, pod.metadata?.namespace, name);
    } catch (e) {
      if (notFoundText(e) === undefined) throw e;
      if (!src.optional) throw new SetupError(`${kind} "${name}" not found`);
    }
    const data = new Map<string, Buffer>();
    for (const [k, val] of Object.entries<string>(obj?.data ?? {})) data.set(k, secret ? Buffer.from(val, 'base64') : Buffer.from(val));
    if (!secret) for (const [k, val] of Object.entries<string>(obj?.binaryData ?? {})) data.set(k, Buffer.from(val, 'base64'));
    const items: any[] = src.items ?? [...data.keys()].map((k) => ({ key: k, path: k }));
    for (const it of items) {
      const d = data.get(it.key);
      if (d === undefined) {
        if (src.optional) continue;
        throw new SetupError(secret ? `references non-existent secret key: ${it.key}` : `configmap references non-existent config key: ${it.key}`);
      }
      o.files.set(it.path, { data: d, mode: it.mode ?? src.defaultMode ?? o.defaultMode ?? 0o644 });
    }
  }
}

/** A downwardAPI source: each item's value as a file. */
function downwardFiles(pod: KObject, o: { items?: any[]; defaultMode?: number; files: Map<string, { data: Buffer; mode: number }> }): void {
  for (const it of o.items ?? []) {
    let value: string;
    try {
      if (it.fieldRef) value = fieldRefValue(pod, { fieldPath: it.fieldRef.fieldPath, podIP: pod.status?.podIP ?? '' });
      else if (it.resourceFieldRef) {
        const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
        const container = containers.find((c: any) => c.name === it.resourceFieldRef.containerName) ?? containers[0] ?? {};
        value = resourceFieldValue(pod, { ref: it.resourceFieldRef, container });
      } else continue;
    } catch (e) {
      throw new SetupError(`downward API item ${it.path}: ${(e as Error).message}`);
    }
    o.files.set(it.path, { data: Buffer.from(value), mode: it.mode ?? o.defaultMode ?? 0o644 });
  }
}
