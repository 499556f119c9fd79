// Reads a kubeconfig file (the one `berth up`/`berth server` writes, or any with a plain-HTTP
// server) and returns what the HTTP transport needs: the current context's server URL and
// namespace. Deliberately absent: TLS client certificates, tokens and exec plugins (berth serves
// plain HTTP on loopback for now).

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface KubeconfigTarget {
  server: string;
  namespace: string;
}

export function loadKubeconfig(path: string): KubeconfigTarget {
  const doc = parse(readFileSync(path, 'utf8')) ?? {};
  const ctxName: string | undefined = doc['current-context'];
  const ctx = (doc.contexts ?? []).find((c: any) => c?.name === ctxName)?.context;
  if (!ctx) throw new Error(`${path} has no current context${ctxName ? ` named ${JSON.stringify(ctxName)}` : ''}`);
  const cluster = (doc.clusters ?? []).find((c: any) => c?.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`${path}: context ${JSON.stringify(ctxName)} names cluster ${JSON.stringify(ctx.cluster)}, which has no server`);
  const server = String(cluster.server).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(server)) throw new Error(`${path}: server ${JSON.stringify(server)} is not an http(s) URL`);
  return { server, namespace: ctx.namespace ?? 'default' };
}
