import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { serviceResource } from './service.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const CTX = { now: '2024-05-01T12:00:00Z' };

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A service after defaults and prepareForCreate, with a cluster IP as the apiserver would allocate. */
function created(spec: any, allocate = '10.96.0.10'): KObject {
  const svc: KObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', generation: 1 }, spec };
  serviceResource.defaults!(svc);
  serviceResource.prepareForCreate!(svc, CTX);
  if (allocate && svc.spec.type !== 'ExternalName' && !svc.spec.clusterIP) {
    svc.spec.clusterIP = allocate;
    svc.spec.clusterIPs = [allocate];
  }
  return svc;
}

test('serviceResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual(
    [serviceResource.shortNames, serviceResource.categories, serviceResource.singular, serviceResource.hasStatus],
    [['svc'], ['all'], 'service', true],
  );
});

test('serviceResource.defaults() fills the Service defaults', () => {
  const svc = created({ selector: { app: 'web' }, ports: [{ port: 80 }, { name: 'named', port: 81, targetPort: 'http' }] });
  assert.deepEqual(svc.spec, {
    selector: { app: 'web' },
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { name: 'named', port: 81, targetPort: 'http', protocol: 'TCP' },
    ],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
  });
  assert.deepEqual(svc.status, { loadBalancer: {} });
  assert.equal(svc.metadata!.generation, undefined);
});

