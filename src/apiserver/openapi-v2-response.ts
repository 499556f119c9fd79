// The /openapi/v2 response: JSON or gnostic protobuf (openapi-v2-proto.ts) by Accept, as
// kube-openapi's handler negotiates; one ETag, the SHA-512 of the JSON body, for both, with
// `Vary: Accept`; the protobuf bytes encoded once, on first request.

import type { ApiRequest, ApiResponse } from './request.js';
import { docHash } from './openapi-defs.js';
import { encodeOpenApiV2 } from './openapi-v2-proto.js';

/** The Content-Type of the protobuf document (kube-openapi answers both accepted spellings with it). */
export const OPENAPI_V2_PROTO_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** Both subtypes kube-openapi's handler accepts for the protobuf document. */
const PROTO_SUBTYPES = ['com.github.proto-openapi.spec.v2@v1.0+protobuf', 'com.github.proto-openapi.spec.v2.v1.0+protobuf'];

// ---------------------------------------------------------------------------------------------
// Serving

/** Which form of the document an Accept header asks for: the first acceptable clause by q wins. */
export function negotiateOpenApiV2(accept: string | undefined): 'json' | 'protobuf' {
  const clauses = parseAccept(accept && accept.trim() ? accept : '*/*');
  for (const c of clauses) {
    if (c.type !== 'application' && c.type !== '*') continue;
    // kube-openapi tries json first, so a wildcard subtype gets JSON.
    if (c.subtype === 'json' || c.subtype === '*') return 'json';
    if (PROTO_SUBTYPES.includes(c.subtype)) return 'protobuf';
  }
  return 'json';
}

interface AcceptClause {
  type: string;
  subtype: string;
  q: number;
}

/** Accept clauses sorted as goautoneg sorts them: by q, then more specific first. Zero q dropped. */
function parseAccept(header: string): AcceptClause[] {
  const out: (AcceptClause & { i: number })[] = [];
  header.split(',').forEach((part, i) => {
    const [range, ...params] = part.split(';').map((s) => s.trim());
    if (!range) return;
    const slash = range.indexOf('/');
    const type = slash < 0 ? range : range.slice(0, slash);
    const subtype = slash < 0 ? '*' : range.slice(slash + 1);
    let q = 1;
    for (const p of params) {
      const m = /^q\s*=\s*([0-9.]+)$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!(q > 0)) return;
    out.push({ type: type.toLowerCase(), subtype: subtype.toLowerCase(), q, i });
  });
  const specificity = (c: AcceptClause) => (c.type === '*' ? 0 : c.subtype === '*' ? 1 : 2);
  return out.sort((a, b) => b.q - a.q || specificity(b) - specificity(a) || a.i - b.i);
}

/** The served /openapi/v2 document: its JSON body, and its protobuf form made on first use. */
export class OpenApiV2Document {
  /** Quoted, as sent in the ETag header. */
  readonly etag: string;
  private proto?: Buffer;

  constructor(readonly json: string) {
    this.etag = `"${docHash(json)}"`;
  }

  /** The gnostic openapi_v2.Document bytes, encoded once. */
  protobuf(): Buffer {
    if (!this.proto) {
      const bytes = encodeOpenApiV2(JSON.parse(this.json) as Record<string, unknown>).bytes;
      this.proto = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    return this.proto;
  }

  /** The response to GET /openapi/v2: JSON or protobuf by Accept, 304 when If-None-Match matches. */
  respond(headers: ApiRequest['headers']): ApiResponse {
    const proto = negotiateOpenApiV2(headers.accept) === 'protobuf';
    const common = { vary: 'Accept', etag: this.etag };
    if (etagMatches(headers['if-none-match'], this.etag)) return { status: 304, headers: common };
    if (proto) return { status: 200, headers: { 'content-type': OPENAPI_V2_PROTO_TYPE, ...common }, body: this.protobuf() };
    return { status: 200, headers: { 'content-type': 'application/json', ...common }, body: this.json };
  }
}

/** If-None-Match's weak comparison, as net/http's ServeContent does it. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}
