// The Deployment controller (pkg/controller/deployment): each Deployment owns ReplicaSets
// `<deployment>-<pod-template-hash>`, one per pod template it has had; it claims them by selector
// (adopting orphans after a live check, releasing ones that stop matching) and, per sync, in
// Kubernetes' order: a Deployment being deleted only gets status; paused ones scale and clean up;
// a `deprecated.deployment.rollback.to` annotation rolls back (rollback.ts); a change of
// spec.replicas alone scales proportionally (sync.ts); anything else rolls out by its strategy
// (rolling.ts, recreate.ts), writing status and the Progressing/Available conditions (progress.ts)
// that `kubectl rollout status` reads. `kubectl rollout undo` needs nothing special: it patches
// the template back, and the sync finds the old ReplicaSet by template and bumps its revision.
// Handlers only enqueue: Deployment changes; ReplicaSet changes to their controlling Deployment
// (or, for orphans, every Deployment whose selector matches); pods that stop or go away, to the
// Deployment of their ReplicaSet (a Recreate rollout waits for them).
// Deliberately absent: the extensions/v1beta1 and apps/v1beta* API versions (not served).

import type { KObject } from '../../api/resource.js';
import { isEmptySelector, parseLabelSelector, selectorMatches } from '../../api/validation/label-selector.js';
import type { Informer } from '../../client/informer.js';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { ControllerDeps } from '../deps.js';
import { claimObjects } from '../replicaset-claims.js';
import type { OwnerReference } from '../util/owners.js';
import { controllerOf, newControllerRef } from '../util/owners.js';
import type { DeploymentContext } from './deployment-context.js';
import { DeploymentSync } from './deployment-context.js';
import { checkPausedConditions } from './progress.js';
import { rolloutRecreate } from './recreate.js';
import { rollback, rollbackTo } from './rollback.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, syncScaling, syncStatusOnly } from './sync.js';

export const DEPLOYMENT_COMPONENT = 'deployment-controller';

interface RSEntry {
  rv: string | undefined;
  controller: OwnerReference | undefined;
  labels: Record<string, string> | undefined;
}

const nsOf = (key: string) => key.slice(0, key.indexOf('/'));

export class DeploymentController {
  private readonly deployments: Informer;
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly ctx: DeploymentContext;
  private readonly rsIndex = new Map<string, RSEntry>();
  /** namespace → keys, for Deployments, ReplicaSets and pods. */
  private readonly byNs = { deployments: new Map<string, Set<string>>(), sets: new Map<string, Set<string>>(), pods: new Map<string, Set<string>>() };
  /** pod key → the name of the ReplicaSet controlling it. */
  private readonly podOwner = new Map<string, string>();

