// The shared secret between the API server and the node agents' servers (exec, logs): where it
// lives (Secret kube-system/berth-agent-credentials, key `token`), how an agent reads it through
// its own client (so `berth agent` on another machine needs nothing but its kubeconfig), and how
// the agent server checks a request's `Authorization: Bearer <token>` in constant time.
// Deliberately absent: creating the Secret (src/server/agent-credentials.ts, at API server start),
// per-node credentials and rotation (an agent reads the token once, at start: a replaced Secret
// takes effect when the agent restarts).

import { timingSafeEqual } from 'node:crypto';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { SECRETS } from '../client/resources.js';

export const AGENT_CREDENTIALS_SECRET = { namespace: 'kube-system', name: 'berth-agent-credentials', key: 'token' } as const;

/** The token a credentials Secret carries, or undefined when it has none. */
export function tokenOf(secret: KObject | undefined): string | undefined {
  const b64: unknown = secret?.data?.[AGENT_CREDENTIALS_SECRET.key];
  if (typeof b64 !== 'string' || !b64) return undefined;
  const token = Buffer.from(b64, 'base64').toString('utf8');
  return token || undefined;
}

/**
 * Reads the token, retrying (0.5 s doubling to 10 s) until the Secret exists or the signal aborts
 * (then undefined): an agent may start before the control plane has written it.
 */
export async function readAgentToken(client: Client, opts: { signal?: AbortSignal; log?: (l: string) => void } = {}): Promise<string | undefined> {
  const { namespace, name } = AGENT_CREDENTIALS_SECRET;
  let delay = 500;
  while (!opts.signal?.aborted) {
    try {
      const token = tokenOf(await client.get<KObject>(SECRETS, namespace, name));
      if (token) return token;
      opts.log?.(`READ secret ${namespace}/${name} => no ${AGENT_CREDENTIALS_SECRET.key}; retrying in ${delay} ms`);
    } catch (e) {
      opts.log?.(`READ secret ${namespace}/${name} => ${(e as Error).message}; retrying in ${delay} ms`);
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, delay);
      opts.signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
    delay = Math.min(delay * 2, 10_000);
  }
  return undefined;
}

/** Whether an Authorization header carries exactly `Bearer <token>` (compared in constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const got = Buffer.from(m[1]);
  const want = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}
