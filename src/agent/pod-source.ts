// The pods bound to one node: a list+watch with fieldSelector spec.nodeName=<node> (the kubelet's
// API pod source), one stream per agent, with a local cache and a key handler called for every
// change (a re-list reports the pods that vanished meanwhile as gone). Objects are shared with
// the handler: never mutate them.
// Deliberately absent: resync (the agent keeps its own timers) and sharing between agents (the
// shared informers of src/client watch whole resources; a field-selector option there would let
// this go).

import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { objectKey } from '../client/informer.js';
import { PODS } from '../client/resources.js';
import { runListWatch } from './list-watch.js';

export type PodHandler = (key: string, pod: KObject | undefined) => void;

export class NodePodSource {
  private readonly items = new Map<string, KObject>();
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private markSynced!: () => void;
  private readonly synced = new Promise<void>((r) => (this.markSynced = r));

  constructor(
    private readonly client: Client,
    private readonly opts: { nodeName: string; onChange: PodHandler; retryMs?: number; log?: (l: string) => void },
  ) {}

  get(key: string): KObject | undefined {
    return this.items.get(key);
  }

  list(): KObject[] {
    return [...this.items.values()];
  }

  /** Resolves once the first list has been delivered to the handler. */
  start(): Promise<void> {
    this.running = runListWatch(this.client, {
      resource: PODS,
      query: { fieldSelector: `spec.nodeName=${this.opts.nodeName}` },
      signal: this.abort.signal,
      retryMs: this.opts.retryMs,
      log: this.opts.log,
      handlers: {
        onList: (items) => {
          const seen = new Set<string>();
          for (const o of items) {
            const k = objectKey(o);
            seen.add(k);
            this.items.set(k, o);
          }
          const gone = [...this.items.keys()].filter((k) => !seen.has(k));
          for (const k of gone) this.items.delete(k);
          for (const k of seen) this.opts.onChange(k, this.items.get(k));
          for (const k of gone) this.opts.onChange(k, undefined);
          this.markSynced();
        },
        onEvent: (type, obj) => {
          const k = objectKey(obj);
          if (type === 'DELETED') this.items.delete(k);
          else this.items.set(k, obj);
          this.opts.onChange(k, type === 'DELETED' ? undefined : obj);
        },
      },
    });
    return this.synced;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.markSynced();
    await this.running?.catch(() => undefined);
  }
}
