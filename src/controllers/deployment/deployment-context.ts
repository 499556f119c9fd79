// What one sync of one Deployment works with: the controller's client, event recorder and clock
// (DeploymentContext), and the sync's own state (DeploymentSync): a private copy of the
// Deployment that every write brings up to date (so a later compare-and-swap in the same sync
// uses the resourceVersion of the earlier one instead of failing on it, as Kubernetes' does), the
// ReplicaSets it controls, the pods of Recreate deployments, and when to look again.

import type { KObject } from '../../api/resource.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import { DEPLOYMENTS } from '../../client/resources.js';
import type { Deployment, ReplicaSet } from './deployment-util.js';
import { REVISION } from './deployment-util.js';

export interface DeploymentContext {
  client: Client;
  events: EventRecorder;
  now: () => Date;
  log?: (line: string) => void;
}

export class DeploymentSync {
  /** Milliseconds after which the Deployment must be synced again (progress deadline checks). */
  requeueAfterMs: number | undefined;

  constructor(
    readonly ctx: DeploymentContext,
    /** A private, mutable copy of the cached Deployment. */
    readonly d: Deployment,
    /** The ReplicaSets the Deployment controls (cache objects: copy before changing). */
    readonly rsList: ReplicaSet[],
    /** Pods of those ReplicaSets by ReplicaSet uid (only filled for Recreate). */
    readonly podsByRS: Map<string, KObject[]> = new Map(),
  ) {}

  get key(): string {
    return `${this.d.metadata?.namespace}/${this.d.metadata?.name}`;
  }

  requeueAfter(ms: number): void {
    this.requeueAfterMs = this.requeueAfterMs === undefined ? ms : Math.min(this.requeueAfterMs, ms);
  }

  /**
   * UpdateStatus with the copy: a compare-and-swap on its resourceVersion. The copy then takes the
   * written resourceVersion, so the sync's next write does not conflict with this one.
   */
  async writeStatus(): Promise<void> {
    const written = await this.ctx.client.update<KObject>(DEPLOYMENTS, this.d, 'status');
    this.d.metadata!.resourceVersion = written.metadata?.resourceVersion;
    this.ctx.log?.(`UPDATE deployment ${this.key} status => ok`);
    const revision = this.d.metadata?.annotations?.[REVISION];
    if (revision !== undefined && written.metadata?.annotations?.[REVISION] !== revision) await this.writeRevisionAnnotation(revision);
  }

  /**
   * Kubernetes records the revision annotation with the status write (the Deployment status
   * strategy keeps metadata other than labels). An API server that drops metadata from /status
   * writes gets it through the main resource instead, at the cost of a generation: without the
   * annotation `kubectl rollout undo` fails on a Deployment that has no other annotation (its JSON
   * patch replaces /metadata/annotations, which must exist). Never taken once /status keeps it.
   */
  private async writeRevisionAnnotation(revision: string): Promise<void> {
    const { namespace, name, resourceVersion } = this.d.metadata!;
    const written = await this.ctx.client.patch<KObject>(DEPLOYMENTS, namespace, name!, { metadata: { resourceVersion, annotations: { [REVISION]: revision } } });
    this.d.metadata!.resourceVersion = written.metadata?.resourceVersion;
    this.d.metadata!.generation = written.metadata?.generation;
    this.ctx.log?.(`PATCH deployment ${this.key} revision ${revision} => ok`);
  }

  /** Update of the Deployment itself (rollback), adopting the written version likewise. */
  async writeDeployment(): Promise<void> {
    const written = await this.ctx.client.update<KObject>(DEPLOYMENTS, this.d);
    this.d.metadata!.resourceVersion = written.metadata?.resourceVersion;
    this.d.metadata!.generation = written.metadata?.generation;
    this.ctx.log?.(`UPDATE deployment ${this.key} => ok`);
  }
}
