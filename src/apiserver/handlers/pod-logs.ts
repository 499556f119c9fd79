// GET pods/log (kubectl logs): validates PodLogOptions as the API server does
// (pkg/apis/core/validation ValidatePodLogOptions: tailLines >= 0, limitBytes >= 1,
// sinceSeconds >= 1, sinceSeconds and sinceTime exclusive), picks the container
// (node-connection.ts), then streams the node agent's /containerLogs answer through as text/plain,
// chunk by chunk, so `-f` follows live; the client going away ends the agent request. The agent's
// refusals (`container "c" in pod "p" is waiting to start: ContainerCreating`, `previous terminated
// container ...`) come back as 400 Status errors, as kube-apiserver's response checker makes them.
// A pod not yet scheduled has no logs: an empty 200, as Kubernetes answers.
// Deliberately absent: the `stream` option (feature gate PodLogsQuerySplitStreams, off in 1.32) and
// insecureSkipTLSVerifyBackend (accepted, meaningless without TLS).

import type { FieldError } from '../../api/errors.js';
import { badRequest, forbiddenField, internalError, invalid, invalidObject, methodNotSupported, serviceUnavailable } from '../../api/errors.js';
import type { ApiResponse } from '../request.js';
import { parseBool } from '../query.js';
import { gr } from '../registry/resource-store.js';
import type { HandlerContext } from './context.js';
import { agentConnection, chooseContainer } from './node-connection.js';

interface PodLogOptions {
  container: string | null;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  tailLines?: number;
  limitBytes?: number;
}

function int64(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`unable to parse ${name}=${JSON.stringify(v)}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function parseOptions(q: URLSearchParams): PodLogOptions {
  const sinceTime = q.get('sinceTime') || undefined;
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) {
    throw badRequest(`unable to parse sinceTime=${JSON.stringify(sinceTime)}: parsing time ${JSON.stringify(sinceTime)} as RFC3339`);
  }
  return {
    container: q.get('container'),
    follow: parseBool(q.get('follow')),
    previous: parseBool(q.get('previous')),
    timestamps: parseBool(q.get('timestamps')),
    sinceSeconds: int64(q, 'sinceSeconds'),
    sinceTime,
    tailLines: int64(q, 'tailLines'),
    limitBytes: int64(q, 'limitBytes'),
  };
}

function validate(o: PodLogOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(invalid('tailLines', o.tailLines, 'must be greater than or equal to 0'));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(invalid('limitBytes', o.limitBytes, 'must be greater than 0'));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) errs.push(forbiddenField('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) errs.push(invalid('sinceSeconds', o.sinceSeconds, 'must be greater than 0'));
  return errs;
}

function agentQuery(o: PodLogOptions): string {
  const p = new URLSearchParams();
  if (o.follow) p.set('follow', 'true');
  if (o.previous) p.set('previous', 'true');
  if (o.timestamps) p.set('timestamps', 'true');
  if (o.sinceSeconds !== undefined) p.set('sinceSeconds', String(o.sinceSeconds));
  if (o.sinceTime !== undefined) p.set('sinceTime', new Date(o.sinceTime).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (o.tailLines !== undefined) p.set('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) p.set('limitBytes', String(o.limitBytes));
  return p.toString();
}

async function* chunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value?.length) yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

export async function podLogs(ctx: HandlerContext): Promise<ApiResponse> {
  if (ctx.req.method !== 'GET') throw methodNotSupported(gr(ctx.def), ctx.req.method.toLowerCase());
  const pod = ctx.rs.get(ctx.namespace, ctx.name!).obj;
  const opts = parseOptions(ctx.req.query);
  const errs = validate(opts);
  if (errs.length) throw invalidObject('PodLogOptions', '', ctx.name!, errs);
  const container = chooseContainer(pod, opts.container);
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) return { status: 200, headers: { 'content-type': 'text/plain' }, body: '' };
  const conn = agentConnection(ctx.server, nodeName);
  const path = ['containerLogs', pod.metadata?.namespace, pod.metadata?.name, container].map((s) => encodeURIComponent(String(s))).join('/');
  const url = `http://${conn.hostPort}/${path}?${agentQuery(opts)}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${conn.token}` }, signal: ctx.req.signal });
  } catch (e) {
    const cause = (e as { cause?: Error }).cause?.message ?? (e as Error).message;
    throw internalError(new Error(`Get "${url}": ${cause}`));
  }
  if (res.status !== 200 || !res.body) {
    const text = (await res.text()).trim();
    if (res.status === 400 || res.status === 404) throw badRequest(text);
    if (res.status === 503) throw serviceUnavailable(text);
    if (res.status === 401) throw internalError(new Error(`the agent of node ${nodeName} refused the API server's credentials: ${text}`));
    throw internalError(new Error(text || `the agent of node ${nodeName} answered ${res.status}`));
  }
  return {
    status: 200,
    headers: { 'content-type': 'text/plain' },
    // Bytes pass through untouched (a log need not be UTF-8, nor end a chunk on a character);
    // the HTTP layer writes whatever the stream yields.
    stream: chunks(res.body) as unknown as AsyncIterable<string>,
    longRunning: opts.follow,
  };
}
