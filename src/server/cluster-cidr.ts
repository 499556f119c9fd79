// The pod range of a cluster started without --cluster-cidr. Node agents of the process runtime put
// each node's /24 on a bridge of this host, so two berth clusters on one machine must not share a
// range: at a data dir's first start berth takes the first candidate /14 that overlaps no route of
// the host (another cluster's bridges, a VPN, a docker network) and writes it to DIR/cluster-cidr,
// so every later start of that data dir keeps the ranges its nodes were given.
// Deliberately absent: moving a data dir's range once chosen (its nodes' podCIDRs are immutable).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { overlaps, parseCidr } from '../util/ipv4.js';
import type { Ipv4Range } from '../util/ipv4.js';

/** 10.244.0.0/14 first (kube-controller-manager's usual default), then its neighbours in 10/8. */
export const CANDIDATES = [244, 248, 252, 240, 236, 232, 228, 224, 220, 216].map((o) => `10.${o}.0.0/14`);

/** The host's IPv4 routes from /proc/net/route (the default route left out), or none if unreadable. */
export function hostRoutes(text = readRouteTable()): Ipv4Range[] {
  const out: Ipv4Range[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = littleEndianHex(f[1]!);
    const mask = littleEndianHex(f[7]!);
    if (dest === undefined || mask === undefined || mask === 0) continue;
    out.push({ base: dest, bits: 32 - Math.log2(2 ** 32 - mask) });
  }
  return out;
}

/** The first candidate no route overlaps (the first candidate if every one is taken). */
export function freeClusterCidr(routes: Ipv4Range[]): string {
  return CANDIDATES.find((c) => !routes.some((r) => overlaps(parseCidr(c)!, r))) ?? CANDIDATES[0]!;
}

/**
 * The data dir's range: the one chosen at its first start, or one chosen (and kept) now: the first
 * free candidate for a new data dir, the first candidate for one that already holds a cluster (from
 * before berth kept the range, when every cluster had it; its own bridges' routes must not move it).
 */
export function defaultClusterCidr(
  dataDir: string,
  opts: { existing: boolean; routes?: () => Ipv4Range[] },
): { cidr: string; chosenNow: boolean } {
  const file = join(dataDir, 'cluster-cidr');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (parseCidr(kept)) return { cidr: kept, chosenNow: false };
  }
  const cidr = opts.existing ? CANDIDATES[0]! : freeClusterCidr((opts.routes ?? hostRoutes)());
  writeFileSync(file, `${cidr}\n`);
  return { cidr, chosenNow: true };
}

function readRouteTable(): string {
  try {
    return readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}

/** /proc/net/route's addresses: 8 hex digits, least significant byte first. */
function littleEndianHex(h: string): number | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(h)) return undefined;
  const n = parseInt(h, 16);
  return ((n & 0xff) * 2 ** 24) + (((n >>> 8) & 0xff) << 16) + (((n >>> 16) & 0xff) << 8) + ((n >>> 24) & 0xff);
}
