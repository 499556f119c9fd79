import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { ENDPOINT_SLICES, NAMESPACES, PODS, SERVICES } from '../client/resources.js';
import { EndpointSliceController } from '../controllers/endpointslice.js';
import { runPod } from '../controllers/endpoints-test-support.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import { ClusterDns } from './cluster-dns.js';
import { dataOf, endpointSlice, queryTcp, queryUdp, service } from './dns-test-support.js';
import type { Reply } from './dns-test-support.js';

const ZONE = 'cluster.local';
const AA = 1 << 10;
const RA = 1 << 7;
const RD = 1 << 8;

async function harness(t: TestContext, opts: { endpointSliceController?: boolean } = {}) {
  const c = await testCluster();
  const dns = new ClusterDns({ informers: c.informers }, { port: 0, host: '127.0.0.1', upstream: [] });
  t.after(async () => {
    await dns.stop();
    await c.close();
  });
  await c.client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  if (opts.endpointSliceController) await c.run(new EndpointSliceController(c.deps, { batchMs: 0 }));
  else await c.startInformers();
  const { port } = await dns.start();
  /** Waits until the UDP answer for name/type satisfies `ok`, and returns it. */
  const until = async (q: [string, string], ok: (r: Reply) => boolean, opts: { what?: string } = {}): Promise<Reply> => {
    let last: Reply | undefined;
    await eventually(async () => ok((last = await queryUdp(port, q))), opts.what ?? q.join(' '));
    return last!;
  };
  return { ...c, dns, port, until };
}

/** The headless Service nginx with web-0 and web-1 (StatefulSet pods) and a not-ready web-2. */
async function statefulSetService(h: Awaited<ReturnType<typeof harness>>, opts: { publishNotReady?: boolean } = {}) {
  await h.client.create(SERVICES, 'default', service('nginx', { clusterIP: 'None', publishNotReadyAddresses: opts.publishNotReady }));
  await h.client.create(
    ENDPOINT_SLICES,
    'default',
    endpointSlice('nginx-abcde', {
      service: 'nginx',
      endpoints: [
        { ip: '10.244.0.10', hostname: 'web-0' },
        { ip: '10.244.0.11', hostname: 'web-1' },
        { ip: '10.244.0.12', hostname: 'web-2', ready: false },
      ],
    }),
  );
}

test('ClusterDns answers A for a ClusterIP Service, echoing the question, authoritative, case-insensitively', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web', { clusterIP: '10.96.0.20' }));
  const r = await h.until([`web.default.svc.${ZONE}`, 'A'], (r) => r.answers!.length > 0);
  assert.deepEqual(dataOf(r), ['10.96.0.20']);
  assert.equal(r.answers![0].name, `web.default.svc.${ZONE}`);
  assert.equal((r.answers![0] as { ttl?: number }).ttl, 5);
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.flags! & AA, AA);
  assert.equal(r.flags! & RA, RA);
  assert.equal(r.flags! & RD, RD);
  const mixed = await queryUdp(h.port, [`Web.Default.SVC.Cluster.Local`, 'A']);
  assert.deepEqual(mixed.questions, [{ name: 'Web.Default.SVC.Cluster.Local', type: 'A', class: 'IN' }]);
  assert.deepEqual(dataOf(mixed), ['10.96.0.20']);
  assert.equal(mixed.answers![0].name, 'Web.Default.SVC.Cluster.Local');
});

test('ClusterDns answers a headless Service with its ready endpoints and each hostname with its own IP', async (t) => {
  const h = await harness(t);
  await statefulSetService(h);
  const all = await h.until([`nginx.default.svc.${ZONE}`, 'A'], (r) => r.answers!.length > 0);
  assert.deepEqual(dataOf(all), ['10.244.0.10', '10.244.0.11']);
  assert.deepEqual(dataOf(await queryUdp(h.port, [`web-0.nginx.default.svc.${ZONE}`, 'A'])), ['10.244.0.10']);
  assert.deepEqual(dataOf(await queryUdp(h.port, [`web-1.nginx.default.svc.${ZONE}`, 'A'])), ['10.244.0.11']);
  const notReady = await queryUdp(h.port, [`web-2.nginx.default.svc.${ZONE}`, 'A']);
  assert.equal(notReady.rcode, 'NXDOMAIN');
});

test('ClusterDns publishes not-ready endpoints of a Service with publishNotReadyAddresses', async (t) => {
  const h = await harness(t);
  await statefulSetService(h, { publishNotReady: true });
  const all = await h.until([`nginx.default.svc.${ZONE}`, 'A'], (r) => r.answers!.length === 3);
  assert.deepEqual(dataOf(all), ['10.244.0.10', '10.244.0.11', '10.244.0.12']);
  assert.deepEqual(dataOf(await queryUdp(h.port, [`web-2.nginx.default.svc.${ZONE}`, 'A'])), ['10.244.0.12']);
});

