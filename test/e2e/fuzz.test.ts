// Bounded random-input test: valid objects of every served kind, with fields replaced by values of
// the wrong type or shape, sent as creates, updates and patches. The server must answer every
// request with a 2xx or a 4xx Status, never a 500, and stay healthy; and no field a kind does not
// declare is ever stored, whichever way it was sent.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBerth } from './harness.js';
import type { Berth } from './harness.js';
import { ALL_RESOURCES } from '../../src/api/registry.js';
import { schemaNode } from '../../src/api/schema/schemas.js';
import { checkFields } from '../../src/apiserver/decode-check.js';

let b: Berth;
before(async () => {
  b = await startBerth();
});
after(async () => {
  await b?.stop();
});

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SAMPLES: { path: string; obj: any }[] = [
  { path: '/api/v1/namespaces/default/pods', obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], env: [{ name: 'E', value: 'v' }], resources: { requests: { cpu: '100m' } }, volumeMounts: [{ name: 'v', mountPath: '/v' }] }], volumes: [{ name: 'v', emptyDir: {} }], tolerations: [{ key: 'k', operator: 'Exists' }] } } },
  { path: '/api/v1/namespaces/default/services', obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { a: 'b' }, ports: [{ port: 80, targetPort: 'web', name: 'web' }] } } },
  { path: '/api/v1/persistentvolumes', obj: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' }, claimRef: { name: 'c', namespace: 'default' } } } },
  { path: '/api/v1/namespaces/default/persistentvolumeclaims', obj: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, selector: { matchLabels: { a: 'b' } } } } },
  { path: '/apis/apps/v1/namespaces/default/statefulsets', obj: { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'w' }, spec: { serviceName: 'w', replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } } },
  { path: '/apis/apps/v1/namespaces/default/deployments', obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } } },
  { path: '/apis/storage.k8s.io/v1/storageclasses', obj: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'sc' }, provisioner: 'x/y', parameters: { a: 'b' } } },
  { path: '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }] } },
  { path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', obj: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'es' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] } },
  { path: '/api/v1/namespaces/default/secrets', obj: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { a: 'Yg==' }, stringData: { b: 'c' } } },
];

const WEIRD: unknown[] = [null, 0, -1, 1.5, 2 ** 40, '', 'x', '-1', '1Gi', true, [], [null], ['x'], [{}], {}, { x: 1 }, { name: null }];

/** Every path to a value inside obj (objects and arrays), as key lists. */
function paths(obj: any, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (obj && typeof obj === 'object') {
    for (const k of Object.keys(obj)) {
      const p = [...prefix, Array.isArray(obj) ? Number(k) : k];
      out.push(p);
      paths(obj[k], p, out);
    }
  }
  return out;
}

function setAt(obj: any, path: (string | number)[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    o = o?.[k];
    if (!o || typeof o !== 'object') return; // an earlier mutation replaced a parent
  }
  o[path[path.length - 1]] = value;
}

test('random wrong-typed fields never produce a 500', async () => {
  const rand = rng(20261122);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const failures: string[] = [];
  let requests = 0;
  for (let round = 0; round < 40; round++) {
    for (const sample of SAMPLES) {
      const obj = structuredClone(sample.obj);
      const name = `fz-${round}`;
      obj.metadata.name = sample.obj.metadata.name + name;
      const itemPath = `${sample.path}/${obj.metadata.name}`;
      const ps = paths(obj).filter((p) => !(p[0] === 'metadata' && p[1] === 'name'));
      for (let i = 0; i < 1 + Math.floor(rand() * 3); i++) setAt(obj, pick(ps), structuredClone(pick(WEIRD)));
      // A field no kind declares, somewhere (or at the top).
      if (rand() < 0.5) setAt(obj, [...(rand() < 0.3 ? [] : pick(ps).slice(0, -1)), 'zzUnknown'], pick(['x', 1, { y: 2 }]));
      const attempts: [string, string, unknown, Record<string, string>?][] = [
        ['POST', `${sample.path}?fieldValidation=${pick(['Strict', 'Warn', 'Ignore'])}`, obj],
        ['POST', sample.path, sample.obj],
        ['PUT', itemPath, obj],
        ['PATCH', itemPath, { spec: pick(WEIRD), metadata: { labels: pick(WEIRD) } }, { 'content-type': 'application/merge-patch+json' }],
        ['PATCH', itemPath, obj, { 'content-type': 'application/strategic-merge-patch+json' }],
        ['PATCH', `${itemPath}/status`, { metadata: { labels: { s: 'x' }, zzUnknown: 1 }, status: pick(WEIRD) }, { 'content-type': 'application/merge-patch+json' }],
        ['PUT', `${itemPath}/status`, obj],
        ['PATCH', `${itemPath}?fieldManager=fuzz&force=true`, obj, { 'content-type': 'application/apply-patch+yaml' }],
        ['PATCH', itemPath, [{ op: pick(['add', 'replace', 'remove', 'move']), path: `/${pick(ps).join('/')}`, value: pick(WEIRD), from: '/metadata' }], { 'content-type': 'application/json-patch+json' }],
        ['DELETE', sample.path + '/' + sample.obj.metadata.name, pick([undefined, { gracePeriodSeconds: pick(WEIRD) }, { propagationPolicy: pick(WEIRD) }])],
      ];
      for (const [method, path, body, headers] of attempts) {
        const r = await b.http(method, path, body, headers);
        requests++;
        if (r.status >= 500 || r.status === 0) failures.push(`${method} ${path} ${JSON.stringify(body).slice(0, 300)} => ${r.status} ${r.text.slice(0, 300)}`);
        else if (r.status >= 400) assert.equal(r.body?.kind, 'Status', `${method} ${path} => ${r.status} without a Status: ${r.text.slice(0, 200)}`);
      }
    }
  }
  assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${requests} requests failed with 5xx`);
  assert.equal((await b.http('GET', '/readyz')).status, 200);
  // Nothing undeclared was stored.
  let stored = 0;
  for (const sample of SAMPLES) {
    const def = ALL_RESOURCES.find((d) => d.kind === sample.obj.kind)!;
    const list = await b.http('GET', sample.path);
    for (const item of list.body.items) {
      stored++;
      const { unknown } = checkFields({ ...item, apiVersion: sample.obj.apiVersion, kind: sample.obj.kind }, schemaNode(def.schemaName));
      assert.deepEqual(unknown, [], `${sample.obj.kind} ${item.metadata.name} stores fields its kind does not declare`);
    }
  }
  assert.ok(stored > SAMPLES.length, `objects were stored (${stored})`);
});
