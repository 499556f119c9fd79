// The cluster DNS server (CoreDNS with the kubernetes plugin, `pods insecure`, and `forward .
// /etc/resolv.conf`): answers for the cluster domain from Services, EndpointSlices and
// Namespaces, kept in a record index that informer events update as they arrive (a changed
// Service recomputes its own records and its slices', a changed slice only its own), and
// forwards every other name upstream. UDP and TCP on one port. Deliberately absent: autopath,
// wildcard queries (deprecated in CoreDNS), zone transfers, a cache of upstream answers, and
// the `ns.dns.<zone>` address (berth has no kube-dns Service to take it from).

import type { KObject } from '../api/resource.js';
import type { Informer } from '../client/informer.js';
import type { SharedInformers } from '../client/shared-informers.js';
import { ENDPOINT_SLICES, NAMESPACES, SERVICES } from '../client/resources.js';
import { DnsListener } from './dns-listener.js';
import { QueryHandler } from './query-handler.js';
import { RecordIndex } from './record-index.js';
import { SERVICE_NAME_LABEL, serviceRecords, sliceRecords } from './service-records.js';
import { Forwarder, hostNameservers, parseUpstream, withoutSelf } from './upstream.js';
import { ZoneResolver } from './zone-answer.js';

export interface ClusterDnsDeps {
  informers: SharedInformers;
  log?: (l: string) => void;
  /** The clock of the SOA serial. */
  now?: () => Date;
}

export interface ClusterDnsOptions {
  /** 0 picks a free port (the same for UDP and TCP). */
  port: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** Default cluster.local. */
  domain?: string;
  /** Default 5, as CoreDNS' kubernetes plugin. */
  ttlSeconds?: number;
  /** `ip` or `ip:port`; default the nameservers of /etc/resolv.conf, without this server. */
  upstream?: string[];
  /** How long each upstream gets to answer (default 2000 ms). */
  upstreamTimeoutMs?: number;
  /**
   * More addresses to answer on with the same records, e.g. the pod bridge's gateway on port 53:
   * resolv.conf cannot name a port, so pods need a server on 53 while the main port stays free.
   */
  alsoListen?: { host: string; port: number }[];
}

export class ClusterDns {
  private readonly zone: string;
  private readonly index: RecordIndex;
  private readonly services: Informer;
  /** Service key → slice key → slice, so a Service's change revisits only its own slices. */
  private readonly slicesByService = new Map<string, Map<string, KObject>>();
  private readonly serviceOfSlice = new Map<string, string>();
  private readonly listeners: DnsListener[] = [];
  private forwarder: Forwarder | undefined;
  private queries: QueryHandler | undefined;

  constructor(
    private readonly deps: ClusterDnsDeps,
    private readonly opts: ClusterDnsOptions,
  ) {
    this.zone = (opts.domain ?? 'cluster.local').replace(/^\.|\.$/g, '').toLowerCase();
    this.index = new RecordIndex(deps.now);
    this.services = deps.informers.for(SERVICES);
    // No resync: every answer is rebuilt from events, and a repeat would change nothing.
    this.services.onChange((key, svc) => this.onService(key, svc), { resyncMs: 0 });
    deps.informers.for(ENDPOINT_SLICES).onChange((key, slice) => this.onSlice(key, slice), { resyncMs: 0 });
    deps.informers.for(NAMESPACES).onChange((key, ns) => this.onNamespace(key, ns), { resyncMs: 0 });
  }

  /** Binds every address; `port` is the main one's, `addresses` all of them as bound. */
  async start(): Promise<{ port: number; addresses: { host: string; port: number }[] }> {
    const host = this.opts.host ?? '0.0.0.0';
    const configured = (this.opts.upstream ?? (await hostNameservers())).map(parseUpstream);
    const handle = (raw: Buffer, o: { tcp: boolean }) => this.queries?.handle(raw, o) ?? Promise.resolve(undefined);
    const bound: { host: string; port: number }[] = [];
    for (const addr of [{ host, port: this.opts.port }, ...(this.opts.alsoListen ?? [])]) {
      const listener = new DnsListener(handle, { ...addr, log: this.deps.log });
      this.listeners.push(listener);
      try {
        bound.push({ host: addr.host, port: await listener.listen() });
      } catch (e) {
        await this.stop();
        throw new Error(`cluster DNS cannot listen on ${addr.host}:${addr.port}: ${(e as Error).message}`);
      }
    }
    const port = bound[0].port;
    const upstreams = bound.reduce((ups, self) => withoutSelf(ups, self), configured);
    const forwarder = new Forwarder({ upstreams, timeoutMs: this.opts.upstreamTimeoutMs ?? 2000, log: this.deps.log });
    this.forwarder = forwarder;
    const resolver = new ZoneResolver(this.index, { zone: this.zone, ttl: this.opts.ttlSeconds ?? 5, upstream: (n, t) => forwarder.resolve(n, t) });
    this.queries = new QueryHandler(resolver, forwarder);
    const ups = upstreams.map((u) => `${u.host}:${u.port}`).join(' ') || 'none';
    const on = bound.map((b) => `${b.host}:${b.port}`).join(' ');
    this.deps.log?.(`dns: SERVE ${this.zone} on ${on} udp+tcp, upstream ${ups} => ready`);
    return { port, addresses: bound };
  }

  async stop(): Promise<void> {
    this.queries = undefined;
    this.forwarder?.close();
    await Promise.all(this.listeners.splice(0).map((l) => l.close()));
  }

  private onService(key: string, svc: KObject | undefined): void {
    this.index.set(`svc:${key}`, svc ? serviceRecords(svc, this.zone) : []);
    for (const [sliceKey, slice] of this.slicesByService.get(key) ?? []) this.indexSlice(sliceKey, slice);
  }

  private onSlice(key: string, slice: KObject | undefined): void {
    const ns = key.split('/')[0];
    const label = slice?.metadata?.labels?.[SERVICE_NAME_LABEL];
    const svcKey = label ? `${ns}/${label}` : undefined;
    const before = this.serviceOfSlice.get(key);
    if (before && before !== svcKey) {
      const m = this.slicesByService.get(before);
      m?.delete(key);
      if (m && !m.size) this.slicesByService.delete(before);
      this.serviceOfSlice.delete(key);
    }
    if (!slice || !svcKey) return void this.index.delete(`slice:${key}`);
    this.serviceOfSlice.set(key, svcKey);
    let m = this.slicesByService.get(svcKey);
    if (!m) this.slicesByService.set(svcKey, (m = new Map()));
    m.set(key, slice);
    this.indexSlice(key, slice);
  }

  /** A slice's records depend on its Service (headless or not, publishNotReadyAddresses). */
  private indexSlice(key: string, slice: KObject): void {
    const svc = this.services.get(this.serviceOfSlice.get(key) ?? '');
    this.index.set(`slice:${key}`, svc ? sliceRecords(svc, slice, { zone: this.zone }) : []);
  }

  /** A namespace makes `<ns>.svc.<zone>` and `<ns>.pod.<zone>` exist (CoreDNS' namespaceExposed). */
  private onNamespace(name: string, ns: KObject | undefined): void {
    const names = ns ? [`${name}.svc.${this.zone}`, `${name}.pod.${this.zone}`].map((n) => n.toLowerCase()) : [];
    this.index.set(`ns:${name}`, [], { names });
  }
}
