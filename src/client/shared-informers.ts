// One informer per resource, shared by every controller in a process (like client-go's
// SharedInformerFactory): one list+watch stream per resource however many controllers read it,
// with a default resync period for the handlers that do not name their own (the PV binder asks for
// 15 s, as in Kubernetes' controller-manager).

import type { Client, ResourceRef } from './client.js';
import { Informer } from './informer.js';

export class SharedInformers {
  private readonly informers = new Map<string, Informer>();
  private readonly started = new Map<string, Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly opts: { log?: (l: string) => void; freeze?: (o: any) => void; resyncMs?: number } = {},
  ) {}

  /** The informer for r; register handlers before calling start(). */
  for(r: ResourceRef): Informer {
    const key = `${r.group}/${r.version}/${r.plural}`;
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, r, { log: this.opts.log, freeze: this.opts.freeze, resyncMs: this.opts.resyncMs });
      this.informers.set(key, inf);
    }
    return inf;
  }

  /** Starts every informer not started yet and resolves when all have listed once. */
  async start(): Promise<void> {
    for (const [key, inf] of this.informers) if (!this.started.has(key)) this.started.set(key, inf.start());
    await Promise.all(this.started.values());
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
