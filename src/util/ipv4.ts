// IPv4 addresses as numbers, and CIDR ranges: what the node IPAM, the service IP allocator and the
// choice of a cluster's pod range share. Deliberately absent: IPv6 (berth's ranges are IPv4).

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface Ipv4Range {
  /** The first address, as a number. */
  base: number;
  /** Prefix length. */
  bits: number;
}

/** `a.b.c.d/n` as a range, if it is one (the address is taken as given, not masked). */
export function parseCidr(cidr: string): Ipv4Range | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!m || m[1]!.split('.').some((o) => Number(o) > 255) || Number(m[2]) > 32) return undefined;
  return { base: ipToInt(m[1]!), bits: Number(m[2]) };
}

/** What a cluster's pod range must be, for error messages. */
export const POD_RANGE_RULE = 'an IPv4 range from /8 to /23 such as 10.244.0.0/14';

/** A cluster's pod range (--cluster-cidr): an aligned IPv4 range of /8 to /23, whose /24s go to the nodes. */
export function parsePodRange(cidr: string): Ipv4Range | undefined {
  const r = parseCidr(cidr);
  return r && r.bits >= 8 && r.bits <= 23 && r.base % 2 ** (32 - r.bits) === 0 ? r : undefined;
}

/** Whether two ranges share an address. */
export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  const bits = Math.min(a.bits, b.bits);
  const size = 2 ** (32 - bits);
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}
