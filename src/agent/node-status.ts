// Registration and status reporting of the agent's Node (the kubelet's registerWithAPIServer and
// syncNodeStatus). Registration creates the Node; when it exists already (agent restart) the
// default labels and the attach-detach annotation are patched in, its podCIDR is kept (or set
// when it has none), and the status is written. Every `statusIntervalMs` (10 s,
// nodeStatusUpdateFrequency) the status is computed and written only when something other than
// heartbeat times changed or `statusReportMs` (5 min, nodeStatusReportFrequency) has passed:
// the Lease is the liveness signal. A Node deleted while the agent runs is registered again on
// the next check, better than the kubelet, which keeps failing until it is restarted.
// Events as the kubelet records them: Starting, NodeAllocatableEnforced, `Node <n> status is
// now: <reason>` on each condition transition, and Rebooted when the runtime's boot ID changed.
// Like the kubelet's fast status updates during start-up, the status is checked every 200 ms until a
// Ready status has been written (at most a minute): the node IPAM controller assigns the podCIDR
// within moments, and a write lost to a conflict is retried at once, so a new node turns Ready at
// once instead of one interval later. Deliberately absent: retries inside one
// interval (the next check retries).

import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import { NODES } from '../client/resources.js';
import type { NodeConfig } from './node-object.js';
import { metadataPatch, newNode, nodeStatus, statusChanged } from './node-object.js';

const TRANSITION_REASONS: Record<string, Record<string, string>> = {
  MemoryPressure: { False: 'NodeHasSufficientMemory', True: 'NodeHasInsufficientMemory' },
  DiskPressure: { False: 'NodeHasNoDiskPressure', True: 'NodeHasDiskPressure' },
  PIDPressure: { False: 'NodeHasSufficientPID', True: 'NodeHasInsufficientPID' },
  Ready: { True: 'NodeReady', False: 'NodeNotReady' },
};

export interface NodeStatusOptions {
  now: () => Date;
  statusIntervalMs: number;
  statusReportMs: number;
  recorder?: EventRecorder;
  log?: (l: string) => void;
  /** Called with every Node read or written (podCIDR pick-up, re-registration). */
  onNode?: (node: KObject, opts: { registered: boolean }) => void;
}

export class NodeStatusReporter {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastReport = 0;
  /** Whether the last status written said Ready, and when checking started (fast checks end after a minute). */
  private readyWritten = false;
  private startedAt = 0;

  constructor(
    private readonly client: Client,
    private readonly cfg: NodeConfig,
    private readonly opts: NodeStatusOptions,
  ) {}

  private get ref(): KObject {
    // The kubelet's node reference uses the node name as uid.
    return { apiVersion: 'v1', kind: 'Node', metadata: { name: this.cfg.name, uid: this.cfg.name } };
  }

  /** Registers the Node, retrying until it succeeds or the reporter is stopped. */
  async register(): Promise<KObject | undefined> {
    this.opts.recorder?.event(this.ref, 'Normal', 'Starting', 'Starting kubelet.');
    let delay = 500;
    while (!this.stopped) {
      try {
        const node = await this.registerOnce();
        this.opts.recorder?.event(this.ref, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
        return node;
      } catch (e) {
        this.opts.log?.(`REGISTER node ${this.cfg.name} => ${(e as Error).message}; retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 10_000);
      }
    }
    return undefined;
  }

  private async registerOnce(): Promise<KObject> {
    const now = this.opts.now();
    try {
      const node = await this.client.create<KObject>(NODES, undefined, newNode(this.cfg, now));
      this.lastReport = now.getTime();
      this.opts.log?.(`REGISTER node ${this.cfg.name} => created`);
      this.transitions(undefined, node.status);
      this.opts.onNode?.(node, { registered: true });
      return node;
    } catch (e) {
      if (!isApiError(e) || e.code !== 409) throw e;
    }
    let node = await this.client.get<KObject>(NODES, undefined, this.cfg.name);
    const meta = metadataPatch(this.cfg, node);
    const spec: any = {};
    if (!node.spec?.podCIDR && this.cfg.podCIDR) Object.assign(spec, { podCIDR: this.cfg.podCIDR, podCIDRs: [this.cfg.podCIDR] });
    if (meta || Object.keys(spec).length) {
      const patch: any = { metadata: { ...meta, resourceVersion: node.metadata?.resourceVersion } };
      if (Object.keys(spec).length) patch.spec = spec;
      node = await this.client.patch(NODES, undefined, this.cfg.name, patch, { type: 'merge' });
    }
    this.opts.log?.(`REGISTER node ${this.cfg.name} => exists, updated`);
    this.opts.onNode?.(node, { registered: false });
    await this.writeStatus(node, { force: true });
    return node;
  }

  start(): void {
    this.stopped = false;
    this.startedAt = Date.now();
    const loop = () => {
      if (this.stopped) return;
      const starting = !this.readyWritten && Date.now() - this.startedAt < 60_000;
      const delay = starting ? Math.min(200, this.opts.statusIntervalMs) : this.opts.statusIntervalMs;
      this.timer = setTimeout(() => void this.sync().finally(loop), delay);
      this.timer.unref();
    };
    loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One status check: re-registers a deleted Node, writes the status when it changed or is due. */
  async sync(): Promise<void> {
    try {
      let node: KObject;
      try {
        node = await this.client.get<KObject>(NODES, undefined, this.cfg.name);
      } catch (e) {
        if (!isApiError(e) || e.code !== 404) throw e;
        this.opts.log?.(`SYNC node ${this.cfg.name} => not found, registering again`);
        await this.registerOnce();
        return;
      }
      this.opts.onNode?.(node, { registered: false });
      await this.writeStatus(node, { force: false });
      if (!this.readyWritten) this.readyWritten = (node.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') && !!this.cfg.podCIDR;
    } catch (e) {
      this.opts.log?.(`SYNC node ${this.cfg.name} => ${(e as Error).message}`);
    }
  }

  private async writeStatus(node: KObject, opts: { force: boolean }): Promise<void> {
    const now = this.opts.now();
    const status = nodeStatus(this.cfg, { current: node.status, now });
    const due = now.getTime() - this.lastReport >= this.opts.statusReportMs;
    if (!opts.force && !due && !statusChanged(status, node.status)) return;
    const written = await this.client.update<KObject>(NODES, { ...node, status }, 'status');
    this.lastReport = now.getTime();
    this.readyWritten = (written.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    this.transitions(node.status, written.status);
  }

  private transitions(before: any, after: any): void {
    if (!this.opts.recorder) return;
    const boot = after?.nodeInfo?.bootID;
    if (before?.nodeInfo?.bootID && boot && before.nodeInfo.bootID !== boot) {
      this.opts.recorder.event(this.ref, 'Warning', 'Rebooted', `Node ${this.cfg.name} has been rebooted, boot id: ${boot}`);
    }
    for (const c of after?.conditions ?? []) {
      const reason = TRANSITION_REASONS[c.type]?.[c.status];
      const old = (before?.conditions ?? []).find((o: any) => o?.type === c.type);
      if (reason && old?.status !== c.status) this.opts.recorder.event(this.ref, 'Normal', reason, `Node ${this.cfg.name} status is now: ${reason}`);
    }
  }
}
