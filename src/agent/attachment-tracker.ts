// Which PersistentVolumes are attached to this node, from the storage.k8s.io/v1 VolumeAttachments
// the attach-detach controller writes (spec.nodeName = this node, spec.source.persistentVolumeName,
// status.attached). The agent follows VolumeAttachments only while some pod waits for one: the
// stream starts with the first waiter and ends `lingerMs` after the last one is done, so 1,000
// idle agents hold no extra watch. Each change wakes the waiting pods.
// Deliberately absent: detach checks (a running pod keeps its volume, as with the kubelet) and
// inline-volume attachments (spec.source.inlineVolumeSpec).

import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { VOLUME_ATTACHMENTS } from '../client/resources.js';
import { runListWatch } from './list-watch.js';

export class AttachmentTracker {
  /** PV name → attached, for this node's VolumeAttachments (by VolumeAttachment name). */
  private readonly byName = new Map<string, { pv: string; attached: boolean }>();
  private readonly waiters = new Set<string>();
  private abort: AbortController | undefined;
  private listed: Promise<void> | undefined;
  private linger: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Client,
    private readonly opts: { nodeName: string; onChange: (waiters: string[]) => void; lingerMs?: number; log?: (l: string) => void },
  ) {}

  /** Whether `pv` is attached here; registers `waiter` (a pod key) to be woken on changes. */
  async isAttached(pv: string, waiter: string): Promise<boolean> {
    this.waiters.add(waiter);
    if (this.linger) clearTimeout(this.linger);
    this.linger = undefined;
    if (!this.abort) this.follow();
    await this.listed;
    for (const a of this.byName.values()) if (a.pv === pv && a.attached) return true;
    return false;
  }

  /** The waiter no longer waits (its volumes are ready, or the pod is gone). */
  done(waiter: string): void {
    if (!this.waiters.delete(waiter) || this.waiters.size || !this.abort) return;
    this.linger = setTimeout(() => this.unfollow(), this.opts.lingerMs ?? 30_000);
    this.linger.unref();
  }

  stop(): void {
    if (this.linger) clearTimeout(this.linger);
    this.unfollow();
  }

  private follow(): void {
    const abort = (this.abort = new AbortController());
    let markListed!: () => void;
    this.listed = new Promise<void>((r) => (markListed = r));
    abort.signal.addEventListener('abort', () => markListed());
    const record = (va: KObject) => {
      if (va.spec?.nodeName !== this.opts.nodeName || !va.spec?.source?.persistentVolumeName) return false;
      this.byName.set(va.metadata?.name ?? '', { pv: va.spec.source.persistentVolumeName, attached: va.status?.attached === true });
      return true;
    };
    void runListWatch(this.client, {
      resource: VOLUME_ATTACHMENTS,
      query: {},
      signal: abort.signal,
      log: this.opts.log,
      handlers: {
        onList: (items) => {
          this.byName.clear();
          for (const va of items) record(va);
          markListed();
          this.wake();
        },
        onEvent: (type, va) => {
          const mine = type === 'DELETED' ? this.byName.delete(va.metadata?.name ?? '') : record(va);
          if (mine) this.wake();
        },
      },
    });
  }

  private unfollow(): void {
    this.abort?.abort();
    this.abort = undefined;
    this.listed = undefined;
    this.byName.clear();
  }

  private wake(): void {
    if (this.waiters.size) this.opts.onChange([...this.waiters]);
  }
}
