// The cluster zone's records, by name, kept incrementally: each contributor (a Service, an
// EndpointSlice, a Namespace) replaces its own set of records and names when it changes, so a
// query is one map lookup and an update costs the size of what changed, never a scan. Also
// tracks empty non-terminals (names that exist only because a longer name does, such as
// `default.svc.cluster.local` or `_tcp.web.default.svc.cluster.local`), which answer NODATA, not
// NXDOMAIN (RFC 8020), and the zone's serial: the time of the last change, as CoreDNS uses.
// Deliberately knows nothing about Kubernetes objects or the wire format.

import type { ZoneRecord } from './service-records.js';

interface Contribution {
  fingerprint: string;
  records: ZoneRecord[];
  names: string[];
}

export class RecordIndex {
  /** name → contributor → records at that name (possibly none: a name that merely exists). */
  private readonly byName = new Map<string, Map<string, ZoneRecord[]>>();
  private readonly contributions = new Map<string, Contribution>();
  /** name → how many existing names lie strictly below it. */
  private readonly descendants = new Map<string, number>();
  private modifiedMs: number;

  constructor(private readonly now: () => Date = () => new Date()) {
    this.modifiedMs = now().getTime();
  }

  /**
   * Replaces everything `contributor` put in the index with `records`, plus `names` that exist
   * without records of their own. Returns whether anything changed.
   */
  set(contributor: string, records: ZoneRecord[], opts: { names?: string[] } = {}): boolean {
    const names = opts.names ?? [];
    const fingerprint = JSON.stringify([records, names]);
    const old = this.contributions.get(contributor);
    if (old?.fingerprint === fingerprint) return false;
    if (!old && !records.length && !names.length) return false;
    if (old) this.remove(contributor, old);
    if (records.length || names.length) {
      const c: Contribution = { fingerprint, records, names };
      this.contributions.set(contributor, c);
      for (const n of names) this.entry(n).set(contributor, this.entry(n).get(contributor) ?? []);
      for (const r of records) {
        const e = this.entry(r.name);
        const list = e.get(contributor);
        if (list) list.push(r);
        else e.set(contributor, [r]);
      }
    }
    this.modifiedMs = this.now().getTime();
    return true;
  }

  delete(contributor: string): boolean {
    return this.set(contributor, []);
  }

  /** The records at `name` (lower-case), or undefined when the name does not exist in the index. */
  lookup(name: string): ZoneRecord[] | undefined {
    const e = this.byName.get(name);
    if (!e) return undefined;
    const out: ZoneRecord[] = [];
    for (const list of e.values()) out.push(...list);
    return out;
  }

  /** Whether `name` exists: it has records, was named by a contributor, or is an empty non-terminal. */
  exists(name: string): boolean {
    return this.byName.has(name) || this.descendants.has(name);
  }

  /** The SOA serial: seconds since the epoch of the last change (CoreDNS' Modified()). */
  serial(): number {
    return Math.floor(this.modifiedMs / 1000) >>> 0;
  }

  private entry(name: string): Map<string, ZoneRecord[]> {
    let e = this.byName.get(name);
    if (!e) {
      this.byName.set(name, (e = new Map()));
      this.countAncestors(name, 1);
    }
    return e;
  }

  private remove(contributor: string, c: Contribution): void {
    this.contributions.delete(contributor);
    for (const name of new Set([...c.names, ...c.records.map((r) => r.name)])) {
      const e = this.byName.get(name);
      if (!e) continue;
      e.delete(contributor);
      if (!e.size) {
        this.byName.delete(name);
        this.countAncestors(name, -1);
      }
    }
  }

  private countAncestors(name: string, delta: number): void {
    for (let i = name.indexOf('.'); i >= 0; i = name.indexOf('.', i + 1)) {
      const parent = name.slice(i + 1);
      const n = (this.descendants.get(parent) ?? 0) + delta;
      if (n > 0) this.descendants.set(parent, n);
      else this.descendants.delete(parent);
    }
  }
}
