// Pod IP allocation from the node's podCIDR, as the CNI host-local IPAM plugin does it: the
// network address, the gateway (.1 of the range, the bridge's address) and the broadcast address
// are never handed out; addresses are given round-robin after the last one allocated, so a freed
// address is not reused at once; an address is stable per pod UID until released. reserve() lets
// a restarted agent re-claim the addresses its running pods already show in their status.
// Deliberately absent: IPv6 and dual-stack ranges (berth's pod CIDRs are IPv4 /8–/30).

export class IPAllocator {
  private readonly byUid = new Map<string, number>();
  private readonly byIp = new Map<number, string>();
  private readonly first: number;
  private readonly last: number;
  private next: number;

  constructor(readonly cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    const parts = m ? m.slice(1, 5).map(Number) : [];
    const bits = m ? Number(m[5]) : -1;
    if (!m || parts.some((p) => p > 255) || bits < 8 || bits > 30) {
      throw new Error(`podCIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR between /8 and /30`);
    }
    const size = 2 ** (32 - bits);
    const base = (((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3]) & (~(size - 1) >>> 0);
    this.first = (base >>> 0) + 2;
    this.last = (base >>> 0) + size - 2;
    this.next = this.first;
  }

  /** The address range handed out, as host-local prints it (`10.244.1.2-10.244.1.254`). */
  get range(): string {
    return `${toText(this.first)}-${toText(this.last)}`;
  }

  get inUse(): number {
    return this.byUid.size;
  }

  ipOf(uid: string): string | undefined {
    const n = this.byUid.get(uid);
    return n === undefined ? undefined : toText(n);
  }

  /** The pod's address: the one it already has, or the next free one. Throws when none is free. */
  allocate(uid: string): string {
    const have = this.byUid.get(uid);
    if (have !== undefined) return toText(have);
    const count = this.last - this.first + 1;
    for (let i = 0; i < count; i++) {
      const n = this.next;
      this.next = n >= this.last ? this.first : n + 1;
      if (this.byIp.has(n)) continue;
      this.byUid.set(uid, n);
      this.byIp.set(n, uid);
      return toText(n);
    }
    throw new Error(`no IP addresses available in range set: ${this.range}`);
  }

  /** Claims `ip` for `uid` (agent restart); false when it is outside the range or held by another pod. */
  reserve(uid: string, ip: string): boolean {
    const n = toNumber(ip);
    if (n === undefined || n < this.first || n > this.last) return false;
    const holder = this.byIp.get(n);
    if (holder !== undefined) return holder === uid;
    if (this.byUid.has(uid)) return false;
    this.byUid.set(uid, n);
    this.byIp.set(n, uid);
    if (n >= this.next) this.next = n >= this.last ? this.first : n + 1;
    return true;
  }

  release(uid: string): void {
    const n = this.byUid.get(uid);
    if (n === undefined) return;
    this.byUid.delete(uid);
    this.byIp.delete(n);
  }
}

function toText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function toNumber(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  const p = m.slice(1).map(Number);
  if (p.some((x) => x > 255)) return undefined;
  return ((p[0] << 24) >>> 0) + (p[1] << 16) + (p[2] << 8) + p[3];
}
