import { test } from 'node:test';
import assert from 'node:assert/strict';
import { strategicMergePatch } from './strategic-merge.js';
import { deploymentSchema, podSchema, revisionSchema, serviceSchema } from './test-schema.js';
import { isApiError } from '../../api/errors.js';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

function pod(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) {
  return deepFreeze({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata }, spec });
}

function rejects(fn: () => unknown, code: number, message: string | RegExp) {
  assert.throws(fn, (err) => {
    assert.ok(isApiError(err), `not an ApiError: ${err}`);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.status.message, message);
    else assert.match(err.status.message ?? '', message);
    return true;
  });
}

test('strategicMergePatch() merges containers by name', () => {
  const live = pod({ containers: [{ name: 'a', image: 'nginx:1', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'busybox' }] });
  const out = strategicMergePatch(
    live,
    { spec: { containers: [{ name: 'a', image: 'nginx:2' }] } },
    podSchema,
  ) as any;
  assert.deepEqual(out.spec.containers, [
    { name: 'a', image: 'nginx:2', ports: [{ containerPort: 80 }] },
    { name: 'b', image: 'busybox' },
  ]);
});

test('strategicMergePatch() adds and removes env by name', () => {
  const live = pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }] });
  const patch = {
    spec: {
      containers: [
        {
          name: 'a',
          '$setElementOrder/env': [{ name: 'X' }, { name: 'Z' }],
          env: [{ $patch: 'delete', name: 'Y' }, { name: 'Z', value: '3' }],
        },
      ],
    },
  };
  const out = strategicMergePatch(live, JSON.parse(JSON.stringify(patch)), podSchema) as any;
  assert.deepEqual(out.spec.containers[0].env, [
    { name: 'X', value: '1' },
    { name: 'Z', value: '3' },
  ]);
});

test('strategicMergePatch() applies the patch kubectl apply sends', () => {
  const live = deepFreeze({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', finalizers: ['example.com/a', 'example.com/b'], annotations: { keep: 'me' } },
    spec: {
      containers: [
        { name: 'a', image: 'busybox:1', env: [{ name: 'X', value: 'x' }, { name: 'Y', value: 'y' }], ports: [{ containerPort: 80 }, { containerPort: 81 }] },
        { name: 'b', image: 'busybox:1' },
      ],
      volumes: [{ name: 'v', emptyDir: {} }],
    },
  });
  const patch = {
    metadata: {
      '$deleteFromPrimitiveList/finalizers': ['example.com/b'],
      '$setElementOrder/finalizers': ['example.com/a'],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' },
    },
    spec: {
      '$setElementOrder/containers': [{ name: 'a' }],
      '$setElementOrder/volumes': [{ name: 'v' }],
      containers: [
        {
          '$setElementOrder/env': [{ name: 'X' }],
          '$setElementOrder/ports': [{ containerPort: 80 }],
          env: [{ $patch: 'delete', name: 'Y' }],
          image: 'busybox:2',
          name: 'a',
          ports: [{ $patch: 'delete', containerPort: 81 }],
        },
        { $patch: 'delete', name: 'b' },
      ],
      volumes: [{ $retainKeys: ['hostPath', 'name'], emptyDir: null, hostPath: { path: '/tmp' }, name: 'v' }],
    },
  };
  const out = strategicMergePatch(live, deepFreeze(patch), podSchema);
  assert.deepEqual(out, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      finalizers: ['example.com/a'],
      annotations: { keep: 'me', 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' },
    },
    spec: {
      containers: [{ name: 'a', image: 'busybox:2', env: [{ name: 'X', value: 'x' }], ports: [{ containerPort: 80 }] }],
      volumes: [{ name: 'v', hostPath: { path: '/tmp' } }],
    },
  });
});

test('strategicMergePatch() deletes a list item with $patch: delete', () => {
  const live = pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  const out = strategicMergePatch(live, { spec: { containers: [{ name: 'b', $patch: 'delete' }] } }, podSchema) as any;
  assert.deepEqual(out.spec.containers, [{ name: 'a' }, { name: 'c' }]);
});

test('strategicMergePatch() replaces a merge list with a $patch: replace element', () => {
  const live = pod({ containers: [{ name: 'a', image: 'x' }, { name: 'b' }] });
  const out = strategicMergePatch(live, { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'y' }] } }, podSchema) as any;
  assert.deepEqual(out.spec.containers, [{ name: 'c', image: 'y' }]);
});

