import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { NAMESPACES, SERVICES } from '../client/resources.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import { ClusterDns } from './cluster-dns.js';
import type { ClusterDnsOptions } from './cluster-dns.js';
import { dataOf, fakeUpstream, queryTcp, queryUdp, service } from './dns-test-support.js';
import { parseUpstream, resolvConfNameservers, withoutSelf } from './upstream.js';

async function harness(t: TestContext, opts: Partial<ClusterDnsOptions>) {
  const c = await testCluster();
  const lines: string[] = [];
  const dns = new ClusterDns({ informers: c.informers, log: (l) => lines.push(l) }, { port: 0, host: '127.0.0.1', ...opts });
  t.after(async () => {
    await dns.stop();
    await c.close();
  });
  await c.client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  await c.startInformers();
  const { port, addresses } = await dns.start();
  return { ...c, port, addresses, lines };
}

test('ClusterDns forwards names outside the cluster domain to its upstream, over UDP and TCP', async (t) => {
  const up = await fakeUpstream({ 'example.com': '93.184.216.34' });
  t.after(() => up.close());
  const h = await harness(t, { upstream: [`127.0.0.1:${up.port}`] });
  const r = await queryUdp(h.port, ['Example.COM', 'A']);
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(dataOf(r), ['93.184.216.34']);
  assert.deepEqual(r.questions, [{ name: 'Example.COM', type: 'A', class: 'IN' }]);
  assert.equal(r.flags! & (1 << 10), 0, 'not authoritative for a forwarded name');
  assert.deepEqual(up.seen, ['Example.COM A']);
  const nx = await queryUdp(h.port, ['nope.example.org', 'A']);
  assert.equal(nx.rcode, 'NXDOMAIN');
  const [tcp] = await queryTcp(h.port, [['example.com', 'A']]);
  assert.deepEqual(dataOf(tcp), ['93.184.216.34']);
});

test('ClusterDns answers SERVFAIL when no upstream answers', async (t) => {
  const silent = await fakeUpstream({}, { silent: true });
  t.after(() => silent.close());
  const h = await harness(t, { upstream: [`127.0.0.1:${silent.port}`], upstreamTimeoutMs: 200 });
  const r = await queryUdp(h.port, ['example.com', 'A']);
  assert.equal(r.rcode, 'SERVFAIL');
  assert.deepEqual(r.questions, [{ name: 'example.com', type: 'A', class: 'IN' }]);
  assert.deepEqual(silent.seen, ['example.com A']);
  assert.ok(h.lines.some((l) => /FORWARD 127\.0\.0\.1:\d+ => no answer within 200ms/.test(l)), h.lines.join('\n'));
  const none = await harness(t, { upstream: [] });
  assert.equal((await queryUdp(none.port, ['example.com', 'A'])).rcode, 'SERVFAIL');
});

test('ClusterDns answers an ExternalName Service with a CNAME chased upstream', async (t) => {
  const up = await fakeUpstream({ 'db.example.com': '192.0.2.53' });
  t.after(() => up.close());
  const h = await harness(t, { upstream: [`127.0.0.1:${up.port}`] });
  await h.client.create(SERVICES, 'default', service('db', { type: 'ExternalName', externalName: 'db.example.com', ports: [] }));
  let r = await queryUdp(h.port, ['db.default.svc.cluster.local', 'A']);
  await eventually(async () => (r = await queryUdp(h.port, ['db.default.svc.cluster.local', 'A'])).answers!.length > 0, 'the CNAME');
  assert.deepEqual(
    r.answers!.map((a) => [a.name, a.type, 'data' in a ? a.data : '']),
    [
      ['db.default.svc.cluster.local', 'CNAME', 'db.example.com'],
      ['db.example.com', 'A', '192.0.2.53'],
    ],
  );
  assert.deepEqual(dataOf(await queryUdp(h.port, ['db.default.svc.cluster.local', 'CNAME']), 'CNAME'), ['db.example.com']);
});

test('ClusterDns answers on every address of alsoListen, and says which it could not bind', async (t) => {
  const h = await harness(t, { upstream: [], alsoListen: [{ host: '127.0.0.2', port: 0 }] });
  await h.client.create(SERVICES, 'default', service('web', { clusterIP: '10.96.0.20' }));
  const [, also] = h.addresses;
  assert.equal(also.host, '127.0.0.2');
  await eventually(async () => dataOf(await queryUdp(also.port, ['web.default.svc.cluster.local', 'A'], { host: '127.0.0.2' }))[0] === '10.96.0.20', 'the answer on 127.0.0.2');
  assert.ok(h.lines.some((l) => l.startsWith(`dns: SERVE cluster.local on 127.0.0.1:${h.port} 127.0.0.2:${also.port} udp+tcp`)), h.lines.join('\n'));
  const c = await testCluster();
  t.after(() => c.close());
  const taken = new ClusterDns({ informers: c.informers }, { port: h.port, host: '127.0.0.1', upstream: [] });
  await assert.rejects(taken.start(), /cluster DNS cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
});

test('upstream parsing reads resolv.conf and drops this server itself', () => {
  assert.deepEqual(resolvConfNameservers('search x\nnameserver 10.0.0.2\n# nameserver 9.9.9.9\nnameserver fe80::1%eth0\n'), ['10.0.0.2', 'fe80::1']);
  assert.deepEqual(resolvConfNameservers('search x\n'), ['127.0.0.1']);
  assert.deepEqual(parseUpstream('[fd00::1]:5353'), { host: 'fd00::1', port: 5353 });
  assert.deepEqual(parseUpstream('fd00::1'), { host: 'fd00::1', port: 53 });
  assert.deepEqual(parseUpstream('10.0.0.2:5353'), { host: '10.0.0.2', port: 5353 });
  const ups = ['127.0.0.1', '127.0.0.53', '10.255.255.53', '127.0.0.1:5353'].map(parseUpstream);
  assert.deepEqual(withoutSelf(ups, { host: '0.0.0.0', port: 53 }), [{ host: '10.255.255.53', port: 53 }, { host: '127.0.0.1', port: 5353 }]);
  assert.deepEqual(withoutSelf(ups, { host: '10.9.9.9', port: 53 }).length, 4);
});
