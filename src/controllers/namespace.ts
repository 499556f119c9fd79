// Namespace lifecycle controller: when a namespace is terminating, delete everything in it (every
// namespaced resource the server lists in discovery), wait until it is all gone, then remove the
// `kubernetes` finalizer through namespaces/<name>/finalize so the server can remove the namespace.
// Like kube-controller-manager's namespace controller; status conditions are left out.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import type { Client, ResourceRef } from '../client/client.js';
import { Informer } from '../client/informer.js';
import { WorkQueue } from '../client/workqueue.js';

const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };
const FINALIZER = 'kubernetes';

/** Namespaced resources that can be listed and deleted, from aggregated discovery. */
export async function namespacedResources(client: Client): Promise<ResourceRef[]> {
  const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
  const out: ResourceRef[] = [];
  for (const path of ['/api', '/apis']) {
    const doc = await client.raw({ method: 'GET', path, headers: { accept } });
    for (const g of doc.items ?? []) {
      for (const v of g.versions ?? []) {
        for (const r of v.resources ?? []) {
          if (r.scope !== 'Namespaced' || !r.verbs?.includes('deletecollection') || !r.verbs?.includes('list')) continue;
          out.push({ group: g.metadata?.name ?? '', version: v.version, plural: r.resource, namespaced: true });
        }
      }
    }
  }
  return out;
}

export class NamespaceController {
  private readonly informer: Informer;
  private readonly queue: WorkQueue;
  private resources: ResourceRef[] | undefined;

  constructor(
    private readonly client: Client,
    private readonly opts: { log?: (l: string) => void; recheckMs?: number } = {},
  ) {
    this.informer = new Informer(client, NAMESPACES, { log: opts.log });
    this.queue = new WorkQueue((k) => this.reconcile(k), { name: 'namespace', log: opts.log, workers: 2 });
    this.informer.onChange((key, obj) => {
      if (obj?.metadata?.deletionTimestamp) this.queue.add(key);
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    this.queue.run();
  }

  async stop(): Promise<void> {
    this.queue.stop();
    await this.informer.stop();
  }

  async reconcile(name: string): Promise<void | { requeueAfterMs: number }> {
    const ns = this.informer.get(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(FINALIZER)) return;
    this.resources ??= await namespacedResources(this.client);
    let remaining = 0;
    for (const r of this.resources) {
      await this.client.deleteCollection(r, name).catch((e) => {
        if (!(isApiError(e) && (e.code === 404 || e.code === 405))) throw e;
      });
      const left = await this.client.list(r, name);
      remaining += left.items.length;
    }
    if (remaining > 0) {
      this.opts.log?.(`namespace ${name} => ${remaining} objects still terminating`);
      return { requeueAfterMs: this.opts.recheckMs ?? 1000 };
    }
    const finalized: KObject = {
      ...ns,
      spec: { ...ns.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f: string) => f !== FINALIZER) },
    };
    await this.client.raw({
      method: 'PUT',
      path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`,
      body: JSON.stringify(finalized),
      headers: { 'content-type': 'application/json' },
    });
    this.opts.log?.(`namespace ${name} => finalized`);
  }
}
