// One DNS message in, one out: decoding with dns-packet, the header rules of a recursive
// resolver that is authoritative for the cluster zone (ID and question echoed, AA for the zone,
// RD and CD copied, RA set; FORMERR, NOTIMP, REFUSED and BADVERS where RFC 1035 and RFC 6891 call
// for them), the zone's answer or the upstream's, SERVFAIL when no upstream answers, EDNS (an OPT
// in the answer when the query had one), and the UDP size limit: 512 bytes, or the client's EDNS
// size, beyond which additional records are dropped first (without TC, RFC 2181 §9) and then
// answers, with TC set so the client retries over TCP. Deliberately no sockets: the listener
// owns those.

import { decode, encode } from 'dns-packet';
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import type { ZoneResolver } from './zone-answer.js';
import type { Forwarder } from './upstream.js';

const QR = 1 << 15;
const AA = 1 << 10;
const TC = 1 << 9;
const RD = 1 << 8;
const RA = 1 << 7;
const CD = 1 << 4;
const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODE;
/** The EDNS buffer size this server advertises (DNS flag day 2020's safe value). */
const OUR_UDP_SIZE = 1232;
const CLASSIC_UDP_LIMIT = 512;

interface Reply {
  rcode: Rcode;
  authoritative?: boolean;
  answers?: Answer[];
  authorities?: Answer[];
  additionals?: Answer[];
  /** EDNS extended rcode (upper 8 bits), e.g. 1 for BADVERS. */
  extendedRcode?: number;
}

export class QueryHandler {
  constructor(
    private readonly zone: ZoneResolver,
    private readonly forwarder: Forwarder,
  ) {}

  /** The reply to the raw query `raw`, or undefined when nothing must be sent (not a query at all). */
  async handle(raw: Buffer, opts: { tcp: boolean }): Promise<Buffer | undefined> {
    if (raw.length < 12 || raw[2] & 0x80) return undefined;
    let query: DecodedPacket;
    try {
      query = decode(raw);
    } catch {
      return formErr(raw);
    }
    const opt = query.additionals?.find((a) => a.type === 'OPT');
    const limit = opts.tcp ? 0xffff : Math.max(CLASSIC_UDP_LIMIT, opt && 'udpPayloadSize' in opt ? opt.udpPayloadSize : 0);
    const reply = await this.reply(raw, query, opts).catch((): Reply => ({ rcode: 'SERVFAIL' }));
    if (Buffer.isBuffer(reply)) return reply;
    return fit(this.packet(query, reply, !!opt), limit);
  }

  private async reply(raw: Buffer, query: DecodedPacket, opts: { tcp: boolean }): Promise<Reply | Buffer> {
    const opcode = (raw.readUInt16BE(2) >> 11) & 0xf;
    if (opcode !== 0) return { rcode: 'NOTIMP' };
    if (query.questions?.length !== 1) return { rcode: 'FORMERR' };
    const opt = query.additionals?.find((a) => a.type === 'OPT');
    if (opt && 'ednsVersion' in opt && opt.ednsVersion > 0) return { rcode: 'NOERROR', extendedRcode: 1 };
    const q = query.questions[0];
    if (this.zone.inZone(q.name)) {
      if ((q.class && q.class !== 'IN' && q.class !== 'ANY') || q.type === 'AXFR' || q.type === 'IXFR') return { rcode: 'REFUSED', authoritative: true };
    }
    const zoneAnswer = q.class === 'IN' || q.class === 'ANY' || !q.class ? await this.zone.answer(q) : undefined;
    if (zoneAnswer) return { ...zoneAnswer, authoritative: true };
    if (!this.forwarder.upstreams.length) return { rcode: 'SERVFAIL' };
    return (await this.forwarder.forward(raw, opts)) ?? { rcode: 'SERVFAIL' };
  }

  private packet(query: DecodedPacket, r: Reply, edns: boolean): Packet {
    const flags = (query.flags ?? 0) & (RD | CD) | RA | (r.authoritative ? AA : 0) | RCODE[r.rcode];
    const additionals = [...(r.additionals ?? [])];
    if (edns) additionals.push({ name: '.', type: 'OPT', udpPayloadSize: OUR_UDP_SIZE, extendedRcode: r.extendedRcode ?? 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] });
    return {
      type: 'response',
      id: query.id,
      flags,
      questions: (query.questions ?? []).map((q: Question) => ({ name: q.name, type: q.type, class: q.class })),
      answers: r.answers ?? [],
      authorities: r.authorities ?? [],
      additionals,
    };
  }
}

/** FORMERR for a message dns-packet cannot decode: the header alone, ID and RD kept. */
function formErr(raw: Buffer): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(raw.readUInt16BE(0), 0);
  out.writeUInt16BE(QR | (raw.readUInt16BE(2) & (0x7800 | RD)) | RCODE.FORMERR, 2);
  return out;
}

/** The encoded reply within `limit` bytes, shedding additionals, then answers with TC. */
export function fit(p: Packet, limit: number): Buffer {
  let buf = encodeOrServfail(p);
  if (buf.length <= limit) return buf;
  const opt = (p.additionals ?? []).filter((a) => a.type === 'OPT');
  const lean: Packet = { ...p, additionals: opt };
  buf = encodeOrServfail(lean);
  if (buf.length <= limit) return buf;
  const answers = p.answers ?? [];
  const truncated = (n: number): Packet => ({ ...lean, flags: (p.flags ?? 0) | TC, answers: answers.slice(0, n), authorities: [] });
  // The longest prefix of the answers that fits (at least none: the header and question always do).
  let lo = 0;
  let hi = answers.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encodeOrServfail(truncated(mid)).length <= limit) lo = mid;
    else hi = mid - 1;
  }
  return encodeOrServfail(truncated(lo));
}

function encodeOrServfail(p: Packet): Buffer {
  try {
    return encode(p);
  } catch {
    return encode({ ...p, flags: ((p.flags ?? 0) & ~0xf) | RCODE.SERVFAIL, answers: [], authorities: [], additionals: [] });
  }
}
