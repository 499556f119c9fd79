// Answers for names in the cluster zone (and the reverse names of cluster addresses) from the
// record index, as CoreDNS' kubernetes plugin gives them: the records of the asked type with the
// asked name's spelling; NODATA (NOERROR, no answers, the zone's SOA in the authority section)
// for a name that exists without that type, NXDOMAIN with the SOA for a name that does not; SRV
// answers with the targets' addresses in the additional section and CoreDNS' weights (priority
// 0, weight 100/n); ExternalName CNAMEs chased to the target's records (in the zone from the
// index, elsewhere from upstream); the apex SOA and NS, `dns-version` TXT, and `pods insecure`
// records (`10-1-0-5.<ns>.pod.<zone>` answers 10.1.0.5 when the namespace exists). Returns
// undefined for what is not ours to answer (outside the zone, unknown reverse names), which the
// caller forwards. Deliberately no wire format, transport or EDNS handling.

import type { Answer, Question, RecordType } from 'dns-packet';
import type { RecordIndex } from './record-index.js';
import { dashedToIp } from './service-records.js';
import type { ZoneRecord } from './service-records.js';
import { isIPv4 } from 'node:net';

/** The schema version CoreDNS reports (kubernetes/dns docs/specification.md §2.2). */
export const DNS_SCHEMA_VERSION = '1.1.0';
const MAX_CNAME_CHAIN = 8;

export interface ZoneAnswer {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

export interface ZoneAnswerOptions {
  zone: string;
  ttl: number;
  /** Resolves a CNAME target outside the zone; undefined when upstream failed. */
  upstream?: (name: string, type: RecordType) => Promise<Answer[] | undefined>;
}

/** A question's type as decoded: any RecordType, 'ANY', or `UNKNOWN_<n>`. */
type QType = string;

/** The question as asked: the name's own spelling (answers echo it) and the type. */
interface Asked {
  name: string;
  type: QType;
}

const strip = (n: string) => n.replace(/\.$/, '');
const isReverse = (n: string) => n.endsWith('.in-addr.arpa') || n.endsWith('.ip6.arpa');

export class ZoneResolver {
  private readonly zone: string;

  constructor(
    private readonly index: RecordIndex,
    private readonly opts: ZoneAnswerOptions,
  ) {
    this.zone = strip(opts.zone).toLowerCase();
  }

  /** Whether `name` is inside the cluster zone (the apex included). */
  inZone(name: string): boolean {
    const n = strip(name).toLowerCase();
    return n === this.zone || n.endsWith(`.${this.zone}`);
  }

  async answer(q: Question): Promise<ZoneAnswer | undefined> {
    const asked: Asked = { name: strip(q.name), type: q.type };
    const n = asked.name.toLowerCase();
    if (isReverse(n)) {
      // Only the cluster's own addresses are ours; anything else falls through to upstream.
      const recs = this.index.lookup(n);
      return recs?.length ? this.fromRecords(asked, recs) : undefined;
    }
    if (!this.inZone(n)) return undefined;
    const rel = n === this.zone ? '' : n.slice(0, -this.zone.length - 1);
    if (rel === '') return this.apex(asked);
    if (rel === 'dns-version') return this.fromRecords(asked, [{ name: n, type: 'TXT', data: [DNS_SCHEMA_VERSION] }], { ttl: 28800 });
    if (rel === 'ns.dns' || rel === 'dns') return this.noData();
    const labels = rel.split('.');
    if (labels.length === 3 && labels[2] === 'pod') return this.podRecord(asked, labels);
    const recs = this.index.lookup(n);
    if (!recs) return this.index.exists(n) ? this.noData() : this.nxDomain();
    return this.fromRecords(asked, recs);
  }

  /** The zone's SOA, as CoreDNS builds it (plugin/backend_lookup.go SOA). */
  soa(): Answer {
    return {
      name: this.zone,
      type: 'SOA',
      class: 'IN',
      ttl: Math.min(this.opts.ttl, 300),
      data: {
        mname: `ns.dns.${this.zone}`,
        rname: `hostmaster.${this.zone}`,
        serial: this.index.serial(),
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.opts.ttl,
      },
    };
  }

  private noData(): ZoneAnswer {
    return { rcode: 'NOERROR', answers: [], authorities: [this.soa()], additionals: [] };
  }

