// IP address parsing and classification as Kubernetes' validation sees it: k8s.io/utils/net
// ParseIPSloppy (Go 1.16's net.ParseIP, which still accepts leading zeros in IPv4 octets) and
// net.IP's IsUnspecified / IsLoopback / IsLinkLocalUnicast / IsLinkLocalMulticast.
// Deliberately absent: zones ("fe80::1%eth0" is rejected, as Go rejects it), CIDRs, and any I/O.

export interface ParsedIP {
  /** 16 bytes; IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d), as Go does. */
  bytes: Uint8Array;
  /** Go's ip.To4() != nil: an IPv4 address, or an IPv4-mapped IPv6 one. */
  is4: boolean;
}

function parseIPv4Octets(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** Hex groups of one side of "::" as 16-bit words; an IPv4 tail only where `ipv4Tail` allows it. */
function words(side: string, ipv4Tail: boolean): number[] | null {
  if (side === '') return [];
  const groups = side.split(':');
  const out: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (ipv4Tail && i === groups.length - 1 && g.includes('.')) {
      const v4 = parseIPv4Octets(g);
      if (!v4) return null;
      out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
      out.push(parseInt(g, 16));
    } else {
      return null;
    }
  }
  return out;
}

function parseIPv6Bytes(s: string): Uint8Array | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  let all: number[];
  if (halves.length === 1) {
    const w = words(s, true);
    if (!w || w.length !== 8) return null;
    all = w;
  } else {
    const head = words(halves[0], false);
    const tail = words(halves[1], true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes = new Uint8Array(16);
  all.forEach((w, i) => {
    bytes[i * 2] = w >> 8;
    bytes[i * 2 + 1] = w & 0xff;
  });
  return bytes;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Parses an IPv4 or IPv6 address; null if it is neither. */
export function parseIP(s: string): ParsedIP | null {
  if (typeof s !== 'string' || s === '') return null;
  if (!s.includes(':')) {
    const v4 = parseIPv4Octets(s);
    if (!v4) return null;
    const bytes = new Uint8Array(16);
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    bytes.set(v4, 12);
    return { bytes, is4: true };
  }
  const bytes = parseIPv6Bytes(s);
  return bytes ? { bytes, is4: isV4Mapped(bytes) } : null;
}

export function isUnspecified(ip: ParsedIP): boolean {
  if (ip.is4) return ip.bytes.slice(12).every((b) => b === 0);
  return ip.bytes.every((b) => b === 0);
}

export function isLoopback(ip: ParsedIP): boolean {
  if (ip.is4) return ip.bytes[12] === 127;
  return ip.bytes.slice(0, 15).every((b) => b === 0) && ip.bytes[15] === 1;
}

export function isLinkLocalUnicast(ip: ParsedIP): boolean {
  if (ip.is4) return ip.bytes[12] === 169 && ip.bytes[13] === 254;
  return ip.bytes[0] === 0xfe && (ip.bytes[1] & 0xc0) === 0x80;
}

export function isLinkLocalMulticast(ip: ParsedIP): boolean {
  if (ip.is4) return ip.bytes[12] === 224 && ip.bytes[13] === 0 && ip.bytes[14] === 0;
  return ip.bytes[0] === 0xff && (ip.bytes[1] & 0x0f) === 0x02;
}
