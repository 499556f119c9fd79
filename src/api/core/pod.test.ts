import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { podGracePeriod, podResource } from './pod.js';
import { POD_UPDATE_FORBIDDEN } from './pod-update-validation.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const CTX = { now: '2024-05-01T12:00:00Z' };

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A pod as the registry would hold it after create. */
function created(spec: any = {}): KObject {
  const pod: KObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', uid: 'u1', creationTimestamp: CTX.now, generation: 1 },
    spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], ...spec },
  };
  podResource.defaults!(pod);
  podResource.prepareForCreate!(pod, CTX);
  return pod;
}

test('podResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual(
    [podResource.plural, podResource.singular, podResource.namespaced, podResource.shortNames, podResource.categories, podResource.hasStatus],
    ['pods', 'pod', true, ['po'], ['all'], true],
  );
  assert.deepEqual(podResource.extraSubresources!.map((s) => s.name).sort(), ['binding', 'eviction', 'exec', 'log']);
});

test('podResource.defaults() applies the Pod-only defaults', () => {
  const pod = created({ containers: [{ name: 'a', image: 'x:1', resources: { limits: { cpu: '1' } } }] });
  assert.equal(pod.spec.enableServiceLinks, true);
  assert.deepEqual(pod.spec.containers[0].resources.requests, { cpu: '1' });
});

test('podResource.prepareForCreate() resets status to Pending with the QoS class', () => {
  const pod: KObject = { metadata: { name: 'p', namespace: 'default', generation: 1 }, spec: { containers: [{ name: 'a', image: 'x' }] }, status: { phase: 'Running', podIP: '1.2.3.4' } };
  podResource.defaults!(pod);
  podResource.prepareForCreate!(pod, CTX);
  assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  assert.equal(pod.metadata!.generation, undefined);
  const guaranteed = created({ containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] });
  assert.equal(guaranteed.status.qosClass, 'Guaranteed');
});

test('podResource.prepareForCreate() adds the SchedulingGated condition for gated pods', () => {
  const pod = created({ schedulingGates: [{ name: 'example.com/wait' }] });
  assert.equal(pod.status.conditions[0].reason, 'SchedulingGated');
  assert.equal(pod.status.conditions[0].message, 'Scheduling is blocked due to non-empty scheduling gates');
});

test('podResource.prepareForUpdate() keeps the stored status', () => {
  const old = deepFreeze(created());
  const next = structuredClone(old);
  next.status = { phase: 'Failed' };
  podResource.prepareForUpdate!(next, old, CTX);
  assert.deepEqual(next.status, old.status);
});

test('podResource.validate() accepts a valid pod', () => {
  assert.deepEqual(texts(podResource.validate!(deepFreeze(created()))), []);
});

test('podResource.validate() includes metadata validation', () => {
  const pod = created();
  pod.metadata!.name = 'Web_0';
  const errs = texts(podResource.validate!(deepFreeze(pod)));
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^metadata\.name: Invalid value: "Web_0": a lowercase RFC 1123 subdomain/);
});

test('podResource.validate() reports a missing image as Kubernetes does', () => {
  const pod = created({ containers: [{ name: 'app' }] });
  assert.deepEqual(texts(podResource.validate!(deepFreeze(pod))), ['spec.containers[0].image: Required value']);
});

test('podResource.validate() forbids ephemeral containers and gated pods with a node', () => {
  const pod = created({ ephemeralContainers: [{ name: 'dbg', image: 'busybox' }], nodeName: 'n1', schedulingGates: [{ name: 'g' }] });
  assert.deepEqual(texts(podResource.validate!(deepFreeze(pod))), [
    'spec.ephemeralContainers: Forbidden: cannot be set on create',
    'spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared',
  ]);
});

