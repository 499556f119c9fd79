// Node IPAM (kube-controller-manager's --allocate-node-cidrs with the range allocator): every Node
// without spec.podCIDR gets the next free /24 of the cluster CIDR (default 10.244.0.0/14: 1,024
// nodes), so node agents started anywhere get a pod network without configuration. Allocations are
// read back from the Nodes themselves (the Node objects are the allocation table), so a restart
// reuses nothing twice. Deliberately absent: IPv6 and dual-stack, node mask sizes other than /24.

import type { KObject } from '../api/resource.js';
import type { Informer } from '../client/informer.js';
import { NODES } from '../client/resources.js';
import { WorkQueue } from '../client/workqueue.js';
import type { ControllerDeps } from './deps.js';
import { POD_RANGE_RULE, intToIp, ipToInt, parsePodRange } from '../util/ipv4.js';

export interface NodeIpamOptions {
  /** An IPv4 range of /8 to /23, e.g. 10.244.0.0/14: node ranges are its /24s. */
  clusterCidr?: string;
}


export class NodeIpamController {
  private readonly nodes: Informer;
  private readonly queue: WorkQueue;
  /** First address of the cluster range, and how many /24s it holds. */
  private readonly base: number;
  private readonly ranges: number;
  /** Range indexes handed out by this process but maybe not yet seen in the informer. */
  private readonly pending = new Set<number>();

  constructor(
    private readonly deps: ControllerDeps,
    opts: NodeIpamOptions = {},
  ) {
    const cidr = opts.clusterCidr ?? '10.244.0.0/14';
    const range = parsePodRange(cidr);
    if (!range) throw new Error(`cluster CIDR ${cidr} must be ${POD_RANGE_RULE}`);
    this.base = range.base;
    this.ranges = 2 ** (24 - range.bits);
    this.nodes = deps.informers.for(NODES);
    // One worker: allocation is a read-then-claim of the lowest free range.
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: 'node-ipam-controller', log: deps.log, workers: 1 });
    this.nodes.onChange((key, node) => {
      if (node && !node.spec?.podCIDR) this.queue.add(key);
    });
  }

  start(): void {
    this.queue.run();
  }

  stop(): void {
    this.queue.stop();
  }

  private used(): Set<number> {
    const used = new Set(this.pending);
    for (const n of this.nodes.list()) {
      for (const cidr of [n.spec?.podCIDR, ...(n.spec?.podCIDRs ?? [])]) {
        if (typeof cidr !== 'string') continue;
        const i = (ipToInt(cidr.split('/')[0]) - this.base) / 256;
        if (Number.isInteger(i) && i >= 0 && i < this.ranges) used.add(i);
      }
    }
    return used;
  }

  async reconcile(name: string): Promise<void> {
    const node: KObject | undefined = this.nodes.get(name);
    if (!node || node.spec?.podCIDR) return;
    const used = this.used();
    let octet = 0;
    while (used.has(octet) && octet < this.ranges) octet++;
    if (octet === this.ranges) {
      this.deps.events('cidrAllocator').event({ apiVersion: 'v1', kind: 'Node', ...node }, 'Normal', 'CIDRNotAvailable', 'Node ' + name + ' status is now: CIDRNotAvailable');
      return;
    }
    const cidr = `${intToIp(this.base + octet * 256)}/24`;
    this.pending.add(octet);
    try {
      // podCIDR may only be set once: the merge patch carries the resourceVersion, so two
      // allocators (or a user) racing for the node cannot both win.
      await this.deps.client.patch(NODES, undefined, name, { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.deps.log?.(`node-ipam ${name} => ${cidr}`);
    } finally {
      // Once the informer shows the node with its range, the Node itself records the allocation.
      setTimeout(() => this.pending.delete(octet), 5000).unref();
    }
  }
}