  private nxDomain(): ZoneAnswer {
    return { rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
  }

  private apex({ name, type }: Asked): ZoneAnswer {
    const answers: Answer[] = [];
    if (type === 'SOA' || type === 'ANY') answers.push({ ...this.soa(), name });
    if (type === 'NS' || type === 'ANY') answers.push({ name, type: 'NS', class: 'IN', ttl: this.opts.ttl, data: `ns.dns.${this.zone}` });
    return answers.length ? { rcode: 'NOERROR', answers, authorities: [], additionals: [] } : this.noData();
  }

  /** `pods insecure`: any well-formed address in an existing namespace, without checking a pod has it. */
  private podRecord(asked: Asked, labels: string[]): Promise<ZoneAnswer> | ZoneAnswer {
    if (!this.index.exists(`${labels[1]}.pod.${this.zone}`)) return this.nxDomain();
    const ip = dashedToIp(labels[0]);
    if (!ip) return this.nxDomain();
    const rec: ZoneRecord = { name: asked.name.toLowerCase(), type: isIPv4(ip) ? 'A' : 'AAAA', data: ip };
    return this.fromRecords(asked, [rec]);
  }

  private async fromRecords(asked: Asked, recs: ZoneRecord[], opts: { ttl?: number } = {}): Promise<ZoneAnswer> {
    const type = asked.type;
    const cname = recs.find((r) => r.type === 'CNAME');
    if (cname && type !== 'CNAME' && type !== 'ANY') return this.chase(asked, cname);
    const matched = dedupe(recs.filter((r) => r.type === type || type === 'ANY'));
    if (!matched.length) return this.noData();
    const srvs = matched.filter((r) => r.type === 'SRV').length;
    const answers = matched.map((r) => this.toAnswer(r, { name: asked.name, ttl: opts.ttl, srvs }));
    return { rcode: 'NOERROR', answers, authorities: [], additionals: this.srvAdditionals(matched) };
  }

  /** A CNAME and what its target resolves to, in the zone or upstream (RFC 1034 §3.6.2). */
  private async chase(asked: Asked, cname: ZoneRecord): Promise<ZoneAnswer> {
    const type = asked.type;
    const answers: Answer[] = [this.toAnswer(cname, { name: asked.name })];
    let target = String(cname.data);
    for (let hop = 0; hop < MAX_CNAME_CHAIN; hop++) {
      if (!this.inZone(target)) {
        const more = await this.opts.upstream?.(target, type as RecordType);
        answers.push(...(more ?? []));
        break;
      }
      const recs = this.index.lookup(target) ?? [];
      const next = recs.find((r) => r.type === 'CNAME');
      if (next) {
        answers.push(this.toAnswer(next, {}));
        target = String(next.data);
        continue;
      }
      answers.push(...dedupe(recs.filter((r) => r.type === type)).map((r) => this.toAnswer(r, {})));
      break;
    }
    return { rcode: 'NOERROR', answers, authorities: [], additionals: [] };
  }

  /** The addresses of SRV targets, so clients need no second query (spec §2.3.2, §2.4.2). */
  private srvAdditionals(matched: ZoneRecord[]): Answer[] {
    const out: Answer[] = [];
    const seen = new Set<string>();
    for (const r of matched) {
      if (r.type !== 'SRV' || seen.has(r.data.target)) continue;
      seen.add(r.data.target);
      const addrs = (this.index.lookup(r.data.target) ?? []).filter((a) => a.type === 'A' || a.type === 'AAAA');
      out.push(...dedupe(addrs).map((a) => this.toAnswer(a, {})));
    }
    return out;
  }

  private toAnswer(r: ZoneRecord, o: { name?: string; ttl?: number; srvs?: number }): Answer {
    const name = o.name ?? r.name;
    const ttl = o.ttl ?? this.opts.ttl;
    if (r.type === 'SRV') {
      // CoreDNS' SRV weights: every record has priority 0, and the weights share 100.
      const weight = Math.floor(100 / Math.max(1, o.srvs ?? 1));
      return { name, type: 'SRV', class: 'IN', ttl, data: { priority: 0, weight, port: r.data.port, target: r.data.target } };
    }
    if (r.type === 'TXT') return { name, type: 'TXT', class: 'IN', ttl, data: r.data };
    return { name, type: r.type, class: 'IN', ttl, data: r.data };
  }
}

function dedupe(recs: ZoneRecord[]): ZoneRecord[] {
  const seen = new Set<string>();
  return recs.filter((r) => {
    const k = `${r.type} ${JSON.stringify(r.data)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
