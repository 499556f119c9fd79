// The API server's transport-neutral request and response. The HTTP layer (http-server.ts) and the
// in-process client transport both speak this, so every component can talk to the same handlers.

export interface ApiRequest {
  method: string;
  /** URL path, without query. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body?: Buffer;
  /**
   * From the in-process transport only: the body as the JSON.stringify text it is (no UTF-8 round
   * trip), which cannot hold duplicate keys or unbounded nesting, so decoding skips that scan.
   */
  bodyText?: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /**
   * The caller takes watch events as objects (the in-process transport): a JSON watch answers with
   * `events`, each object the watch cache's shared, deep-frozen version, so no watcher in the
   * process serializes or parses it. Never set from HTTP.
   */
  objects?: boolean;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: any;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Whole body. */
  body?: string | Buffer;
  /** Streamed body (watch, follow logs, large lists): each chunk is written as it comes. */
  stream?: AsyncIterable<string>;
  /**
   * A fast path beside `stream`: the transport hands over a synchronous writer, which the producer
   * calls directly while the transport is idle (nothing queued, client keeping up); anything else
   * still comes through `stream`, in order. Saves a watch's fan-out the async hops per event; the
   * producer hands every watcher of an event the same string, which the HTTP transport frames once.
   */
  attachWriter?: (write: (chunk: string) => boolean) => void;
  /** A watch in object mode (ApiRequest.objects): batches of events, in order. */
  events?: AsyncIterable<WatchEvent[]>;
  /** A watch or log follow: held open, counted as long-running in metrics. */
  longRunning?: boolean;
}

export function jsonResponse(status: number, body: string, extra?: Record<string, string | string[]>): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...extra }, body };
}

/** Warnings to send as `Warning: 299 - "..."` headers. */
export function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (!warnings.length) return {};
  return { warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}
