// API semantics over plain HTTP, as client libraries see them: watch (synthetic ADDED, resume,
// selectors, bookmarks), pagination, field selectors, subresources, generation, graceful pod
// deletion, deletecollection, and bad input answered with Status errors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startBerth, eventually } from './harness.js';
import type { Berth } from './harness.js';

let b: Berth;
before(async () => {
  // No node agents (a pod on node-1 stays Terminating until force-deleted), and no StatefulSet
  // controller or pod GC writing to the objects these tests examine.
  b = await startBerth({ args: ['--nodes', '0', '--controllers', '*,-statefulset,-pod-gc'] });
});
after(async () => {
  await b?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';

function pod(name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'demo' } }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra } };
}

/** Collects watch events from a streaming GET until `until` returns true or the timeout. */
function watchEvents(path: string, until: (evs: any[]) => boolean, timeoutMs = 5000): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const evs: any[] = [];
    let buf = '';
    const req = http.get(`${b.url}${path}`, (res) => {
      if (res.statusCode !== 200) reject(new Error(`watch answered ${res.statusCode}`));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          evs.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
        if (until(evs)) {
          req.destroy();
          resolve(evs);
        }
      });
      res.on('end', () => resolve(evs));
    });
    req.on('error', () => resolve(evs));
    setTimeout(() => {
      req.destroy();
      resolve(evs);
    }, timeoutMs);
  });
}

test('watch from resourceVersion 0 starts with ADDED for current objects, then follows changes', async () => {
  await b.http('POST', CM, { metadata: { name: 'w1', labels: { team: 'a' } } });
  const pending = watchEvents(`${CM}?watch=1&resourceVersion=0&labelSelector=team%3Da`, (e) => e.some((x) => x.type === 'DELETED'));
  await new Promise((r) => setTimeout(r, 200));
  const cur = await b.http('GET', `${CM}/w1`);
  await b.http('PUT', `${CM}/w1`, { ...cur.body, data: { x: '1' } });
  await b.http('POST', CM, { metadata: { name: 'other', labels: { team: 'b' } } });
  await b.http('DELETE', `${CM}/w1`);
  const evs = await pending;
  assert.deepEqual(evs.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);
});

