// Test support for the StatefulSet controller's tests: a cluster with the controller running, a
// StatefulSet builder, and the kubelet's part played by hand (there is none in these tests): pods
// made Running and Ready (or Failed) through the status subresource. Not used outside tests.

import type { KObject } from '../../api/resource.js';
import { isApiError } from '../../api/errors.js';
import { CONTROLLER_REVISIONS, EVENTS, PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../../client/resources.js';
import { eventually, testCluster } from '../test-cluster.js';
import type { TestCluster } from '../test-cluster.js';
import { StatefulSetController } from './statefulset-controller.js';

export const NS = 'default';

export interface SetOptions {
  replicas?: number;
  policy?: 'OrderedReady' | 'Parallel';
  claims?: string[];
  image?: string;
  updateStrategy?: object;
  minReadySeconds?: number;
  retention?: { whenDeleted?: string; whenScaled?: string };
  start?: number;
  historyLimit?: number;
  labels?: Record<string, string>;
}

export function webSet(name: string, o: SetOptions = {}): KObject {
  const labels = o.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      serviceName: 'nginx',
      replicas: o.replicas ?? 1,
      podManagementPolicy: o.policy ?? 'OrderedReady',
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels, tier: 'web' }, annotations: { note: 'from-template' } },
        spec: {
          containers: [{ name: 'nginx', image: o.image ?? 'nginx:1.25', volumeMounts: (o.claims ?? []).map((c) => ({ name: c, mountPath: `/data/${c}` })) }],
        },
      },
      ...(o.claims?.length
        ? { volumeClaimTemplates: o.claims.map((c) => ({ metadata: { name: c }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })) }
        : {}),
      ...(o.updateStrategy ? { updateStrategy: o.updateStrategy } : {}),
      ...(o.minReadySeconds !== undefined ? { minReadySeconds: o.minReadySeconds } : {}),
      ...(o.retention ? { persistentVolumeClaimRetentionPolicy: o.retention } : {}),
      ...(o.start !== undefined ? { ordinals: { start: o.start } } : {}),
      ...(o.historyLimit !== undefined ? { revisionHistoryLimit: o.historyLimit } : {}),
    },
  };
}

/** A 1Gi ReadWriteOnce claim in NS, as made beforehand by a user; `metadata` adds to its name and namespace. */
export function claimObject(name: string, metadata: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NS, ...metadata },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  };
}

export async function withStatefulSets(
  fn: (c: TestCluster, ctrl: StatefulSetController) => Promise<void>,
  opts: { now?: () => Date; resyncMs?: number } = {},
): Promise<void> {
  const c = await testCluster({ resyncMs: opts.resyncMs ?? 1000, now: opts.now });
  // STS_TEST_LOG=1 prints the controller's transcript.
  const log = process.env.STS_TEST_LOG ? (l: string) => console.error(l) : undefined;
  const ctrl = new StatefulSetController({ ...c.deps, log }, { workers: 4 });
  await c.run(ctrl);
  try {
    await fn(c, ctrl);
  } finally {
    await c.close();
  }
}

export const getPod = (c: TestCluster, name: string): Promise<KObject | undefined> => c.client.get<KObject>(PODS, NS, name).catch(() => undefined);
export const getSet = (c: TestCluster, name: string): Promise<KObject> => c.client.get<KObject>(STATEFUL_SETS, NS, name);
export const getClaim = (c: TestCluster, name: string): Promise<KObject | undefined> =>
  c.client.get<KObject>(PERSISTENT_VOLUME_CLAIMS, NS, name).catch(() => undefined);

export async function podNames(c: TestCluster): Promise<string[]> {
  return (await c.client.list<KObject>(PODS, NS)).items.map((p) => p.metadata!.name!).sort();
}

export async function revisionsOf(c: TestCluster, set: string): Promise<KObject[]> {
  const l = await c.client.list<KObject>(CONTROLLER_REVISIONS, NS);
  return l.items.filter((r) => r.metadata?.name?.startsWith(`${set}-`)).sort((a, b) => a.revision - b.revision);
}

/** Plays the kubelet: phase and Ready condition through pods/status, retried on conflicts. */
export async function setPodStatus(c: TestCluster, name: string, s: { phase: string; ready: boolean; since?: string }): Promise<void> {
  for (;;) {
    const pod = await c.client.get<KObject>(PODS, NS, name);
    const lastTransitionTime = s.since ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    pod.status = { ...pod.status, phase: s.phase, conditions: [{ type: 'Ready', status: s.ready ? 'True' : 'False', lastTransitionTime }] };
    try {
      await c.client.update(PODS, pod, 'status');
      return;
    } catch (e) {
      if (!(isApiError(e) && e.code === 409)) throw e;
    }
  }
}

export const makeReady = (c: TestCluster, name: string, opts: { since?: string } = {}): Promise<void> =>
  setPodStatus(c, name, { phase: 'Running', ready: true, since: opts.since });

/** Waits for pod `name` (a new one if `notUid`) to exist, then makes it Running and Ready. */
export async function readyWhenCreated(c: TestCluster, name: string, opts: { notUid?: string } = {}): Promise<KObject> {
  const notUid = opts.notUid;
  let pod: KObject | undefined;
  await eventually(async () => !!(pod = await getPod(c, name)) && pod.metadata?.uid !== notUid, `pod ${name} created`, 10_000);
  await makeReady(c, name);
  return pod!;
}

/** Binds a pod to a node, so that deleting it is graceful (an unscheduled pod goes at once). */
export async function bind(c: TestCluster, name: string): Promise<void> {
  const node = 'node-1';
  await c.client.raw({
    method: 'POST',
    path: `/api/v1/namespaces/${NS}/pods/${name}/binding`,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } }),
    headers: { 'content-type': 'application/json' },
  });
}

export async function eventsOf(c: TestCluster, set: string): Promise<KObject[]> {
  const l = await c.client.list<KObject>(EVENTS, NS, { fieldSelector: `involvedObject.name=${set}` });
  return l.items;
}

export async function waitEvent(c: TestCluster, set: string, want: { reason: string; message?: string }): Promise<KObject> {
  const { reason, message } = want;
  let found: KObject | undefined;
  await eventually(async () => !!(found = (await eventsOf(c, set)).find((e) => e.reason === reason && (message === undefined || e.message === message))), `${reason} ${message ?? ''}`, 10_000);
  return found!;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
