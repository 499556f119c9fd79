import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339Nano } from './cri-log.js';
import { formatResolvConf, parseResolvConf, podHostsFile, podResolvConf } from './pod-files.js';

const host = parseResolvConf('# comment\nnameserver 10.255.255.53\nsearch corp.example\noptions edns0\n');

test('resolv.conf per dnsPolicy, with dnsConfig merged', () => {
  const pod = (spec: any) => ({ metadata: { namespace: 'shop' }, spec });
  const o = { nameserver: '10.244.1.1', clusterDomain: 'cluster.local', host };
  assert.equal(
    formatResolvConf(podResolvConf(pod({}), o)),
    'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.244.1.1\noptions ndots:5\n',
  );
  assert.equal(formatResolvConf(podResolvConf(pod({ dnsPolicy: 'Default' }), o)), 'search corp.example\nnameserver 10.255.255.53\noptions edns0\n');
  assert.equal(formatResolvConf(podResolvConf(pod({ hostNetwork: true }), o)), 'search corp.example\nnameserver 10.255.255.53\noptions edns0\n');
  const none = pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } });
  assert.equal(formatResolvConf(podResolvConf(none, o)), 'search a.b\nnameserver 1.1.1.1\noptions ndots:2 rotate\n');
  const merged = pod({ dnsConfig: { options: [{ name: 'ndots', value: '1' }] } });
  assert.deepEqual(podResolvConf(merged, o).options, ['ndots:1']);
});

test('/etc/hosts as the kubelet writes it', () => {
  const pod = { metadata: { namespace: 'default' }, spec: { subdomain: 'nginx', hostAliases: [{ ip: '1.2.3.4', hostnames: ['a', 'b'] }] } };
  assert.equal(
    podHostsFile(pod, { ip: '10.244.1.5', hostname: 'web-0', clusterDomain: 'cluster.local', hostFile: '' }),
    '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n' +
      '10.244.1.5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n1.2.3.4\ta\tb\n',
  );
  assert.match(podHostsFile({ spec: {} }, { ip: '10.244.1.6', hostname: 'x', clusterDomain: 'cluster.local', hostFile: '' }), /\n10\.244\.1\.6\tx\n$/);
  assert.equal(podHostsFile({ spec: { hostNetwork: true } }, { ip: '', hostname: 'x', clusterDomain: '', hostFile: '127.0.0.1 localhost\n' }), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n');
});

test('CRI log times are RFC 3339 with nanoseconds, trailing zeros trimmed as Go prints them', () => {
  assert.equal(rfc3339Nano(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
  assert.equal(rfc3339Nano(1_700_000_000_120_000_000n), '2023-11-14T22:13:20.12Z');
  assert.equal(rfc3339Nano(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
});
