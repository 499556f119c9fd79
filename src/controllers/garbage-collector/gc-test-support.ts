// Test support for the garbage collector's tests: a test cluster with the collector running, and
// small builders for owners and dependents (ConfigMaps, and StorageClasses as cluster-scoped
// objects). Not used outside tests.

import type { TestContext } from 'node:test';
import { isApiError } from '../../api/errors.js';
import type { KObject } from '../../api/resource.js';
import type { Client, ResourceRef } from '../../client/client.js';
import { CONFIG_MAPS, STORAGE_CLASSES } from '../../client/resources.js';
import type { OwnerReference } from '../util/owners.js';
import { testCluster } from '../test-cluster.js';
import type { TestCluster } from '../test-cluster.js';
import { GarbageCollector } from './garbage-collector.js';
import type { GarbageCollectorOptions } from './garbage-collector.js';

export const NS = 'default';

export interface GcHarness extends TestCluster {
  gc: GarbageCollector;
  /** Creates a ConfigMap in `ns` (default NS) owned by `owners`. */
  cm(name: string, owners?: OwnerReference[], opts?: { ns?: string; finalizers?: string[] }): Promise<KObject>;
  /** Whether the ConfigMap is gone. */
  gone(name: string, ns?: string): Promise<boolean>;
  getCm(name: string, ns?: string): Promise<KObject>;
}

/** A cluster running the collector (built with create(), before the informers start). */
export async function gcHarness(t: TestContext, opts: GarbageCollectorOptions = {}): Promise<GcHarness> {
  const c = await testCluster();
  t.after(() => c.close());
  const gc = await GarbageCollector.create(c.deps, { discoveryRefreshMs: 0, ...opts });
  await c.run(gc);
  return {
    ...c,
    gc,
    cm: (name, owners = [], o = {}) => c.client.create(CONFIG_MAPS, o.ns ?? NS, configMap(name, owners, o)),
    gone: (name, ns = NS) => isGone(c.client, { resource: CONFIG_MAPS, name, ns }),
    getCm: (name, ns = NS) => c.client.get(CONFIG_MAPS, ns, name),
  };
}

export function configMap(name: string, owners: OwnerReference[] = [], opts: { ns?: string; finalizers?: string[] } = {}): KObject {
  const metadata: KObject['metadata'] = { name, namespace: opts.ns ?? NS };
  if (owners.length) metadata.ownerReferences = owners;
  if (opts.finalizers) metadata.finalizers = opts.finalizers;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { k: 'v' } };
}

export function storageClass(name: string, owners: OwnerReference[] = []): KObject {
  const metadata: KObject['metadata'] = { name };
  if (owners.length) metadata.ownerReferences = owners;
  return { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata, provisioner: 'example.com/none' };
}

/** An owner reference to obj; `block` sets blockOwnerDeletion. */
export function refTo(obj: KObject, opts: { block?: boolean; controller?: boolean } = {}): OwnerReference {
  const r: OwnerReference = { apiVersion: obj.apiVersion!, kind: obj.kind!, name: obj.metadata!.name!, uid: obj.metadata!.uid! };
  if (opts.block !== undefined) r.blockOwnerDeletion = opts.block;
  if (opts.controller) r.controller = true;
  return r;
}

export function isGone(client: Client, t: { resource: ResourceRef; name: string; ns?: string }): Promise<boolean> {
  return client.get(t.resource, t.ns, t.name).then(
    () => false,
    (e) => (isApiError(e) && e.code === 404) || Promise.reject(e),
  );
}

export const STORAGE = STORAGE_CLASSES;
export const CMS = CONFIG_MAPS;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
