import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/resource.js';
import { SECRETS } from '../client/resources.js';
import { testCluster } from '../controllers/test-cluster.js';
import { AGENT_CREDENTIALS_SECRET, readAgentToken, tokenOf } from '../agent/agent-auth.js';
import { ensureAgentCredentials } from './agent-credentials.js';

test('the agent credentials Secret is created once with a random 32-byte token, and agents read it', async () => {
  const tc = await testCluster();
  try {
    const { namespace, name } = AGENT_CREDENTIALS_SECRET;
    // An agent that starts first waits for the Secret.
    const early = readAgentToken(tc.client);
    assert.equal(await ensureAgentCredentials(tc.client), true);
    const secret = await tc.client.get<KObject>(SECRETS, namespace, name);
    const token = tokenOf(secret)!;
    assert.equal(Buffer.from(token, 'base64url').length, 32);
    assert.equal(secret.type, 'Opaque');
    assert.equal(await early, token);
    // A restart keeps the token, so running agents keep accepting the API server.
    assert.equal(await ensureAgentCredentials(tc.client), false);
    assert.equal(tokenOf(await tc.client.get<KObject>(SECRETS, namespace, name)), token);
    // A Secret emptied by hand gets a new token.
    await tc.client.update(SECRETS, { ...secret, data: {} });
    assert.equal(await ensureAgentCredentials(tc.client), true);
    const again = tokenOf(await tc.client.get<KObject>(SECRETS, namespace, name))!;
    assert.notEqual(again, token);
    assert.equal(await readAgentToken(tc.client), again);
  } finally {
    await tc.close();
  }
});

test('reading the token stops when aborted', async () => {
  const tc = await testCluster();
  try {
    const ac = new AbortController();
    const reading = readAgentToken(tc.client, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    assert.equal(await reading, undefined);
  } finally {
    await tc.close();
  }
});
