// Helpers shared by the storage e2e tests (binding, lifecycle, provisioning, the external
// provisioner): kubectl apply of objects, reads of and waits on claims and volumes through the
// HTTP API and `kubectl describe`, and builders of the manifests they apply.

import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { stringify } from 'yaml';
import { eventually, ok } from './harness.js';
import type { Berth } from './harness.js';

export const pvcPath = (name: string, ns = 'default') => `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`;
export const pvPath = (name: string) => `/api/v1/persistentvolumes/${name}`;

export const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export interface StorageClientOptions {
  /** How long waitPhase waits unless told (15 s). */
  phaseTimeoutMs?: number;
  /** More to say when a wait times out (the server's log, a provisioner's output). */
  diagnostics?: () => string;
}

/**
 * The helpers bound to a test file's berth, which `before` starts: hence a getter, not the berth.
 * All of them fail the test (assert) on an unexpected answer.
 */
export function storageClient(berth: () => Berth, opts: StorageClientOptions = {}) {
  const more = () => (opts.diagnostics ? `\n${opts.diagnostics()}` : '');

  /** kubectl apply of objects as one multi-document YAML stream. */
  async function apply(...objects: object[]): Promise<string> {
    return ok(await berth().kubectl(['apply', '-f', '-'], { input: objects.map((o) => stringify(o)).join('---\n') }));
  }

  /** The object at path, or undefined on 404. */
  async function getObj(path: string): Promise<any | undefined> {
    const r = await berth().http('GET', path);
    if (r.status === 404) return undefined;
    assert.equal(r.status, 200, r.text);
    return r.body;
  }

  async function claim(name: string): Promise<any> {
    const c = await getObj(pvcPath(name));
    assert.ok(c, `claim ${name} not found`);
    return c;
  }

  async function volume(name: string): Promise<any> {
    const v = await getObj(pvPath(name));
    assert.ok(v, `volume ${name} not found`);
    return v;
  }

  /** Polls until the object at path has status.phase === phase; returns the object. */
  async function waitPhase(path: string, phase: string, timeoutMs = opts.phaseTimeoutMs ?? 15_000): Promise<any> {
    let last: any;
    try {
      return await eventually(async () => {
        last = await getObj(path);
        return last?.status?.phase === phase ? last : undefined;
      }, timeoutMs);
    } catch (e) {
      const ref = last?.spec?.claimRef ?? last?.spec?.volumeName;
      throw new Error(`${path} did not reach phase ${phase}: last ${JSON.stringify(last?.status)} ${JSON.stringify(ref)}${more()}\n${e}`);
    }
  }

  /** Polls until the object at path is gone (404). */
  async function waitGone(path: string, timeoutMs = 15_000): Promise<void> {
    try {
      await eventually(async () => (await getObj(path)) === undefined, timeoutMs);
    } catch (e) {
      const last = await getObj(path);
      throw new Error(`${path} still exists: ${JSON.stringify({ metadata: last?.metadata, status: last?.status })}${more()}\n${e}`);
    }
  }

  /** `kubectl describe kind name` (its Events section included), polled until it matches re. */
  async function waitDescribe(kind: string, name: string, re: RegExp, timeoutMs = 15_000): Promise<string> {
    let out = '';
    try {
      return await eventually(async () => {
        out = ok(await berth().kubectl(['describe', kind, name]));
        return re.test(out) ? out : undefined;
      }, timeoutMs, 250);
    } catch (e) {
      throw new Error(`kubectl describe ${kind} ${name} never matched ${re}:\n${out}${more()}\n${e}`);
    }
  }

  /** A claim Bound to its provisioned volume `pvc-<uid>`: returns the claim, its uid and the PV. */
  async function boundProvisioned(name: string): Promise<{ claim: any; uid: string; pv: any }> {
    const c = await waitPhase(pvcPath(name), 'Bound');
    const uid = c.metadata.uid;
    assert.equal(c.spec.volumeName, `pvc-${uid}`);
    const pv = await waitPhase(pvPath(`pvc-${uid}`), 'Bound');
    return { claim: c, uid, pv };
  }

  return { apply, getObj, claim, volume, waitPhase, waitGone, waitDescribe, boundProvisioned };
}

// ---- manifests ----

export function storageClass(name: string, provisioner: string, extra: Record<string, unknown> = {}): object {
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name }, provisioner, ...extra };
}

/** A Node object with its kubernetes.io/hostname label (no agent behind it). */
export function node(name: string, labels: Record<string, string> = {}): object {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } };
}

/** spec.nodeAffinity of a volume that lives on one node. */
export function onNode(name: string): object {
  return { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [name] }] }] } };
}

export interface PvOptions {
  size?: string;
  cls?: string;
  modes?: string[];
  labels?: Record<string, string>;
  claimRef?: Record<string, string>;
  policy?: string;
}

/**
 * A PersistentVolume: 1Gi, ReadWriteOnce, Retain unless told. `source` is its volume source and any
 * other spec fields (volumeMode, nodeAffinity).
 */
export function persistentVolume(name: string, source: object, opts: PvOptions = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      capacity: { storage: opts.size ?? '1Gi' },
      accessModes: opts.modes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: opts.policy ?? 'Retain',
      ...(opts.cls !== undefined ? { storageClassName: opts.cls } : {}),
      ...(opts.claimRef ? { claimRef: opts.claimRef } : {}),
      ...source,
    },
  };
}

/** A hostPath PersistentVolume at opts.path. */
export function hostPathPv(name: string, opts: PvOptions & { path: string }): any {
  return persistentVolume(name, { hostPath: { path: opts.path } }, opts);
}

export interface PvcOptions {
  size?: string;
  /** null or absent: no storageClassName (admission may add the default); '' is kept. */
  cls?: string | null;
  modes?: string[];
  selector?: object;
  volumeName?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

/** A PersistentVolumeClaim in namespace default: 1Gi, ReadWriteOnce unless told. */
export function pvc(name: string, opts: PvcOptions): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'default', ...(opts.annotations ? { annotations: opts.annotations } : {}), ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      accessModes: opts.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: opts.size ?? '1Gi' } },
      ...(opts.cls !== undefined && opts.cls !== null ? { storageClassName: opts.cls } : {}),
      ...(opts.selector ? { selector: opts.selector } : {}),
      ...(opts.volumeName ? { volumeName: opts.volumeName } : {}),
    },
  };
}
