import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRevision, equalRevision, newRevision, nextRevision, revisionData, revisionName, sortRevisions } from './revision-history.js';
import { completeRollingUpdate, nextAvailableInMs } from './set-status.js';
import type { SetStatus } from './set-status.js';
import { webSet } from './sts-test-support.js';

test('revisionData() is the template as a replace patch, keys sorted', () => {
  const set = webSet('web');
  const data = revisionData(set) as any;
  assert.equal(data.spec.template.$patch, 'replace');
  assert.deepEqual(Object.keys(data.spec.template), ['$patch', 'metadata', 'spec']);
  assert.equal(JSON.stringify(Object.keys(data.spec)), '["template"]');
  const changed = structuredClone(set);
  changed.spec.template.spec.containers[0].image = 'nginx:9';
  const back = applyRevision(changed, newRevision(set, { revision: 1, collisionCount: 0 }));
  assert.deepEqual(back.spec.template, set.spec.template);
  assert.equal(changed.spec.template.spec.containers[0].image, 'nginx:9', 'input untouched');
});

test('newRevision() names `<set>-<hash>`, labels the hash, copies annotations and the template labels', () => {
  const set = webSet('web');
  set.metadata!.uid = 'u1';
  set.metadata!.annotations = { 'kubernetes.io/change-cause': 'first' };
  const r = newRevision(set, { revision: 4, collisionCount: 0 });
  const hash = r.metadata!.labels!['controller.kubernetes.io/hash'];
  assert.equal(r.metadata!.name, `web-${hash}`);
  assert.equal(r.metadata!.labels!.app, 'web');
  assert.equal(r.metadata!.annotations!['kubernetes.io/change-cause'], 'first');
  assert.equal(r.revision, 4);
  assert.notEqual(newRevision(set, { revision: 4, collisionCount: 1 }).metadata!.name, r.metadata!.name);
  assert.ok(equalRevision(r, newRevision(set, { revision: 9, collisionCount: 3 })));
  assert.equal(revisionName('x'.repeat(300), 'h').length, 225);
});

test('sortRevisions() and nextRevision() order by number, then age, then name', () => {
  const rs = [
    { metadata: { name: 'b', creationTimestamp: '2026-01-01T00:00:01Z' }, revision: 2 },
    { metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:01Z' }, revision: 2 },
    { metadata: { name: 'z', creationTimestamp: '2026-01-01T00:00:00Z' }, revision: 1 },
  ];
  assert.deepEqual(sortRevisions(rs).map((r) => r.metadata?.name), ['z', 'a', 'b']);
  assert.equal(nextRevision(sortRevisions(rs)), 3);
  assert.equal(nextRevision([]), 1);
});

test('completeRollingUpdate() promotes the update revision once every replica is updated and ready', () => {
  const set = webSet('web', { replicas: 2, updateStrategy: { type: 'RollingUpdate' } });
  const status: SetStatus = { observedGeneration: 1, replicas: 2, readyReplicas: 2, currentReplicas: 0, updatedReplicas: 2, availableReplicas: 2, currentRevision: 'a', updateRevision: 'b', collisionCount: 0 };
  completeRollingUpdate(set, status);
  assert.equal(status.currentRevision, 'b');
  assert.equal(status.currentReplicas, 2);
});

test('nextAvailableInMs() is the wait until the next ready pod has been ready for minReadySeconds', () => {
  const ready = (since: string) => ({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] } });
  const now = new Date('2026-01-01T00:00:10Z');
  assert.equal(nextAvailableInMs([ready('2026-01-01T00:00:08Z'), ready('2026-01-01T00:00:09Z')], { minReadySeconds: 5, now }), 3000);
  assert.equal(nextAvailableInMs([ready('2026-01-01T00:00:00Z')], { minReadySeconds: 5, now }), undefined);
  assert.equal(nextAvailableInMs([ready('2026-01-01T00:00:09Z')], { minReadySeconds: 0, now }), undefined);
});
