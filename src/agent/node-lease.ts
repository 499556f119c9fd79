// The node's heartbeat Lease (pkg/kubelet/nodelease, component-helpers' lease controller):
// coordination.k8s.io/v1 Lease `<node>` in kube-node-lease, holderIdentity = node name,
// leaseDurationSeconds 40, renewTime (a MicroTime) renewed every 10 s (0.25 × 40 s, Kubernetes'
// nodeLeaseRenewIntervalFraction) with ±4 % jitter, and an ownerReference to the Node so the
// garbage collector removes the Lease with it. Renewal updates the last Lease it wrote (a
// compare-and-swap on its resourceVersion); on a conflict or a missing Lease it reads or
// recreates it and tries once more, then waits for the next interval.
// Deliberately absent: the kubelet's exponential retry inside one interval (the next tick retries).

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { LEASES, NODES } from '../client/resources.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class NodeLease {
  private lease: KObject | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private staleOwner = false;

  constructor(
    private readonly client: Client,
    private readonly opts: { nodeName: string; durationSeconds: number; renewMs: number; now: () => Date; log?: (l: string) => void },
  ) {}

  start(): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      const jitter = 1 + (Math.random() * 0.08 - 0.04);
      this.timer = setTimeout(() => {
        void this.renew().finally(loop);
      }, this.opts.renewMs * jitter);
      this.timer.unref();
    };
    void this.renew().finally(loop);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One renewal; never throws (a failure waits for the next interval). */
  async renew(): Promise<void> {
    try {
      if (!this.lease) this.lease = await this.ensure();
      try {
        this.lease = await this.client.update(LEASES, await this.renewed(this.lease));
      } catch (e) {
        if (!isApiError(e) || (e.code !== 409 && e.code !== 404)) throw e;
        this.lease = await this.ensure();
        this.lease = await this.client.update(LEASES, await this.renewed(this.lease));
      }
    } catch (e) {
      this.lease = undefined;
      this.opts.log?.(`RENEW lease ${NODE_LEASE_NAMESPACE}/${this.opts.nodeName} => ${(e as Error).message}`);
    }
  }

  /** The current Lease, created when missing. */
  private async ensure(): Promise<KObject> {
    try {
      return await this.client.get(LEASES, NODE_LEASE_NAMESPACE, this.opts.nodeName);
    } catch (e) {
      if (!isApiError(e) || e.code !== 404) throw e;
    }
    const lease: KObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.opts.nodeName, namespace: NODE_LEASE_NAMESPACE },
      spec: { holderIdentity: this.opts.nodeName, leaseDurationSeconds: this.opts.durationSeconds, renewTime: microTime(this.opts.now()) },
    };
    const owner = await this.ownerRef();
    if (owner) lease.metadata!.ownerReferences = [owner];
    try {
      return await this.client.create(LEASES, NODE_LEASE_NAMESPACE, lease);
    } catch (e) {
      if (isApiError(e) && e.code === 409) return this.client.get(LEASES, NODE_LEASE_NAMESPACE, this.opts.nodeName);
      throw e;
    }
  }

  private async ownerRef(): Promise<any | undefined> {
    try {
      const node = await this.client.get(NODES, undefined, this.opts.nodeName);
      return { apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid: node.metadata?.uid };
    } catch (e) {
      if (isApiError(e) && e.code === 404) return undefined;
      throw e;
    }
  }

  /** A copy of `lease` renewed now, owned by the current Node (a re-registered Node has a new uid). */
  private async renewed(lease: KObject): Promise<KObject> {
    const next: KObject = { ...lease, metadata: { ...lease.metadata }, spec: { ...lease.spec, holderIdentity: this.opts.nodeName, leaseDurationSeconds: this.opts.durationSeconds, renewTime: microTime(this.opts.now()) } };
    const refs: any[] = next.metadata?.ownerReferences ?? [];
    const nodeRef = refs.find((r) => r.kind === 'Node' && r.name === this.opts.nodeName);
    if (!nodeRef || this.staleOwner) {
      const owner = await this.ownerRef();
      if (owner) next.metadata!.ownerReferences = [...refs.filter((r) => !(r.kind === 'Node' && r.name === this.opts.nodeName)), owner];
      this.staleOwner = false;
    }
    return next;
  }

  /** The Node was re-registered: the next renewal points the ownerReference at the new uid. */
  nodeReplaced(): void {
    this.staleOwner = true;
  }
}
