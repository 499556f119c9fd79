import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import type { KObject } from '../resource.js';
import { deploymentResource as deploy } from './deployment.js';

const msgs = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:05:00Z');

function nginx(spec: Record<string, unknown> = {}): KObject {
  const o: KObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx-deployment', namespace: 'default', creationTimestamp: '2024-05-01T12:00:00Z', generation: 1 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] } },
      ...spec,
    },
  };
  deploy.defaults!(o);
  deploy.prepareForCreate!(o, { now: '' });
  return o;
}

test('deploymentResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual(deploy.shortNames, ['deploy']);
  assert.deepEqual(deploy.categories, ['all']);
  assert.equal(deploy.hasStatus, true);
  assert.equal(deploy.scale?.selector(nginx()), 'app=nginx');
});

test('defaults() fills replicas, strategy 25%/25%, history limit and progress deadline', () => {
  const o = nginx({ replicas: undefined });
  assert.equal(o.spec.replicas, 1);
  assert.deepEqual(o.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(o.spec.revisionHistoryLimit, 10);
  assert.equal(o.spec.progressDeadlineSeconds, 600);
  assert.equal(o.spec.template.spec.dnsPolicy, 'ClusterFirst');
  assert.deepEqual(nginx({ strategy: { type: 'Recreate' } }).spec.strategy, { type: 'Recreate' });
});

test('validate() accepts the documentation Deployment', () => {
  assert.deepEqual(msgs(deploy.validate!(nginx())), []);
});

test('validate() checks selector, strategy and progress deadline', () => {
  const o = nginx({ selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } }, minReadySeconds: 700 });
  assert.deepEqual(msgs(deploy.validate!(o)), [
    'spec.template.metadata.labels: Invalid value: {"app":"nginx"}: `selector` does not match template `labels`',
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    'spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds',
  ]);
  const pct = nginx({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%', maxSurge: 'x' } } });
  assert.deepEqual(msgs(deploy.validate!(pct)), [
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: \"x\": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
  ]);
  const recreate = nginx({ strategy: { type: 'Recreate', rollingUpdate: {} } });
  assert.deepEqual(msgs(deploy.validate!(recreate)), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]);
});

test('validate() runs pod template validation', () => {
  const o = nginx();
  o.spec.template.spec.containers[0].image = '';
  o.spec.template.spec.activeDeadlineSeconds = 10;
  const m = msgs(deploy.validate!(o));
  assert.ok(m.includes('spec.template.spec.containers[0].image: Required value'), m.join('\n'));
  assert.ok(m.includes('spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported'));
});

test('validateUpdate() makes the selector immutable in apps/v1', () => {
  const old = nginx();
  const next = structuredClone(old);
  next.spec.selector = { matchLabels: { app: 'nginx', tier: 'web' } };
  next.spec.template.metadata.labels.tier = 'web';
  assert.deepEqual(msgs(deploy.validateUpdate!(next, old)), ['spec.selector: Invalid value: {"matchLabels":{"app":"nginx","tier":"web"}}: field is immutable']);
  const scaled = structuredClone(old);
  scaled.spec.replicas = 10;
  assert.deepEqual(msgs(deploy.validateUpdate!(scaled, old)), []);
});

test('prepareForUpdate() bumps the generation when annotations change', () => {
  const old = nginx();
  const next = structuredClone(old);
  next.metadata!.annotations = { 'deployment.kubernetes.io/revision': '2' };
  deploy.prepareForUpdate!(next, old, { now: '' });
  assert.equal(next.metadata?.generation, 2);
  const same = structuredClone(old);
  deploy.prepareForUpdate!(same, old, { now: '' });
  assert.equal(same.metadata?.generation, 1);
});

test('printer row() prints READY, UP-TO-DATE, AVAILABLE and the wide cells', () => {
  assert.deepEqual(
    deploy.printer.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Ready', 0], ['Up-to-date', 0], ['Available', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1]],
  );
  const o = nginx();
  o.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
  assert.deepEqual(deploy.printer.row(o, { now: NOW }), ['nginx-deployment', '2/3', 3, 2, '5m', 'nginx', 'nginx:1.14.2', 'app=nginx']);
});
