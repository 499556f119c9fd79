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
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  /** Whole body. */
  body?: string | Buffer;
  /** Streamed body (watch, follow logs, large lists): each chunk is written as it comes. */
  stream?: AsyncIterable<string>;
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
