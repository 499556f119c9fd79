// When each pod of a namespace reached each step of its start, as watches show it on the bench's
// clock: one streaming watch each on pods, claims, volumes and events, every event stamped with
// performance.now() the moment its chunk arrived (before parsing), so a stage's time is its watch
// event's arrival, not a status field's second-resolution timestamp. Pods wait for Ready or for
// their deletion through promises the watch resolves (no polling).
// Deliberately absent: creating or deleting anything (bench/process-phases.ts does), and the pods of
// other namespaces.

import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** The steps of one pod's start, each the arrival time (performance.now()) of the first watch event showing it. */
export interface PodStages {
  /** The claim carries volume.kubernetes.io/selected-node (the scheduler chose a node for it). */
  claimNodeSelected?: number;
  /** The provisioner's PV for the claim appeared. */
  volumeCreated?: number;
  claimBound?: number;
  /** spec.nodeName set (the binding). */
  podBound?: number;
  /** Events the agent records, by reason (Pulled, Created, Started), at their watch arrival. */
  events: Record<string, number>;
  /** status.podIP set: the sandbox (netns, veth, address) exists. */
  podIP?: number;
  /** containerStatuses[0].state.running. */
  running?: number;
  /** The Ready condition turned True. */
  ready?: number;
  deleted?: number;
}

type Waiter = { resolve: (at: number) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** Watches one namespace; `claimOf(pod)` names the claim each pod mounts (to join claim and volume stages to it). */
export class PodTimeline {
  readonly pods = new Map<string, PodStages>();
  /** Every pod UID seen (to find what the runtime leaves behind: netns names derive from UIDs). */
  readonly uids = new Set<string>();
  private readonly podOfClaim = new Map<string, string>();
  private readonly readyWaiters = new Map<string, Waiter>();
  private readonly goneWaiters = new Map<string, Waiter>();
  private readonly requests: http.ClientRequest[] = [];
  /** resourceVersion of the newest pod event seen (to count store writes). */
  lastRv = 0;

  private constructor(
    private readonly url: string,
    private readonly namespace: string,
  ) {}

  static async open(url: string, namespace: string): Promise<PodTimeline> {
    const t = new PodTimeline(url, namespace);
    const ns = `/api/v1/namespaces/${namespace}`;
    await Promise.all([
      t.watch(`${ns}/pods`, (at, type, o) => t.onPod(at, type, o)),
      t.watch(`${ns}/persistentvolumeclaims`, (at, _type, o) => t.onClaim(at, o)),
      t.watch('/api/v1/persistentvolumes', (at, _type, o) => t.onVolume(at, o)),
      t.watch(`${ns}/events`, (at, _type, o) => t.onEvent(at, o)),
    ]);
    return t;
  }

  /** Call before creating the pod: its claim's stages are recorded under the pod's name. */
  expect(pod: string, claim: string): void {
    this.podOfClaim.set(claim, pod);
    if (!this.pods.has(pod)) this.pods.set(pod, { events: {} });
  }

  /** Resolves with the arrival time of the event that showed the pod Ready. */
  ready(pod: string, timeoutMs: number): Promise<number> {
    const at = this.pods.get(pod)?.ready;
    if (at !== undefined) return Promise.resolve(at);
    return this.waitOn(this.readyWaiters, pod, timeoutMs, 'Ready');
  }

  /** Resolves with the arrival time of the pod's DELETED event. */
  gone(pod: string, timeoutMs: number): Promise<number> {
    const at = this.pods.get(pod)?.deleted;
    if (at !== undefined) return Promise.resolve(at);
    return this.waitOn(this.goneWaiters, pod, timeoutMs, 'gone');
  }

  close(): void {
    for (const r of this.requests) r.destroy();
    for (const w of [...this.readyWaiters.values(), ...this.goneWaiters.values()]) clearTimeout(w.timer);
  }

  private waitOn(map: Map<string, Waiter>, pod: string, timeoutMs: number, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        map.delete(pod);
        reject(new Error(`pod ${this.namespace}/${pod} not ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      map.set(pod, { resolve, reject, timer });
    });
  }

  private settle(map: Map<string, Waiter>, pod: string, at: number): void {
    const w = map.get(pod);
    if (!w) return;
    map.delete(pod);
    clearTimeout(w.timer);
    w.resolve(at);
  }

  private stagesOf(pod: string): PodStages {
    let s = this.pods.get(pod);
    if (!s) this.pods.set(pod, (s = { events: {} }));
    return s;
  }

  private onPod(at: number, type: string, o: any): void {
    const name: string = o.metadata.name;
    const s = this.stagesOf(name);
    if (o.metadata.uid) this.uids.add(o.metadata.uid);
    this.lastRv = Math.max(this.lastRv, Number(o.metadata.resourceVersion) || 0);
    if (type === 'DELETED') {
      s.deleted ??= at;
      this.settle(this.goneWaiters, name, at);
      return;
    }
    if (o.spec?.nodeName) s.podBound ??= at;
    if (o.status?.podIP) s.podIP ??= at;
    if (o.status?.containerStatuses?.[0]?.state?.running) s.running ??= at;
    if (o.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') && s.ready === undefined) {
      s.ready = at;
      this.settle(this.readyWaiters, name, at);
    }
  }

  private onClaim(at: number, o: any): void {
    const pod = this.podOfClaim.get(o.metadata.name);
    if (!pod) return;
    const s = this.stagesOf(pod);
    if (o.metadata.annotations?.['volume.kubernetes.io/selected-node']) s.claimNodeSelected ??= at;
    if (o.status?.phase === 'Bound') s.claimBound ??= at;
  }

  private onVolume(at: number, o: any): void {
    const ref = o.spec?.claimRef;
    if (ref?.namespace !== this.namespace) return;
    const pod = this.podOfClaim.get(ref.name);
    if (pod) this.stagesOf(pod).volumeCreated ??= at;
  }

  private onEvent(at: number, o: any): void {
    if (o.involvedObject?.kind !== 'Pod') return;
    const s = this.pods.get(o.involvedObject.name);
    if (s && o.reason) s.events[o.reason] ??= at;
  }

  /** A watch from now on (resourceVersion of a fresh list, so existing objects arrive as no events). */
  private async watch(path: string, on: (at: number, type: string, o: any) => void): Promise<void> {
    const list = await fetch(`${this.url}${path}?limit=1`);
    if (list.status !== 200) throw new Error(`GET ${path} answered ${list.status}`);
    const rv = ((await list.json()) as any).metadata.resourceVersion;
    const u = new URL(this.url);
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: u.hostname, port: Number(u.port), path: `${path}?watch=true&resourceVersion=${rv}&timeoutSeconds=3600`, agent: false, headers: { accept: 'application/json' } },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`watch ${path} answered ${res.statusCode}`));
          let pending = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            const at = performance.now();
            pending += chunk;
            for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
              const line = pending.slice(0, nl);
              pending = pending.slice(nl + 1);
              const ev = JSON.parse(line);
              if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR' && ev.object?.metadata?.name) on(at, ev.type, ev.object);
            }
          });
          res.on('error', () => undefined);
          resolve();
        },
      );
      req.on('error', reject);
      req.end();
      this.requests.push(req);
    });
  }
}