test('podResource.validate() forbids projected service account tokens without a service account', () => {
  const pod = created({ volumes: [{ name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] });
  assert.deepEqual(texts(podResource.validate!(deepFreeze(pod))), [
    'spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set',
  ]);
});

test('podResource.validateUpdate() allows image, activeDeadlineSeconds and added tolerations', () => {
  const old = deepFreeze(created({ activeDeadlineSeconds: 100, tolerations: [{ key: 'a', operator: 'Exists' }] }));
  const next = structuredClone(old);
  next.spec.containers[0].image = 'nginx:1.26';
  next.spec.activeDeadlineSeconds = 50;
  next.spec.tolerations.push({ key: 'b', operator: 'Exists' });
  assert.deepEqual(texts(podResource.validateUpdate!(deepFreeze(next), old)), []);
});

test('podResource.validateUpdate() forbids other spec changes with Kubernetes\' message', () => {
  const old = deepFreeze(created());
  const next = structuredClone(old);
  next.spec.containers[0].ports = [{ containerPort: 80, protocol: 'TCP' }];
  const errs = podResource.validateUpdate!(deepFreeze(next), old);
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'spec');
  assert.equal(errs[0].type, 'FieldValueForbidden');
  assert.ok(errs[0].detail!.startsWith(`${POD_UPDATE_FORBIDDEN}\n`));
  assert.equal(
    POD_UPDATE_FORBIDDEN,
    'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
  );
  assert.match(errs[0].detail!, /spec\.containers\[0\]\.ports/);
});

test('podResource.validateUpdate() checks container count, deadlines and tolerations', () => {
  const old = deepFreeze(created({ activeDeadlineSeconds: 10, tolerations: [{ key: 'a', operator: 'Exists' }] }));
  const more = structuredClone(old);
  more.spec.containers.push({ name: 'b', image: 'x:1', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' });
  assert.deepEqual(texts(podResource.validateUpdate!(more, old)), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
  const later = structuredClone(old);
  later.spec.activeDeadlineSeconds = 20;
  assert.deepEqual(texts(podResource.validateUpdate!(later, old)), ['spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value']);
  const changed = structuredClone(old);
  changed.spec.tolerations = [{ key: 'z', operator: 'Exists' }];
  assert.deepEqual(texts(podResource.validateUpdate!(changed, old)), ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
});

test('podResource.validateStatusUpdate() refuses a different QoS class', () => {
  const old = deepFreeze(created());
  const next = structuredClone(old);
  next.status = { phase: 'Running', qosClass: 'Guaranteed', podIPs: [{ ip: 'nope' }] };
  assert.deepEqual(texts(podResource.validateStatusUpdate!(next, old)), [
    'status.qosClass: Invalid value: "Guaranteed": field is immutable',
    'status.podIPs[0]: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  const ok = structuredClone(old);
  ok.status = { phase: 'Running', podIPs: [{ ip: '10.0.0.1' }] };
  assert.deepEqual(texts(podResource.validateStatusUpdate!(ok, old)), []);
});

test('podResource.fieldSelectors map the fields kube selects pods by', () => {
  const pod = created({ nodeName: 'n1', serviceAccountName: 'default' });
  pod.status = { phase: 'Running', podIPs: [{ ip: '10.0.0.9' }], nominatedNodeName: 'n2' };
  const f = podResource.fieldSelectors!;
  assert.deepEqual(
    Object.fromEntries(Object.entries(f).map(([k, fn]) => [k, fn(pod)])),
    {
      'spec.nodeName': 'n1',
      'spec.restartPolicy': 'Always',
      'spec.schedulerName': 'default-scheduler',
      'spec.serviceAccountName': 'default',
      'spec.hostNetwork': 'false',
      'status.phase': 'Running',
      'status.podIP': '10.0.0.9',
      'status.nominatedNodeName': 'n2',
    },
  );
});

test('podGracePeriod() waits for scheduled, running pods only', () => {
  const running = { spec: { nodeName: 'n1', terminationGracePeriodSeconds: 10 }, status: { phase: 'Running' } };
  assert.equal(podGracePeriod(running, undefined), 10);
  assert.equal(podGracePeriod(running, 0), 0);
  assert.equal(podGracePeriod(running, -5), 1);
  assert.equal(podGracePeriod({ spec: { nodeName: 'n1' } }, undefined), 30);
  assert.equal(podGracePeriod({ spec: {} }, 20), 0, 'unscheduled');
  assert.equal(podGracePeriod({ spec: { nodeName: 'n1' }, status: { phase: 'Succeeded' } }, 20), 0, 'finished');
});
