import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimsForPod, identityMatches, maxUnavailableOf, newStatefulSetPod, newVersionedStatefulSetPod, parentAndOrdinal, storageMatches, updateStorage } from './pod-identity.js';
import { webSet } from './sts-test-support.js';

const withUid = (s: any) => ((s.metadata.uid = 'u1'), s);

test('parentAndOrdinal() reads `<set>-<ordinal>` and refuses non-canonical ordinals', () => {
  assert.deepEqual(parentAndOrdinal('web-12'), { parent: 'web', ordinal: 12 });
  assert.deepEqual(parentAndOrdinal('my-web-0'), { parent: 'my-web', ordinal: 0 });
  assert.equal(parentAndOrdinal('web-00').ordinal, -1);
  assert.equal(parentAndOrdinal('web').ordinal, -1);
  assert.equal(parentAndOrdinal('web-99999999999').ordinal, -1);
});

test('newStatefulSetPod() stamps identity, storage and the controller reference onto the template', () => {
  const set = withUid(webSet('web', { claims: ['www'] }));
  set.spec.template.spec.volumes = [{ name: 'www', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }];
  const pod = newStatefulSetPod(set, 2);
  assert.equal(pod.metadata!.name, 'web-2');
  assert.equal(pod.spec.hostname, 'web-2');
  assert.equal(pod.spec.subdomain, 'nginx');
  assert.deepEqual(pod.spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }, { name: 'cfg', configMap: { name: 'c' } }]);
  assert.ok(identityMatches(set, pod));
  assert.ok(storageMatches(set, pod));
  assert.equal(set.spec.template.metadata.labels['statefulset.kubernetes.io/pod-name'], undefined, 'the set is not modified');
  pod.spec.volumes = [];
  assert.equal(storageMatches(set, pod), false);
  updateStorage(set, pod);
  assert.ok(storageMatches(set, pod));
});

test('claimsForPod() merges the selector labels over the template labels', () => {
  const set = withUid(webSet('web', { claims: ['www'] }));
  set.spec.volumeClaimTemplates[0].metadata.labels = { app: 'other', tier: 'db' };
  const claim = claimsForPod(set, { metadata: { name: 'web-1' } }).get('www')!;
  assert.equal(claim.metadata!.name, 'www-web-1');
  assert.deepEqual(claim.metadata!.labels, { app: 'web', tier: 'db' });
});

test('newVersionedStatefulSetPod() puts ordinals below the partition at the current revision', () => {
  const current = withUid(webSet('web', { replicas: 3, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }));
  const update = structuredClone(current);
  update.spec.template.spec.containers[0].image = 'nginx:2';
  const at = (ordinal: number) => newVersionedStatefulSetPod({ current, update }, { current: 'web-a', update: 'web-b', ordinal });
  assert.equal(at(1).metadata!.labels!['controller-revision-hash'], 'web-a');
  assert.equal(at(1).spec.containers[0].image, 'nginx:1.25');
  assert.equal(at(2).metadata!.labels!['controller-revision-hash'], 'web-b');
  assert.equal(at(2).spec.containers[0].image, 'nginx:2');
  // RollingUpdate without a rollingUpdate block: below start + status.currentReplicas.
  delete current.spec.updateStrategy.rollingUpdate;
  current.status = { currentReplicas: 1 };
  assert.equal(at(0).metadata!.labels!['controller-revision-hash'], 'web-a');
  assert.equal(at(1).metadata!.labels!['controller-revision-hash'], 'web-b');
});

test('maxUnavailableOf() scales percentages down, at least 1', () => {
  const set = webSet('web', { replicas: 10 });
  assert.equal(maxUnavailableOf(set), undefined);
  set.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } };
  assert.equal(maxUnavailableOf(set), 2);
  set.spec.updateStrategy.rollingUpdate.maxUnavailable = '1%';
  assert.equal(maxUnavailableOf(set), 1);
  set.spec.updateStrategy.rollingUpdate.maxUnavailable = 3;
  assert.equal(maxUnavailableOf(set), 3);
});