test('ClusterDns answers SRV for named ports, with the targets addresses in the additional section', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web', { clusterIP: '10.96.0.20' }));
  await statefulSetService(h);
  const srv = await h.until([`_web._tcp.web.default.svc.${ZONE}`, 'SRV'], (r) => r.answers!.length > 0);
  assert.deepEqual(dataOf(srv, 'SRV'), [{ priority: 0, weight: 100, port: 80, target: `web.default.svc.${ZONE}` }]);
  assert.deepEqual(
    srv.additionals!.map((a) => [a.name, a.type, 'data' in a ? a.data : '']),
    [[`web.default.svc.${ZONE}`, 'A', '10.96.0.20']],
  );
  const headless = await h.until([`_web._tcp.nginx.default.svc.${ZONE}`, 'SRV'], (r) => r.answers!.length > 0);
  assert.deepEqual(dataOf(headless, 'SRV'), [
    { priority: 0, weight: 50, port: 8080, target: `web-0.nginx.default.svc.${ZONE}` },
    { priority: 0, weight: 50, port: 8080, target: `web-1.nginx.default.svc.${ZONE}` },
  ]);
  assert.deepEqual(headless.additionals!.map((a) => [a.name, 'data' in a ? a.data : '']).sort(), [
    [`web-0.nginx.default.svc.${ZONE}`, '10.244.0.10'],
    [`web-1.nginx.default.svc.${ZONE}`, '10.244.0.11'],
  ]);
  const udp = await queryUdp(h.port, [`_WEB._TCP.nginx.default.svc.${ZONE}`, 'SRV']);
  assert.equal(udp.answers!.length, 2);
  assert.equal((await queryUdp(h.port, [`_web._udp.nginx.default.svc.${ZONE}`, 'SRV'])).rcode, 'NXDOMAIN');
});

test('ClusterDns answers NXDOMAIN with the SOA for missing names and NODATA for missing types', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web', { clusterIP: '10.96.0.20' }));
  await h.until([`web.default.svc.${ZONE}`, 'A'], (r) => r.answers!.length > 0);
  const nx = await queryUdp(h.port, [`nope.default.svc.${ZONE}`, 'A']);
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.flags! & AA, AA);
  assert.equal(nx.answers!.length, 0);
  const [soa] = nx.authorities!;
  assert.equal(soa.type, 'SOA');
  assert.equal(soa.name, ZONE);
  assert.deepEqual({ ...(soa as any).data, serial: 0 }, {
    mname: `ns.dns.${ZONE}`,
    rname: `hostmaster.${ZONE}`,
    serial: 0,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: 5,
  });
  const nodata = await queryUdp(h.port, [`web.default.svc.${ZONE}`, 'AAAA']);
  assert.equal(nodata.rcode, 'NOERROR');
  assert.equal(nodata.answers!.length, 0);
  assert.equal(nodata.authorities![0].type, 'SOA');
  // Empty non-terminals and namespaces exist; a namespace that does not is NXDOMAIN.
  assert.equal((await queryUdp(h.port, [`default.svc.${ZONE}`, 'A'])).rcode, 'NOERROR');
  assert.equal((await queryUdp(h.port, [`svc.${ZONE}`, 'A'])).rcode, 'NOERROR');
  assert.equal((await queryUdp(h.port, [`web.nowhere.svc.${ZONE}`, 'A'])).rcode, 'NXDOMAIN');
  // A headless Service without ready endpoints is NXDOMAIN (spec §2.4.1).
  await h.client.create(SERVICES, 'default', service('empty', { clusterIP: 'None' }));
  await h.client.create(ENDPOINT_SLICES, 'default', endpointSlice('empty-x', { service: 'empty', endpoints: [{ ip: '10.244.0.9', ready: false }] }));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await queryUdp(h.port, [`empty.default.svc.${ZONE}`, 'A'])).rcode, 'NXDOMAIN');
  // The apex has the SOA and NS; dns-version is the schema version.
  const apex = await queryUdp(h.port, [ZONE, 'SOA']);
  assert.equal(apex.answers![0].type, 'SOA');
  assert.deepEqual(dataOf(await queryUdp(h.port, [ZONE, 'NS']), 'NS'), [`ns.dns.${ZONE}`]);
  assert.deepEqual(dataOf(await queryUdp(h.port, [`dns-version.${ZONE}`, 'TXT']), 'TXT'), [[Buffer.from('1.1.0')]]);
});

test('ClusterDns follows an endpoint whose IP changes, and forgets a deleted Service', async (t) => {
  const h = await harness(t);
  await statefulSetService(h);
  const name = `web-0.nginx.default.svc.${ZONE}`;
  await h.until([name, 'A'], (r) => dataOf(r)[0] === '10.244.0.10');
  const slice = await h.client.get(ENDPOINT_SLICES, 'default', 'nginx-abcde');
  const moved = structuredClone(slice);
  moved.endpoints[0].addresses = ['10.244.0.77'];
  await h.client.update(ENDPOINT_SLICES, moved);
  await h.until([name, 'A'], (r) => dataOf(r)[0] === '10.244.0.77', { what: 'web-0 at its new IP' });
  const ptr = await queryUdp(h.port, ['77.0.244.10.in-addr.arpa', 'PTR']);
  assert.deepEqual(dataOf(ptr, 'PTR'), [name]);
  await h.client.delete(SERVICES, 'default', 'nginx');
  await h.until([name, 'A'], (r) => r.rcode === 'NXDOMAIN', { what: 'web-0 gone with its Service' });
});

