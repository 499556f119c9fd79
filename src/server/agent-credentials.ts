// The credentials the API server presents to node agents (exec, logs): at control-plane start,
// the Secret kube-system/berth-agent-credentials is created with a random 32-byte token unless it
// exists (a restart keeps the token, so running agents keep accepting the API server). Agents read
// it through their own client (src/agent/agent-auth.ts); the API server reads it from its watch
// cache at each exec or log request.
// Deliberately absent: rotation (delete the Secret and restart the control plane; agents pick the
// new token up when they restart).

import { randomBytes } from 'node:crypto';
import { isApiError } from '../api/errors.js';
import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { SECRETS } from '../client/resources.js';
import { AGENT_CREDENTIALS_SECRET, tokenOf } from '../agent/agent-auth.js';

/** Creates the Secret when missing (or without a token); resolves to whether it was written. */
export async function ensureAgentCredentials(client: Client, opts: { log?: (l: string) => void } = {}): Promise<boolean> {
  const { namespace, name, key } = AGENT_CREDENTIALS_SECRET;
  const existing = await client.get<KObject>(SECRETS, namespace, name).catch((e) => {
    if (isApiError(e) && e.code === 404) return undefined;
    throw e;
  });
  if (existing && tokenOf(existing)) return false;
  const token = randomBytes(32).toString('base64url');
  const secret: KObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'berth' } },
    type: 'Opaque',
    data: { [key]: Buffer.from(token).toString('base64') },
  };
  if (existing) {
    await client.update(SECRETS, { ...secret, metadata: { ...secret.metadata, resourceVersion: existing.metadata?.resourceVersion } });
  } else {
    try {
      await client.create(SECRETS, namespace, secret);
    } catch (e) {
      // Another control plane on the same store won the race: its token counts.
      if (isApiError(e) && e.code === 409) return false;
      throw e;
    }
  }
  opts.log?.(`CREATE secret ${namespace}/${name} => agent token written`);
  return true;
}
