// Restarts and crashes: objects and resourceVersions survive a clean restart, and every write
// the API server acknowledged survives `kill -9` in the middle of a write storm.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { startBerth } from './harness.js';

test('a restart on the same data dir keeps every object and resourceVersions keep increasing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-restart-'));
  try {
    let b = await startBerth({ dataDir });
    const created = await b.http('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'keep' }, data: { a: '1' } });
    assert.equal(created.status, 201);
    const rv1 = Number(created.body.metadata.resourceVersion);
    assert.equal(await b.stop('SIGTERM'), 0);

    b = await startBerth({ dataDir });
    const got = await b.http('GET', '/api/v1/namespaces/default/configmaps/keep');
    assert.equal(got.status, 200);
    assert.equal(got.body.data.a, '1');
    assert.equal(got.body.metadata.uid, created.body.metadata.uid);
    const updated = await b.http('PUT', '/api/v1/namespaces/default/configmaps/keep', { ...got.body, data: { a: '2' } });
    assert.equal(updated.status, 200);
    assert.ok(Number(updated.body.metadata.resourceVersion) > rv1, 'resourceVersion increases across restarts');
    // The new process's watch window starts at its start revision (here rv1, the last write before
    // the restart): anything older is gone (410).
    const res = await fetch(`${b.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv1 - 1}&timeoutSeconds=1`);
    const first = JSON.parse((await res.text()).split('\n')[0]);
    assert.equal(first.type, 'ERROR');
    assert.equal(first.object.code, 410);
    assert.equal(first.object.reason, 'Expired');
    const ns = await b.http('GET', '/api/v1/namespaces');
    assert.equal(ns.body.items.filter((n: any) => n.metadata.name === 'default').length, 1, 'bootstrap is idempotent');
    await b.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('kill -9 during a write storm loses no acknowledged write', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'berth-kill9-'));
  try {
    let b = await startBerth({ dataDir });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const acked: string[] = [];
    let stop = false;
    const post = (name: string) =>
      new Promise<number>((resolve) => {
        const body = JSON.stringify({ metadata: { name }, data: { v: name } });
        const req = http.request(
          `${b.url}/api/v1/namespaces/default/configmaps`,
          { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end(body);
      });
    const writers = Array.from({ length: 16 }, async (_, w) => {
      for (let i = 0; !stop && i < 100_000; i++) {
        const name = `storm-${w}-${i}`;
        if ((await post(name)) === 201) acked.push(name);
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    b.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    agent.destroy();
    assert.ok(acked.length > 50, `enough writes were acknowledged before the kill (${acked.length})`);

    b = await startBerth({ dataDir });
    const list = await b.http('GET', '/api/v1/namespaces/default/configmaps');
    const stored = new Set(list.body.items.map((c: any) => c.metadata.name));
    const lost = acked.filter((n) => !stored.has(n));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes were lost`);
    await b.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
