// client-go's EventCorrelator in small, so a controller acting on a thousand pods of one set does
// not write a thousand events about that set:
// - aggregation: events about one object from one source with the same type and reason but
//   different messages are recorded separately up to 10 distinct messages in 10 minutes; after
//   that they become one event, "(combined from similar events): <latest message>", whose count grows;
// - spam filter: each source+object pair has a bucket of 25 events refilled at one per 5 minutes;
//   events beyond it are dropped.
// Pure: the recorder passes the time in.

export interface EventFacts {
  /** The involved object's identity (uid, or namespace/name) plus the source. */
  object: string;
  type: string;
  reason: string;
  message: string;
}

export type Correlation = { skip: true } | { skip: false; key: string; message: string };

const MAX_SIMILAR = 10;
const SIMILAR_WINDOW_MS = 600_000;
const BURST = 25;
const REFILL_MS = 300_000;
const MAX_KEYS = 4096;

interface Similar {
  messages: Set<string>;
  since: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** An LRU map bounded at MAX_KEYS entries. */
function touch<V>(m: Map<string, V>, key: string, v: V): V {
  m.delete(key);
  m.set(key, v);
  if (m.size > MAX_KEYS) m.delete(m.keys().next().value!);
  return v;
}

export class EventCorrelator {
  private readonly similar = new Map<string, Similar>();
  private readonly buckets = new Map<string, Bucket>();

  correlate(e: EventFacts, nowMs: number): Correlation {
    if (!this.allow(e.object, nowMs)) return { skip: true };
    const groupKey = `${e.object}\0${e.type}\0${e.reason}`;
    let g = this.similar.get(groupKey);
    if (!g || nowMs - g.since > SIMILAR_WINDOW_MS) g = { messages: new Set(), since: nowMs };
    touch(this.similar, groupKey, g);
    g.messages.add(e.message);
    if (g.messages.size > MAX_SIMILAR) return { skip: false, key: groupKey, message: `(combined from similar events): ${e.message}` };
    return { skip: false, key: `${groupKey}\0${e.message}`, message: e.message };
  }

  private allow(object: string, nowMs: number): boolean {
    const b = this.buckets.get(object) ?? { tokens: BURST, at: nowMs };
    const refill = Math.floor((nowMs - b.at) / REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(BURST, b.tokens + refill);
      b.at += refill * REFILL_MS;
    }
    touch(this.buckets, object, b);
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }
}