  constructor(
    private readonly deps: ControllerDeps,
    opts: { workers?: number } = {},
  ) {
    this.deployments = deps.informers.for(DEPLOYMENTS);
    this.sets = deps.informers.for(REPLICA_SETS);
    this.pods = deps.informers.for(PODS);
    this.ctx = { client: deps.client, events: deps.events(DEPLOYMENT_COMPONENT), now: deps.now, log: deps.log };
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: DEPLOYMENT_COMPONENT, log: deps.log, workers: opts.workers ?? 8 });
    this.deployments.onChange((key, d) => {
      index(this.byNs.deployments, key, !!d);
      this.queue.add(key);
    });
    this.sets.onChange((key, rs) => this.replicaSetChanged(key, rs));
    this.pods.onChange((key, pod) => this.podChanged(key, pod));
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.queue.stop();
  }

  /** The key of the Deployment a controller reference names, if the cache has that one. */
  private resolve(namespace: string, ref: OwnerReference | undefined): string | undefined {
    if (!ref || ref.kind !== 'Deployment' || !String(ref.apiVersion).startsWith('apps/')) return undefined;
    const key = `${namespace}/${ref.name}`;
    return this.deployments.get(key)?.metadata?.uid === ref.uid ? key : undefined;
  }

  private enqueueResolved(namespace: string, ref: OwnerReference | undefined): void {
    const key = this.resolve(namespace, ref);
    if (key) this.queue.add(key);
  }

  private replicaSetChanged(key: string, rs: KObject | undefined): void {
    const ns = nsOf(key);
    const prev = this.rsIndex.get(key);
    index(this.byNs.sets, key, !!rs);
    if (!rs) {
      this.rsIndex.delete(key);
      this.enqueueResolved(ns, prev?.controller);
      return;
    }
    const entry: RSEntry = { rv: rs.metadata?.resourceVersion, controller: controllerOf(rs), labels: rs.metadata?.labels };
    this.rsIndex.set(key, entry);
    if (prev && prev.rv === entry.rv) return;
    const controllerChanged = prev?.controller?.uid !== entry.controller?.uid;
    if (prev && controllerChanged) this.enqueueResolved(ns, prev.controller);
    if (entry.controller) {
      this.enqueueResolved(ns, entry.controller);
      return;
    }
    // An orphan: every Deployment that could adopt it, when it is new or its labels changed.
    if (!prev || controllerChanged || JSON.stringify(prev.labels ?? {}) !== JSON.stringify(entry.labels ?? {})) {
      for (const dKey of this.byNs.deployments.get(ns) ?? []) {
        const d = this.deployments.get(dKey);
        if (d && selectorMatches(parseLabelSelector(d.spec?.selector), entry.labels)) this.queue.add(dKey);
      }
    }
  }

  private podChanged(key: string, pod: KObject | undefined): void {
    const ns = nsOf(key);
    index(this.byNs.pods, key, !!pod);
    const prevOwner = this.podOwner.get(key);
    const ref = pod && controllerOf(pod);
    const owner = ref?.kind === 'ReplicaSet' ? ref.name : undefined;
    if (owner) this.podOwner.set(key, owner);
    else this.podOwner.delete(key);
    // Only a pod going away (or finishing) can unblock a Recreate rollout.
    const gone = !pod || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    const rsName = pod ? owner : prevOwner;
    if (!gone || !rsName) return;
    const rs = this.sets.get(`${ns}/${rsName}`);
    const dKey = rs && this.resolve(ns, controllerOf(rs));
    if (dKey && this.deployments.get(dKey)?.spec?.strategy?.type === 'Recreate') this.queue.add(dKey);
  }

  private inNamespace(which: 'sets' | 'pods', ns: string): KObject[] {
    const inf = which === 'sets' ? this.sets : this.pods;
    const out: KObject[] = [];
    for (const k of this.byNs[which].get(ns) ?? []) {
      const o = inf.get(k);
      if (o) out.push(o);
    }
    return out;
  }

  async reconcile(key: string): Promise<void | { requeueAfterMs: number }> {
    const cached = this.deployments.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const ns = d.metadata!.namespace!;
    if (d.spec?.selector && isEmptySelector(d.spec.selector)) {
      this.ctx.events.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        d.status = { ...d.status, observedGeneration: d.metadata?.generation };
        await this.deps.client.writesOnly().update(DEPLOYMENTS, d, 'status');
      }
      return;
    }
    const selector = parseLabelSelector(d.spec?.selector);
    if (selector.kind !== 'requirements') return;
    const rsList = await claimObjects(d, this.inNamespace('sets', ns), {
      client: this.deps.client,
      resource: REPLICA_SETS,
      ownerResource: DEPLOYMENTS,
      ownerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
      selector,
      log: this.deps.log,
    });
    const s = new DeploymentSync(this.ctx, d, rsList, d.spec?.strategy?.type === 'Recreate' ? this.podMap(ns, { rsList, selector }) : undefined);
    if (d.metadata?.deletionTimestamp) await syncStatusOnly(s);
    else {
      await checkPausedConditions(s);
      if (d.spec?.paused) await syncScaling(s);
      else if (rollbackTo(d) !== undefined) await rollback(s);
      else if (await isScalingEvent(s)) await syncScaling(s);
      else if (d.spec?.strategy?.type === 'Recreate') await rolloutRecreate(s);
      else if (d.spec?.strategy?.type === 'RollingUpdate') await rolloutRolling(s);
      else throw new Error(`unexpected deployment strategy type: ${d.spec?.strategy?.type}`);
    }
    return s.requeueAfterMs === undefined ? undefined : { requeueAfterMs: s.requeueAfterMs };
  }

  /** getPodMapForDeployment: the Deployment's pods by the uid of the ReplicaSet controlling them. */
  private podMap(namespace: string, opts: { rsList: KObject[]; selector: ReturnType<typeof parseLabelSelector> }): Map<string, KObject[]> {
    const { rsList, selector } = opts;
    const uids = new Set(rsList.map((rs) => rs.metadata?.uid));
    const map = new Map<string, KObject[]>();
    for (const uid of uids) if (uid) map.set(uid, []);
    for (const pod of this.inNamespace('pods', namespace)) {
      const uid = controllerOf(pod)?.uid;
      if (uid && uids.has(uid) && selectorMatches(selector, pod.metadata?.labels)) map.get(uid)!.push(pod);
    }
    return map;
  }
}

function index(byNs: Map<string, Set<string>>, key: string, present: boolean): void {
  const ns = nsOf(key);
  let s = byNs.get(ns);
  if (present) {
    if (!s) byNs.set(ns, (s = new Set()));
    s.add(key);
  } else if (s) {
    s.delete(key);
    if (!s.size) byNs.delete(ns);
  }
}
