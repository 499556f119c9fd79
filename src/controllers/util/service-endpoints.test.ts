import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/resource.js';
import { ServiceMembership, TriggerTimeTracker, findPort, formatTriggerTime, serviceSelector, shouldPodBeInEndpoints, shouldSetHostname } from './service-endpoints.js';

const pod = (labels: Record<string, string>, extra: Record<string, any> = {}): KObject => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u', labels },
  spec: {
    containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] }],
    initContainers: [{ name: 'side', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] }],
    ...extra.spec,
  },
  status: { phase: 'Running', podIP: '10.0.0.1', ...extra.status },
  ...(extra.metadata ? { metadata: { name: 'p', namespace: 'ns', uid: 'u', labels, ...extra.metadata } } : {}),
});

test('findPort() resolves names by protocol, sidecar ports included, and takes numbers as they are', () => {
  const p = pod({});
  assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'TCP' }), 8080);
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined);
  assert.equal(findPort(p, { port: 1, targetPort: 'proxy' }), 15001);
  assert.equal(findPort(p, { port: 80, targetPort: 9376 }), 9376);
  assert.equal(findPort(p, { port: 80 }), 80);
});

test('shouldPodBeInEndpoints() and shouldSetHostname() follow the endpoint rules', () => {
  assert.equal(shouldPodBeInEndpoints(pod({}), { includeTerminating: false }), true);
  assert.equal(shouldPodBeInEndpoints(pod({}, { status: { phase: 'Failed' } }), { includeTerminating: true }), false);
  assert.equal(shouldPodBeInEndpoints(pod({}, { status: { podIP: undefined } }), { includeTerminating: true }), false);
  const terminating = pod({}, { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' } });
  assert.equal(shouldPodBeInEndpoints(terminating, { includeTerminating: false }), false);
  assert.equal(shouldPodBeInEndpoints(terminating, { includeTerminating: true }), true);
  const svc = { metadata: { name: 'nginx', namespace: 'ns' } };
  assert.equal(shouldSetHostname(pod({}, { spec: { hostname: 'web-0', subdomain: 'nginx' } }), svc), true);
  assert.equal(shouldSetHostname(pod({}, { spec: { hostname: 'web-0', subdomain: 'other' } }), svc), false);
  assert.equal(shouldSetHostname(pod({}, { spec: { subdomain: 'nginx' } }), svc), false);
});

test('serviceSelector() ignores ExternalName Services and empty selectors', () => {
  assert.deepEqual(serviceSelector({ spec: { selector: { a: 'b' } } }), { a: 'b' });
  assert.equal(serviceSelector({ spec: { selector: {} } }), undefined);
  assert.equal(serviceSelector({ spec: { type: 'ExternalName', selector: { a: 'b' } } }), undefined);
});

test('ServiceMembership names the Services a pod enters or leaves, and only when its endpoint changes', () => {
  const m = new ServiceMembership();
  m.serviceChanged('ns/web', { spec: { selector: { app: 'web' } } });
  m.serviceChanged('ns/all', { spec: { selector: { tier: 'x' } } });
  const p = pod({ app: 'web', tier: 'x' });
  assert.deepEqual(m.podChanged('ns/p', p).sort(), ['ns/all', 'ns/web']);
  assert.deepEqual(m.podChanged('ns/p', { ...p, metadata: { ...p.metadata, annotations: { a: 'b' } } }), [], 'an annotation does not matter');
  assert.deepEqual(m.podChanged('ns/p', { ...p, metadata: { ...p.metadata, labels: { app: 'web' } } }).sort(), ['ns/all', 'ns/web'], 'left one');
  assert.deepEqual(m.podChanged('ns/p', undefined), ['ns/web']);
  assert.deepEqual([...m.podKeys('ns')], []);
});

test('TriggerTimeTracker reports the Service creation first, then the earliest new Ready transition', () => {
  const t = new TriggerTimeTracker();
  const svc = { metadata: { name: 's', creationTimestamp: '2024-01-01T00:00:00Z' } };
  const ready = (name: string, at: string) => ({ metadata: { name }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at }] } });
  assert.equal(t.compute('ns/s', svc, [ready('a', '2024-01-01T00:01:00Z')])?.toISOString(), '2024-01-01T00:00:00.000Z');
  assert.equal(t.compute('ns/s', svc, [ready('a', '2024-01-01T00:01:00Z')]), undefined);
  const at = t.compute('ns/s', svc, [ready('a', '2024-01-01T00:03:00Z'), ready('b', '2024-01-01T00:02:00Z')]);
  assert.equal(formatTriggerTime(at!), '2024-01-01T00:02:00Z');
});