test('watch resumes after a list resourceVersion without replaying, and a label change leaving the selection is DELETED', async () => {
  await b.http('POST', CM, { metadata: { name: 'r1', labels: { sel: 'yes' } } });
  const list = await b.http('GET', `${CM}?labelSelector=sel%3Dyes`);
  const rv = list.body.metadata.resourceVersion;
  const pending = watchEvents(`${CM}?watch=true&resourceVersion=${rv}&labelSelector=sel%3Dyes`, (e) => e.length >= 2);
  await new Promise((r) => setTimeout(r, 200));
  await b.http('POST', CM, { metadata: { name: 'r2', labels: { sel: 'yes' } } });
  await b.http('PATCH', `${CM}/r1`, { metadata: { labels: { sel: 'no' } } }, { 'content-type': 'application/merge-patch+json' });
  const evs = await pending;
  assert.deepEqual(evs.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:r2', 'DELETED:r1']);
});

test('watch sends bookmarks when asked and ends at timeoutSeconds', async () => {
  const started = Date.now();
  const evs = await watchEvents(`${CM}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=0&fieldSelector=metadata.name%3Dnone`, () => false, 5000);
  assert.ok(Date.now() - started < 4000, 'the server ended the watch');
  assert.ok(evs.every((e) => e.type === 'BOOKMARK'));
});

test('list paginates with limit and continue', async () => {
  for (let i = 0; i < 7; i++) await b.http('POST', CM, { metadata: { name: `page-${i}`, labels: { pg: 'x' } } });
  const names: string[] = [];
  let cont = '';
  let pages = 0;
  do {
    const r = await b.http('GET', `${CM}?limit=3&labelSelector=pg%3Dx${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    assert.equal(r.status, 200);
    names.push(...r.body.items.map((i: any) => i.metadata.name));
    cont = r.body.metadata.continue ?? '';
    pages++;
  } while (cont);
  assert.equal(pages, 3);
  assert.deepEqual(names, [0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
  const bad = await b.http('GET', `${CM}?limit=3&continue=garbage`);
  assert.equal(bad.status, 400);
});

test('a large list is streamed in chunks that form one valid List', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const post = (i: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify({ metadata: { name: `big-${i}`, labels: { big: 'yes' } }, data: { i: String(i) } });
      const req = http.request(`${b.url}${CM}`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.end(body);
    });
  for (let i = 0; i < 1100; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => post(i + j)));
  agent.destroy();
  const r = await b.http('GET', `${CM}?labelSelector=big%3Dyes`);
  assert.equal(r.status, 200);
  assert.equal(r.body.kind, 'ConfigMapList');
  assert.equal(r.body.items.length, 1100);
  assert.equal(new Set(r.body.items.map((c: any) => c.metadata.name)).size, 1100);
  assert.equal((await b.http('DELETE', `${CM}?labelSelector=big%3Dyes`)).status, 200);
});

test('field selectors on pods and events', async () => {
  assert.equal((await b.http('POST', PODS, pod('fs-a', { nodeName: 'node-1' }))).status, 201);
  assert.equal((await b.http('POST', PODS, pod('fs-b'))).status, 201);
  const onNode = await b.http('GET', `${PODS}?fieldSelector=spec.nodeName%3Dnode-1`);
  assert.deepEqual(onNode.body.items.map((p: any) => p.metadata.name), ['fs-a']);
  const pending = await b.http('GET', `${PODS}?fieldSelector=status.phase%3DPending,metadata.name%3Dfs-b`);
  assert.deepEqual(pending.body.items.map((p: any) => p.metadata.name), ['fs-b']);
  const ev = {
    metadata: { name: 'ev1' },
    involvedObject: { kind: 'Pod', name: 'fs-a', namespace: 'default', uid: 'u-1' },
    reason: 'Tested',
    message: 'hello',
    type: 'Normal',
    source: { component: 'e2e' },
  };
  assert.equal((await b.http('POST', '/api/v1/namespaces/default/events', ev)).status, 201);
  const evs = await b.http('GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dfs-a,involvedObject.kind%3DPod,involvedObject.uid%3Du-1');
  assert.deepEqual(evs.body.items.map((e: any) => e.reason), ['Tested']);
  const unsupported = await b.http('GET', `${PODS}?fieldSelector=spec.bogus%3Dx`);
  assert.equal(unsupported.status, 400);
});

test('status and scale subresources change only their half; generation follows the spec', async () => {
  const sts = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'sub' },
    spec: { serviceName: 'sub', replicas: 1, selector: { matchLabels: { app: 'sub' } }, template: { metadata: { labels: { app: 'sub' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  };
  const path = '/apis/apps/v1/namespaces/default/statefulsets/sub';
  const c = await b.http('POST', '/apis/apps/v1/namespaces/default/statefulsets', sts);
  assert.equal(c.status, 201);
  assert.equal(c.body.metadata.generation, 1);
  // A status write cannot change the spec.
  const st = await b.http('PUT', `${path}/status`, { ...c.body, spec: { ...c.body.spec, replicas: 9 }, status: { replicas: 1, readyReplicas: 1 } });
  assert.equal(st.status, 200);
  assert.equal(st.body.spec.replicas, 1);
  assert.equal(st.body.status.readyReplicas, 1);
  assert.equal(st.body.metadata.generation, 1);
  // A main-resource write cannot change the status.
  const main = await b.http('PUT', path, { ...st.body, status: { replicas: 7 } });
  assert.equal(main.body.status.readyReplicas, 1);
  assert.equal(main.body.metadata.generation, 1, 'no spec change, no generation bump');
  const scaled = await b.http('PATCH', `${path}/scale`, { spec: { replicas: 4 } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(scaled.status, 200);
  assert.equal(scaled.body.kind, 'Scale');
  assert.equal(scaled.body.spec.replicas, 4);
  assert.equal(scaled.body.status.selector, 'app=sub');
  const after = await b.http('GET', path);
  assert.equal(after.body.spec.replicas, 4);
  assert.equal(after.body.metadata.generation, 2);
  const neg = await b.http('PATCH', `${path}/scale`, { spec: { replicas: -1 } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(neg.status, 422);
  // A no-op update keeps the resourceVersion.
  const again = await b.http('PUT', path, after.body);
  assert.equal(again.body.metadata.resourceVersion, after.body.metadata.resourceVersion);
});

test('a scheduled pod is deleted gracefully; --force --grace-period 0 removes it at once', async () => {
  await b.http('POST', PODS, pod('graceful', { nodeName: 'node-1', terminationGracePeriodSeconds: 30 }));
  const d = await b.http('DELETE', `${PODS}/graceful`, { propagationPolicy: 'Background' });
  assert.equal(d.status, 200);
  assert.ok(d.body.metadata.deletionTimestamp);
  assert.equal(d.body.metadata.deletionGracePeriodSeconds, 30);
  assert.equal((await b.http('GET', `${PODS}/graceful`)).status, 200, 'still there until the node confirms');
  const r = await b.kubectl(['delete', 'pod', 'graceful', '--force', '--grace-period', '0']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /pod "graceful" force deleted/);
  assert.equal((await b.http('GET', `${PODS}/graceful`)).status, 404);
  // An unscheduled pod goes at once.
  await b.http('POST', PODS, pod('unscheduled'));
  const d2 = await b.http('DELETE', `${PODS}/unscheduled`);
  assert.equal(d2.status, 200);
  assert.equal((await b.http('GET', `${PODS}/unscheduled`)).status, 404);
});

test('deletecollection deletes what the selector matches', async () => {
  for (const n of ['dc-1', 'dc-2']) await b.http('POST', CM, { metadata: { name: n, labels: { dc: 'yes' } } });
  const r = await b.http('DELETE', `${CM}?labelSelector=dc%3Dyes`);
  assert.equal(r.status, 200);
  const left = await b.http('GET', `${CM}?labelSelector=dc%3Dyes`);
  assert.equal(left.body.items.length, 0);
});

test('bad input is answered with Status errors', async () => {
  const dup = await b.http('POST', `${CM}?fieldValidation=Strict`, '{"metadata":{"name":"dup","name":"dup2"}}');
  assert.equal(dup.status, 400);
  assert.match(dup.body.message, /duplicate field "metadata.name"/);
  const warn = await b.http('POST', CM, '{"metadata":{"name":"warned"},"bogus":1}');
  assert.equal(warn.status, 201);
  assert.match(warn.headers.get('warning') ?? '', /unknown field \\"bogus\\"/);
  const badLabel = await b.http('POST', CM, { metadata: { name: 'bl', labels: { 'bad key!': 'v' } } });
  assert.equal(badLabel.status, 422);
  assert.equal(badLabel.body.details.causes[0].field, 'metadata.labels');
  const deepYaml = await b.http('PATCH', `${CM}/warned?fieldManager=x`, 'a:\n' + Array.from({ length: 2000 }, (_, i) => ' '.repeat(i + 1) + 'a:').join('\n'), {
    'content-type': 'application/apply-patch+yaml',
  });
  assert.equal(deepYaml.status, 400);
  const notJson = await b.http('POST', CM, '{"metadata":');
  assert.equal(notJson.status, 400);
  const wrongType = await b.http('POST', CM, { metadata: { name: 7 } });
  assert.equal(wrongType.status, 400);
  const badPatch = await b.http('PATCH', `${CM}/warned`, '{"x":1}', { 'content-type': 'text/plain' });
  assert.equal(badPatch.status, 415);
  const badSelector = await b.http('GET', `${CM}?labelSelector=a%20b%20c`);
  assert.equal(badSelector.status, 400);
  const nsMissing = await b.http('POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } });
  assert.equal(nsMissing.status, 404);
  const unknownPath = await b.http('GET', '/api/v1/bogus');
  assert.equal(unknownPath.status, 404);
  assert.equal(unknownPath.body.kind, 'Status');
  const metrics = await b.http('GET', '/metrics');
  assert.match(metrics.text, /apiserver_request_total\{verb="POST",resource="configmaps",code="201"\}/);
  const health = await b.http('GET', '/readyz');
  assert.equal(health.status, 200, 'the server is still healthy');
  await eventually(async () => (await b.http('GET', '/version')).body.minor === '32');
});

test('patches drop unknown fields (a warning under Warn, nothing under Ignore, 400 under Strict); apply refuses them', async () => {
  await b.http('POST', CM, { metadata: { name: 'pu' }, data: { a: '1' } });
  const types = ['application/merge-patch+json', 'application/strategic-merge-patch+json'];
  for (const [i, ct] of types.entries()) {
    const warned = await b.http('PATCH', `${CM}/pu`, { metadata: { bogus: 'x', labels: { n: String(i) } }, zz: 1, data: { b: '2' } }, { 'content-type': ct });
    assert.equal(warned.status, 200, warned.text);
    assert.match(warned.headers.get('warning') ?? '', /unknown field \\"metadata.bogus\\"/);
    assert.match(warned.headers.get('warning') ?? '', /unknown field \\"zz\\"/);
    const ignored = await b.http('PATCH', `${CM}/pu?fieldValidation=Ignore`, { yy: 1, data: { c: '3' } }, { 'content-type': ct });
    assert.equal(ignored.status, 200, ignored.text);
    assert.equal(ignored.headers.get('warning'), null);
  }
  const jp = await b.http('PATCH', `${CM}/pu`, [{ op: 'add', path: '/ww', value: 1 }, { op: 'add', path: '/data/d', value: '4' }], { 'content-type': 'application/json-patch+json' });
  assert.equal(jp.status, 200, jp.text);
  assert.match(jp.headers.get('warning') ?? '', /unknown field \\"ww\\"/);
  const stored = (await b.http('GET', `${CM}/pu`)).body;
  assert.deepEqual(stored.data, { a: '1', b: '2', c: '3', d: '4' }, 'the known fields of the patches landed');
  assert.deepEqual(stored.metadata.labels, { n: '1' });
  for (const k of ['zz', 'yy', 'ww']) assert.equal(k in stored, false, `${k} is not stored`);
  assert.equal('bogus' in stored.metadata, false);
  const rv = stored.metadata.resourceVersion;
  const strict = await b.http('PATCH', `${CM}/pu?fieldValidation=Strict`, { zz: 1, data: { e: '5' } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(strict.status, 400);
  assert.match(strict.body.message, /strict decoding error: unknown field "zz"/);
  // Server-side apply types the configuration first, whatever fieldValidation says (as
  // structured-merge-diff does), and names every field it does not know; 400, not kube-apiserver's 500.
  for (const q of ['', '&fieldValidation=Ignore', '&fieldValidation=Strict']) {
    const applied = await b.http(
      'PATCH',
      `${CM}/pu?fieldManager=ssa${q}`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pu', namespace: 'default', bogus: 'x' }, data: { f: '6' }, zz: 1 },
      { 'content-type': 'application/apply-patch+yaml' },
    );
    assert.equal(applied.status, 400, applied.text);
    assert.equal(applied.body.reason, 'BadRequest');
    assert.equal(
      applied.body.message,
      'failed to create typed patch object (default/pu; /v1, Kind=ConfigMap): errors:\n  .metadata.bogus: field not declared in schema\n  .zz: field not declared in schema',
    );
  }
  const created = await b.http('PATCH', `/apis/apps/v1/namespaces/default/statefulsets/ssa-new?fieldManager=ssa`, {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'ssa-new' },
    spec: { serviceName: 's', selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', bogus: 1 }] } } },
  }, { 'content-type': 'application/apply-patch+yaml' });
  assert.equal(created.status, 400, created.text);
  assert.equal(created.body.message, 'failed to create typed patch object (/ssa-new; apps/v1, Kind=StatefulSet): .spec.template.spec.containers[name="c"].bogus: field not declared in schema');
  assert.equal((await b.http('GET', '/apis/apps/v1/namespaces/default/statefulsets/ssa-new')).status, 404, 'nothing created');
  assert.equal((await b.http('GET', `${CM}/pu`)).body.metadata.resourceVersion, rv, 'refused writes changed nothing');
});

test('a status write to a tracked object that has no status', async () => {
  const node = await b.http('POST', '/api/v1/nodes?fieldManager=me', { metadata: { name: 'no-status', labels: { a: 'b' } } });
  assert.equal(node.status, 201, node.text);
  assert.ok(node.body.metadata.managedFields?.length, 'tracked');
  const patched = await b.http('PATCH', '/api/v1/nodes/no-status/status', { metadata: { labels: { x: 'y' } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body.metadata.labels, { a: 'b', x: 'y' });
  const put = await b.http('PUT', '/api/v1/nodes/no-status/status', { ...patched.body, status: undefined });
  assert.equal(put.status, 200, put.text);
  await b.http('DELETE', '/api/v1/nodes/no-status');
});