test('strategicMergePatch() clears keys missing from $retainKeys', () => {
  const live = deepFreeze({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
  });
  const out = strategicMergePatch(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, deploymentSchema) as any;
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  rejects(
    () => strategicMergePatch(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', other: 1 } } }, deploymentSchema),
    400,
    'invalid patch format of retainKeys',
  );
});

test('strategicMergePatch() orders a list by $setElementOrder', () => {
  const live = pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  const out = strategicMergePatch(live, { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } }, podSchema) as any;
  assert.deepEqual(out.spec.containers, [{ name: 'c' }, { name: 'a' }, { name: 'b' }]);

  const added = strategicMergePatch(
    live,
    { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'd' }, { name: 'b' }, { name: 'c' }], containers: [{ name: 'd' }] } },
    podSchema,
  ) as any;
  assert.deepEqual(added.spec.containers.map((c: any) => c.name), ['a', 'd', 'b', 'c']);
});

test('strategicMergePatch() rejects a patch list out of $setElementOrder order', () => {
  const live = pod({ containers: [{ name: 'a' }, { name: 'b' }] });
  rejects(
    () =>
      strategicMergePatch(live, { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] } }, podSchema),
    400,
    /^The order in patch list:\n\[map\[name:b\] map\[name:a\]\]\n doesn't match \$setElementOrder list:/,
  );
});

test('strategicMergePatch() puts new merge-list items where kube-apiserver puts them', () => {
  const live = pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] });
  const first = strategicMergePatch(live, { spec: { containers: [{ name: 'new' }] } }, podSchema) as any;
  assert.deepEqual(first.spec.containers.map((c: any) => c.name), ['new', 'a', 'b', 'c']);
  const after = strategicMergePatch(live, { spec: { containers: [{ name: 'b', image: 'x' }, { name: 'new' }] } }, podSchema) as any;
  assert.deepEqual(after.spec.containers.map((c: any) => c.name), ['a', 'b', 'new', 'c']);
});

test('strategicMergePatch() deletes from a primitive list with $deleteFromPrimitiveList/finalizers', () => {
  const live = pod({}, { finalizers: ['a', 'b', 'c'] });
  const out = strategicMergePatch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zzz'] } }, podSchema) as any;
  assert.deepEqual(out.metadata.finalizers, ['a', 'c']);
  const none = strategicMergePatch(pod({}), { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } }, podSchema) as any;
  assert.equal('finalizers' in none.metadata, false);
});

test('strategicMergePatch() merges primitive merge lists as sets', () => {
  const live = pod({}, { finalizers: ['a', 'b'] });
  const out = strategicMergePatch(live, { metadata: { finalizers: ['b', 'c'] } }, podSchema) as any;
  assert.deepEqual(out.metadata.finalizers, ['a', 'b', 'c']);
});

test('strategicMergePatch() deletes fields set to null', () => {
  const live = deepFreeze({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { minReadySeconds: 5, replicas: 1 } });
  const out = strategicMergePatch(live, { spec: { minReadySeconds: null, replicas: 3 } }, deploymentSchema) as any;
  assert.deepEqual(out.spec, { replicas: 3 });
});

test('strategicMergePatch() merges service ports by port', () => {
  const live = deepFreeze({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }] },
  });
  const out = strategicMergePatch(live, { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 8443, name: 'alt' }] } }, serviceSchema) as any;
  assert.deepEqual(out.spec.ports, [
    { name: 'http', port: 80, targetPort: 9090, protocol: 'TCP' },
    { port: 8443, name: 'alt' },
    { name: 'https', port: 443, protocol: 'TCP' },
  ]);
});

test('strategicMergePatch() merges labels and deletes a label set to null', () => {
  const live = pod({}, { labels: { app: 'web', tier: 'front' } });
  const out = strategicMergePatch(live, { metadata: { labels: { tier: null, env: 'prod' } } }, podSchema) as any;
  assert.deepEqual(out.metadata.labels, { app: 'web', env: 'prod' });
});

