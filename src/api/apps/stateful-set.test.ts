import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { statefulSetResource as sts, STATEFULSET_SPEC_FORBIDDEN } from './stateful-set.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:05:00Z');

/** The `web` StatefulSet from the Kubernetes StatefulSet tutorial. */
function web(spec: Record<string, unknown> = {}): KObject {
  const o: KObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T12:00:00Z' },
    spec: {
      selector: { matchLabels: { app: 'nginx' } },
      serviceName: 'nginx',
      replicas: 2,
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.24', ports: [{ containerPort: 80, name: 'web' }], volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] },
          ],
        },
      },
      volumeClaimTemplates: [
        { metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'my-storage-class', resources: { requests: { storage: '1Gi' } } } },
      ],
      ...spec,
    },
  };
  sts.defaults!(o);
  sts.prepareForCreate!(o, { now: '' });
  return o;
}

test('statefulSetResource has the discovery facts of a v1.32 server', () => {
  assert.equal(sts.group, 'apps');
  assert.deepEqual(sts.shortNames, ['sts']);
  assert.deepEqual(sts.categories, ['all']);
  assert.equal(sts.hasStatus, true);
  assert.equal(sts.scale?.specReplicasPath, 'spec.replicas');
  assert.equal(sts.scale?.statusReplicasPath, 'status.replicas');
  assert.equal(sts.scale?.selector(web()), 'app=nginx');
});

test('defaults() fills the StatefulSet defaults', () => {
  const o = web({ replicas: undefined });
  assert.equal(o.spec.replicas, 1);
  assert.equal(o.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(o.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(o.spec.revisionHistoryLimit, 10);
  assert.deepEqual(o.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(o.spec.template.spec.restartPolicy, 'Always');
  // Claim templates are stored as written (see defaults() for why).
  const claim = o.spec.volumeClaimTemplates[0];
  assert.equal(claim.spec.volumeMode, undefined);
  assert.equal(claim.status, undefined);
  assert.deepEqual(o.status, { replicas: 0, availableReplicas: 0 });
});

test('defaults() leaves rollingUpdate unset for an explicit RollingUpdate type, as Kubernetes does', () => {
  const o = web({ updateStrategy: { type: 'RollingUpdate' } });
  assert.deepEqual(o.spec.updateStrategy, { type: 'RollingUpdate' });
  const od = web({ updateStrategy: { type: 'OnDelete' } });
  assert.deepEqual(od.spec.updateStrategy, { type: 'OnDelete' });
});

test('validate() accepts the tutorial StatefulSet, claim-template mounts included', () => {
  assert.deepEqual(msgs(sts.validate!(web())), []);
});

test('validate() requires a selector that matches the template labels', () => {
  const o = web({ selector: { matchLabels: { app: 'other' } } });
  assert.deepEqual(msgs(sts.validate!(o)), ['spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`']);
  const none = web({ selector: undefined });
  assert.deepEqual(msgs(sts.validate!(none)), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
  ]);
  const empty = web({ selector: {} });
  assert.deepEqual(msgs(sts.validate!(empty)), ['spec.selector: Invalid value: {}: empty selector is invalid for statefulset']);
});

test('validate() checks replicas, policies, restart policy and claim templates', () => {
  const o = web({ replicas: -1, podManagementPolicy: 'Random', updateStrategy: { type: 'Sometimes' } });
  o.spec.template.spec.restartPolicy = 'Never';
  o.spec.volumeClaimTemplates[0].spec.accessModes = [];
  const m = msgs(sts.validate!(o));
  assert.deepEqual(m, [
    'spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\'',
    'spec.updateStrategy: Invalid value: {"type":"Sometimes"}: must be \'RollingUpdate\' or \'OnDelete\'',
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    'spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required',
  ]);
});

test('validateUpdate() allows replicas, template, updateStrategy and minReadySeconds changes', () => {
  const old = web();
  const next = structuredClone(old);
  next.spec.replicas = 5;
  next.spec.template.spec.containers[0].image = 'registry.k8s.io/nginx-slim:0.26';
  next.spec.updateStrategy = { type: 'OnDelete' };
  next.spec.minReadySeconds = 10;
  next.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' };
  assert.deepEqual(msgs(sts.validateUpdate!(next, old)), []);
});

test('validateUpdate() allows revisionHistoryLimit changes', () => {
  const old = web();
  const next = structuredClone(old);
  next.spec.revisionHistoryLimit = 3;
  assert.deepEqual(msgs(sts.validateUpdate!(next, old)), []);
});

test('validateUpdate() forbids other spec changes with Kubernetes text', () => {
  const old = web();
  for (const mutate of [
    (s: any) => (s.serviceName = 'other'),
    (s: any) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'),
    (s: any) => (s.podManagementPolicy = 'Parallel'),
  ]) {
    const next = structuredClone(old);
    mutate(next.spec);
    assert.deepEqual(msgs(sts.validateUpdate!(next, old)), [`spec: Forbidden: ${STATEFULSET_SPEC_FORBIDDEN}`]);
  }
  assert.equal(
    STATEFULSET_SPEC_FORBIDDEN,
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  );
});

test('validateStatusUpdate() bounds the counters by status.replicas', () => {
  const old = web();
  const next = structuredClone(old);
  next.status = { replicas: 1, readyReplicas: 2, availableReplicas: 1 };
  assert.deepEqual(msgs(sts.validateStatusUpdate!(next, old)), ['status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas']);
});

test('printer row() prints READY as ready/replicas and the wide container cells', () => {
  assert.deepEqual(sts.printer.columns.map((c) => [c.name, c.priority]), [['Name', 0], ['Ready', 0], ['Age', 0], ['Containers', 1], ['Images', 1]]);
  const o = web();
  assert.deepEqual(sts.printer.row(o, { now: NOW }), ['web', '0/2', '5m', 'nginx', 'registry.k8s.io/nginx-slim:0.24']);
  o.status = { replicas: 2, readyReplicas: 1 };
  o.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
  assert.deepEqual(sts.printer.row(o, { now: NOW }).slice(1), ['1/2', '5m', 'nginx,sidecar', 'registry.k8s.io/nginx-slim:0.24,busybox']);
});

test('statefulSetResource keeps and validates rollingUpdate.maxUnavailable', () => {
  const set = (mu: unknown) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: mu } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
    },
  });
  const ok = set(2);
  sts.defaults!(ok);
  assert.deepEqual(sts.validate!(ok), []);
  assert.equal(ok.spec.updateStrategy.rollingUpdate.maxUnavailable, 2);
  for (const [mu, msg] of [
    [0, 'cannot be 0'],
    ['150%', 'must not be greater than 100%'],
  ] as const) {
    const bad = set(mu);
    sts.defaults!(bad);
    const errs = sts.validate!(bad);
    assert.ok(errs.some((e) => e.field === 'spec.updateStrategy.rollingUpdate.maxUnavailable' && e.detail === msg), JSON.stringify(errs));
  }
});