test('ClusterDns answers several queries on one TCP connection, and truncates a UDP answer over 512 bytes', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web', { clusterIP: '10.96.0.20' }));
  await h.client.create(SERVICES, 'default', service('many', { clusterIP: 'None' }));
  const endpoints = Array.from({ length: 40 }, (_, i) => ({ ip: `10.244.1.${i + 1}` }));
  await h.client.create(ENDPOINT_SLICES, 'default', endpointSlice('many-x', { service: 'many', endpoints }));
  await h.until([`many.default.svc.${ZONE}`, 'A'], (r) => !!(r.flags! & (1 << 9)), { what: 'a truncated UDP answer' });
  const [web, many] = await queryTcp(h.port, [
    [`web.default.svc.${ZONE}`, 'A'],
    [`many.default.svc.${ZONE}`, 'A'],
  ]);
  assert.deepEqual(dataOf(web), ['10.96.0.20']);
  assert.equal(many.answers!.length, 40);
  assert.equal(many.flags! & (1 << 9), 0);
  const edns = await queryUdp(h.port, [`many.default.svc.${ZONE}`, 'A'], { edns: 4096 });
  assert.equal(edns.answers!.length, 40);
  assert.equal(edns.additionals!.find((a) => a.type === 'OPT')?.type, 'OPT');
});

test('ClusterDns answers pod records and reverse lookups of cluster IPs', async (t) => {
  const h = await harness(t);
  await h.client.create(SERVICES, 'default', service('web', { clusterIP: '10.96.0.20' }));
  await h.until([`web.default.svc.${ZONE}`, 'A'], (r) => r.answers!.length > 0);
  assert.deepEqual(dataOf(await queryUdp(h.port, [`10-244-0-5.default.pod.${ZONE}`, 'A'])), ['10.244.0.5']);
  assert.equal((await queryUdp(h.port, [`10-244-0-5.nowhere.pod.${ZONE}`, 'A'])).rcode, 'NXDOMAIN');
  assert.equal((await queryUdp(h.port, [`not-an-ip.default.pod.${ZONE}`, 'A'])).rcode, 'NXDOMAIN');
  assert.deepEqual(dataOf(await queryUdp(h.port, ['20.0.96.10.in-addr.arpa', 'PTR']), 'PTR'), [`web.default.svc.${ZONE}`]);
});

test('ClusterDns follows web-0 through the EndpointSlice controller when the pod is recreated with a new IP', async (t) => {
  const h = await harness(t, { endpointSliceController: true });
  await h.client.create(SERVICES, 'default', service('nginx', { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, targetPort: 'web' }] }));
  const pod = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'nginx' } },
    spec: { hostname: name, subdomain: 'nginx', nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'web', containerPort: 80 }] }] },
  });
  await runPod(h.client, pod('web-0'), { ip: '10.244.0.10', ready: true });
  await runPod(h.client, pod('web-1'), { ip: '10.244.0.11', ready: false });
  const name = `web-0.nginx.default.svc.${ZONE}`;
  await h.until([name, 'A'], (r) => dataOf(r)[0] === '10.244.0.10', { what: 'web-0 through the controller' });
  assert.equal((await queryUdp(h.port, [`web-1.nginx.default.svc.${ZONE}`, 'A'])).rcode, 'NXDOMAIN', 'web-1 is not ready');
  const srv = await queryUdp(h.port, [`_web._tcp.nginx.default.svc.${ZONE}`, 'SRV']);
  assert.deepEqual(dataOf(srv, 'SRV'), [{ priority: 0, weight: 100, port: 80, target: name }]);
  await h.client.delete(PODS, 'default', 'web-0', { gracePeriodSeconds: 0 });
  await h.until([name, 'A'], (r) => r.rcode === 'NXDOMAIN', { what: 'web-0 gone with its pod' });
  await runPod(h.client, pod('web-0'), { ip: '10.244.0.42', ready: true });
  await h.until([name, 'A'], (r) => dataOf(r)[0] === '10.244.0.42', { what: 'web-0 at its new IP' });
});

const dig = spawnSync('dig', ['-v'], { encoding: 'utf8' });
const noDig = dig.error ? 'dig is not installed (Debian package dnsutils)' : undefined;

test('dig @127.0.0.1 resolves web-0.nginx.default.svc.cluster.local', { skip: noDig }, async (t) => {
  const h = await harness(t);
  await statefulSetService(h);
  await h.until([`web-0.nginx.default.svc.${ZONE}`, 'A'], (r) => r.answers!.length > 0);
  // Asynchronous spawn: the server answering dig runs on this event loop.
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn('dig', ['@127.0.0.1', '-p', String(h.port), `web-0.nginx.default.svc.${ZONE}`, '+short', '+tries=1', '+time=2']);
    let s = '';
    p.stdout.on('data', (d) => (s += d));
    p.on('error', reject);
    p.on('close', () => resolve(s));
  });
  assert.equal(out.trim(), '10.244.0.10');
});