test('serviceResource.defaults() fills type-specific defaults', () => {
  const lb = created({ type: 'LoadBalancer', ports: [{ port: 80 }] });
  assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  const affinity = created({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
  assert.deepEqual(affinity.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const headless = created({ clusterIP: 'None', ports: [{ port: 80 }] });
  assert.deepEqual([headless.spec.clusterIPs, headless.spec.ipFamilyPolicy, headless.spec.ipFamilies], [['None'], 'RequireDualStack', ['IPv4']]);
  const ext = created({ type: 'ExternalName', externalName: 'example.com' });
  assert.deepEqual([ext.spec.ipFamilies, ext.spec.ipFamilyPolicy, ext.spec.internalTrafficPolicy], [undefined, undefined, undefined]);
});

test('serviceResource.validate() accepts defaulted services', () => {
  for (const spec of [
    { selector: { app: 'web' }, ports: [{ port: 80 }] },
    { clusterIP: 'None', selector: { app: 'web' } },
    { type: 'ExternalName', externalName: 'db.example.com.' },
    { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
  ]) {
    assert.deepEqual(texts(serviceResource.validate!(deepFreeze(created(spec)))), [], JSON.stringify(spec));
  }
});

test('serviceResource.validate() requires ports except for headless and ExternalName services', () => {
  assert.deepEqual(texts(serviceResource.validate!(created({ selector: { app: 'web' } }))), ['spec.ports: Required value']);
});

test('serviceResource.validate() uses DNS-1035 names', () => {
  const svc = created({ ports: [{ port: 80 }] });
  svc.metadata!.name = '1web';
  const errs = texts(serviceResource.validate!(svc));
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^metadata\.name: Invalid value: "1web": a DNS-1035 label must consist of/);
});

test('serviceResource.validate() checks type and ports', () => {
  const svc = created({ ports: [{ port: 80 }, { name: 'b', port: 70000, protocol: 'ICMP' }, { name: 'b', port: 81, targetPort: 'Bad_Port' }] });
  svc.spec.type = 'Magic';
  assert.deepEqual(texts(serviceResource.validate!(svc)), [
    'spec.ports[0].name: Required value',
    'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
    'spec.ports[1].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    'spec.ports[2].name: Duplicate value: "b"',
    'spec.ports[2].targetPort: Invalid value: "Bad_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  ]);
});

test('serviceResource.validate() checks cluster IPs, node ports and duplicates', () => {
  const svc = created({ ports: [{ port: 80, nodePort: 30001 }, { name: 'x', port: 80 }] }, '');
  svc.spec.ports[0].name = 'a';
  svc.spec.clusterIP = '10.0.0.999';
  svc.spec.clusterIPs = ['10.0.0.1'];
  assert.deepEqual(texts(serviceResource.validate!(svc)), [
    'spec.clusterIPs: Invalid value: ["10.0.0.1"]: first value must match `clusterIP`',
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
    'spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}',
  ]);
});

test('serviceResource.validate() checks ExternalName services', () => {
  const svc = created({ type: 'ExternalName', externalName: 'bad_name' });
  svc.spec.clusterIPs = ['10.0.0.1'];
  const errs = texts(serviceResource.validate!(svc));
  assert.equal(errs[0], 'spec.clusterIPs: Forbidden: may not be set for ExternalName services');
  assert.match(errs[1], /^spec\.externalName: Invalid value: "bad_name": a lowercase RFC 1123 subdomain/);
  assert.deepEqual(texts(serviceResource.validate!(created({ type: 'ExternalName' }))), ['spec.externalName: Required value']);
});

test('serviceResource.validate() checks session affinity and traffic policy', () => {
  const svc = created({ ports: [{ port: 80 }], externalTrafficPolicy: 'Local', sessionAffinity: 'Sticky' });
  assert.deepEqual(texts(serviceResource.validate!(svc)), [
    'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
  ]);
});

test('serviceResource.validateUpdate() keeps the cluster IP once set', () => {
  const old = deepFreeze(created({ ports: [{ port: 80 }] }));
  const next = structuredClone(old);
  next.spec.clusterIP = '10.96.0.99';
  serviceResource.prepareForUpdate!(next, old, CTX);
  assert.deepEqual(next.spec.clusterIPs, ['10.96.0.99']);
  assert.deepEqual(texts(serviceResource.validateUpdate!(next, old)), ['spec.clusterIPs[0]: Invalid value: ["10.96.0.99"]: may not change once set']);
});

test('serviceResource.prepareForUpdate() carries the allocated cluster IP and node ports over a PUT without them', () => {
  const old = deepFreeze(created({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }));
  const next: KObject = { metadata: { ...old.metadata }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } };
  serviceResource.defaults!(next);
  serviceResource.prepareForUpdate!(next, old, CTX);
  assert.equal(next.spec.clusterIP, '10.96.0.10');
  assert.deepEqual(next.spec.clusterIPs, ['10.96.0.10']);
  assert.equal(next.spec.ports[0].nodePort, 30080);
  assert.deepEqual(texts(serviceResource.validateUpdate!(next, old)), []);
});

test('serviceResource.prepareForUpdate() drops cluster IPs when switching to ExternalName', () => {
  const old = deepFreeze(created({ ports: [{ port: 80 }] }));
  const next = structuredClone(old);
  next.spec.type = 'ExternalName';
  next.spec.externalName = 'example.com';
  serviceResource.defaults!(next);
  serviceResource.prepareForUpdate!(next, old, CTX);
  assert.deepEqual([next.spec.clusterIP, next.spec.clusterIPs, next.spec.ipFamilies, next.spec.ipFamilyPolicy], [undefined, undefined, undefined, undefined]);
  assert.deepEqual(texts(serviceResource.validateUpdate!(next, old)), []);
});

test('serviceResource.printer prints ports, cluster IP and external IPs', () => {
  const now = Date.parse(CTX.now);
  const base = { creationTimestamp: CTX.now };
  const row = (spec: any, status: any = {}) => serviceResource.printer.row({ metadata: { name: 'web', ...base }, spec, status }, { now });
  assert.deepEqual(row({ type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web', tier: 'fe' } }), [
    'web',
    'ClusterIP',
    '10.96.0.10',
    '<none>',
    '80/TCP',
    '0s',
    'app=web,tier=fe',
  ]);
  assert.deepEqual(row({ type: 'NodePort', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }).slice(2, 5), [
    '10.96.0.11',
    '<none>',
    '80:30080/TCP,53/UDP',
  ]);
  assert.equal(row({ type: 'LoadBalancer', ports: [] })[3], '<pending>');
  assert.equal(row({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } })[3], '203.0.113.9,lb.example.com');
  assert.equal(row({ type: 'ClusterIP', externalIPs: ['1.2.3.4', '5.6.7.8'] })[3], '1.2.3.4,5.6.7.8');
  assert.deepEqual(row({ type: 'ExternalName', externalName: 'db.example.com' }).slice(1, 5), ['ExternalName', '<none>', 'db.example.com', '<none>']);
  assert.equal(row({ type: 'ClusterIP' })[6], '<none>');
});

test('serviceResource.fieldSelectors select by spec.clusterIP and spec.type', () => {
  const svc = created({ ports: [{ port: 80 }] });
  assert.equal(serviceResource.fieldSelectors!['spec.clusterIP'](svc), '10.96.0.10');
  assert.equal(serviceResource.fieldSelectors!['spec.type'](svc), 'ClusterIP');
});