test('strategicMergePatch() replaces lists without a merge strategy', () => {
  const live = pod({
    containers: [{ name: 'a', command: ['sh', '-c', 'x'] }],
    tolerations: [{ key: 'k1', operator: 'Exists' }],
  });
  const out = strategicMergePatch(
    live,
    { spec: { tolerations: [{ key: 'k2', operator: 'Exists' }], containers: [{ name: 'a', command: ['true'] }] } },
    podSchema,
  ) as any;
  assert.deepEqual(out.spec.tolerations, [{ key: 'k2', operator: 'Exists' }]);
  assert.deepEqual(out.spec.containers[0].command, ['true']);
});

test('strategicMergePatch() handles $patch on maps', () => {
  const live = pod({ nodeSelector: { a: '1' } }, { labels: { app: 'web', tier: 'front' } });
  const replaced = strategicMergePatch(live, { metadata: { labels: { $patch: 'replace', only: 'me' } } }, podSchema) as any;
  assert.deepEqual(replaced.metadata.labels, { only: 'me' });
  const deleted = strategicMergePatch(live, { spec: { nodeSelector: { $patch: 'delete' } } }, podSchema) as any;
  assert.deepEqual(deleted.spec.nodeSelector, {});
  const merged = strategicMergePatch(live, { metadata: { labels: { $patch: 'merge', env: 'x' } } }, podSchema) as any;
  assert.deepEqual(merged.metadata.labels, { app: 'web', tier: 'front', env: 'x' });
  const absent = strategicMergePatch(live, { spec: { restartPolicy: 'Never', securityContext: { $patch: 'delete' } } }, podSchema) as any;
  assert.equal('securityContext' in absent.spec, false);
});

test('strategicMergePatch() rejects an unknown $patch value and unknown directives', () => {
  const live = pod({ containers: [{ name: 'a' }] });
  rejects(() => strategicMergePatch(live, { metadata: { $patch: 'foo' } }, podSchema), 400, 'unknown patch type: foo in map: map[$patch:foo]');
  rejects(
    () => strategicMergePatch(live, { spec: { containers: [{ name: 'a', $patch: 'foo' }] } }, podSchema),
    400,
    'unknown patch type: foo in map: map[$patch:foo name:a]',
  );
  rejects(() => strategicMergePatch(live, { spec: { $foo: 1 } }, podSchema), 400, 'unknown patch directive "$foo" in spec');
  rejects(() => strategicMergePatch(live, { spec: { $setElementOrderX: [] } }, podSchema), 400, 'invalid patch format of setElementOrder list');
  rejects(
    () => strategicMergePatch(live, { spec: { containers: [{ name: 'a', $patch: 'merge' }] } }, podSchema),
    400,
    'merging lists cannot yet be specified in the patch',
  );
});

test('strategicMergePatch() rejects merge-list items without their merge key', () => {
  const live = pod({ containers: [{ name: 'a' }] });
  rejects(
    () => strategicMergePatch(live, { spec: { containers: [{ image: 'x' }] } }, podSchema),
    400,
    'map: map[image:x] does not contain declared merge key: name',
  );
});

test('strategicMergePatch() merges free-form values as JSON merge patch', () => {
  const live = deepFreeze({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { spec: { a: 1, b: [1, 2] } }, revision: 1 });
  const out = strategicMergePatch(live, { data: { spec: { a: null, b: [3], $patch: 'kept' } } }, revisionSchema) as any;
  assert.deepEqual(out.data, { spec: { b: [3], $patch: 'kept' } });
  const unknown = strategicMergePatch(live, { extra: { x: null, y: 1 } }, revisionSchema) as any;
  assert.deepEqual(unknown.extra, { y: 1 });
});

test('strategicMergePatch() never mutates its inputs and shares nothing with them', () => {
  const live = pod({ containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] }, { labels: { a: '1' } });
  const patch = deepFreeze({ metadata: { labels: { b: '2' } }, spec: { containers: [{ name: 'b', env: [{ name: 'Y', value: '2' }] }] } });
  const out = strategicMergePatch(live, patch, podSchema) as any;
  out.spec.containers[0].env[0].value = 'changed';
  out.spec.containers[1].env[0].value = 'changed';
  out.metadata.labels.a = 'changed';
  assert.equal((live.spec.containers as any)[0].env[0].value, '1');
  assert.equal(patch.spec.containers[0].env[0].value, '2');
});
