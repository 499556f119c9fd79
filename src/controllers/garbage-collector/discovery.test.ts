import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testCluster } from '../test-cluster.js';
import { discoverResources } from './discovery.js';

test('discoverResources() lists what the collector watches and maps owner kinds to resources', async (t) => {
  const c = await testCluster();
  t.after(() => c.close());
  const map = await discoverResources(c.client);
  const watched = new Map(map.watchable().map((r) => [`${r.ref.group}/${r.ref.plural}`, r]));
  assert.equal(watched.get('/pods')?.ref.namespaced, true);
  assert.equal(watched.get('apps/statefulsets')?.kind, 'StatefulSet');
  assert.equal(watched.get('storage.k8s.io/storageclasses')?.ref.namespaced, false);
  assert.ok(watched.has('/namespaces'));
  // Events are ignored as in Kubernetes; a create-only review cannot be watched or deleted.
  assert.ok(!watched.has('/events'));
  assert.ok(!watched.has('events.k8s.io/events'));
  assert.ok(!watched.has('authorization.k8s.io/selfsubjectaccessreviews'));
  assert.equal(map.forReference('apps/v1', 'StatefulSet')?.ref.plural, 'statefulsets');
  // A reference written with a version no longer served still finds its owner.
  assert.equal(map.forReference('apps/v1beta2', 'ReplicaSet')?.ref.version, 'v1');
  assert.equal(map.forReference('v1', 'Pod')?.ref.plural, 'pods');
  assert.equal(map.forReference('example.com/v1', 'Widget'), undefined);
});
