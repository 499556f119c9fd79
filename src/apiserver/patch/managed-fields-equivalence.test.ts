// The single-walk managed fields (managed-fields.ts, field-walk.ts, field-set.ts) against the reference
// implementation they replaced (managed-fields-reference.ts): on many generated objects of the served
// schemas and chains of updates by several managers, both must give byte-identical managedFields
// (the same entries, the same fieldsV1 JSON in the same key order) and the same comparisons and errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaNode } from '../../api/schema/schemas.js';
import type { SchemaNode } from '../../api/schema/node.js';
import { compareObjects, updateManagedFields } from './managed-fields.js';
import type { UpdateManagedFieldsOptions } from './managed-fields.js';
import * as ref from './managed-fields-reference.js';
import { createdSetStats } from './created-fields.js';

type Json = any;

/** mulberry32: a small seeded generator, so that a failure names the seed that reproduces it. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => next() < p;
  const some = <T>(max: number, f: () => T): T[] => Array.from({ length: int(max + 1) }, f);
  return { int, pick, chance, some };
}
type Rng = ReturnType<typeof rng>;

const KEYS = ['app', 'tier', 'env', 'a.b/c', 'constructor', 'toString', '__proto__', 'x'];
const NAMES = ['web', 'db', 'side', 'init'];

function map(r: Rng, max = 4): Json {
  const m: Json = {};
  for (let i = r.int(max + 1); i > 0; i--) m[r.pick(KEYS)] = r.pick(['1', '2', 'v', '']);
  return m;
}

function container(r: Rng): Json {
  const c: Json = { image: r.pick(['nginx:1', 'nginx:2', 'busybox']) };
  if (!r.chance(0.05)) c.name = r.pick(NAMES); // sometimes no key: FieldPathError
  if (r.chance(0.5)) c.command = r.some(2, () => r.pick(['sh', '-c', 'x']));
  if (r.chance(0.6)) {
    c.ports = r.some(3, () => {
      const p: Json = { containerPort: r.pick([80, 443, 8080]) };
      if (r.chance(0.5)) p.protocol = r.pick(['TCP', 'UDP']);
      if (r.chance(0.3)) p.name = r.pick(['http', 'https']);
      return p;
    });
  }
  if (r.chance(0.6)) {
    c.env = r.some(3, () =>
      r.chance(0.7) ? { name: r.pick(['A', 'B', 'C']), value: r.pick(['1', '2']) } : { name: r.pick(['A', 'D']), valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    );
  }
  if (r.chance(0.5)) c.resources = r.chance(0.2) ? {} : { requests: { cpu: r.pick(['100m', '1']) }, ...(r.chance(0.5) ? { limits: { memory: '1Gi' } } : {}) };
  if (r.chance(0.3)) c.readinessProbe = { httpGet: { path: '/', port: r.pick([80, 'http']) }, periodSeconds: r.pick([5, 10]) };
  if (r.chance(0.3)) c.volumeMounts = r.some(2, () => ({ name: r.pick(['data', 'cfg']), mountPath: r.pick(['/a', '/b']) }));
  return c;
}

function podSpec(r: Rng): Json {
  const s: Json = { containers: r.some(3, () => container(r)) };
  if (r.chance(0.3)) s.initContainers = r.some(1, () => container(r));
  if (r.chance(0.5)) s.volumes = r.some(2, () => ({ name: r.pick(['data', 'cfg']), ...(r.chance(0.5) ? { emptyDir: r.chance(0.5) ? {} : { sizeLimit: '1Gi' } } : { configMap: { name: 'c' } }) }));
  if (r.chance(0.3)) s.tolerations = r.some(2, () => ({ key: r.pick(['k', 'j']), operator: 'Exists' }));
  if (r.chance(0.4)) s.nodeSelector = map(r);
  if (r.chance(0.5)) s.restartPolicy = r.pick(['Always', 'Never']);
  if (r.chance(0.2)) s.securityContext = {};
  return s;
}

function meta(r: Rng): Json {
  const m: Json = { name: r.pick(['a', 'b']), namespace: 'default' };
  if (r.chance(0.7)) m.labels = map(r);
  if (r.chance(0.4)) m.annotations = map(r, 2);
  if (r.chance(0.3)) m.finalizers = r.some(3, () => r.pick(['example.com/a', 'example.com/b', 'kubernetes'])); // duplicates too
  if (r.chance(0.2)) m.ownerReferences = [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: r.pick(['u1', 'u2']) }];
  if (r.chance(0.3)) m.uid = 'u';
  return m;
}

const KINDS: Record<string, { schema: string; apiVersion: string; make: (r: Rng) => Json }> = {
  Pod: {
    schema: 'io.k8s.api.core.v1.Pod',
    apiVersion: 'v1',
    make: (r) => ({ spec: podSpec(r), ...(r.chance(0.4) ? { status: { phase: r.pick(['Pending', 'Running']), ...(r.chance(0.5) ? { conditions: [{ type: 'Ready', status: 'True' }] } : {}) } } : {}) }),
  },
  Service: {
    schema: 'io.k8s.api.core.v1.Service',
    apiVersion: 'v1',
    make: (r) => ({
      spec: {
        ...(r.chance(0.8) ? { selector: map(r) } : {}),
        ports: r.some(3, () => ({ port: r.pick([80, 443]), ...(r.chance(0.5) ? { protocol: r.pick(['TCP', 'UDP']) } : {}), ...(r.chance(0.5) ? { targetPort: r.pick([8080, 'http']) } : {}) })),
        ...(r.chance(0.3) ? { clusterIPs: ['10.0.0.1'], type: 'ClusterIP' } : {}),
      },
    }),
  },
  StatefulSet: {
    schema: 'io.k8s.api.apps.v1.StatefulSet',
    apiVersion: 'apps/v1',
    make: (r) => ({
      spec: {
        replicas: r.pick([1, 3]),
        serviceName: 's',
        selector: { matchLabels: map(r, 2) },
        template: { metadata: { labels: map(r, 2) }, spec: podSpec(r) },
        ...(r.chance(0.7)
          ? { volumeClaimTemplates: r.some(2, () => ({ metadata: { name: r.pick(['data', 'logs']) }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: r.pick(['1Gi', '2Gi']) } } } })) }
          : {}),
      },
    }),
  },
  Deployment: {
    schema: 'io.k8s.api.apps.v1.Deployment',
    apiVersion: 'apps/v1',
    make: (r) => ({
      spec: {
        replicas: r.pick([1, 2]),
        selector: { matchLabels: map(r, 2) },
        template: { metadata: r.chance(0.2) ? {} : { labels: map(r, 2) }, spec: podSpec(r) },
        ...(r.chance(0.4) ? { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: r.pick([1, '25%']) } } } : {}),
      },
    }),
  },
  ConfigMap: {
    schema: 'io.k8s.api.core.v1.ConfigMap',
    apiVersion: 'v1',
    make: (r) => ({ ...(r.chance(0.8) ? { data: map(r) } : {}), ...(r.chance(0.2) ? { binaryData: { b: 'AA==' } } : {}), ...(r.chance(0.2) ? { immutable: r.chance(0.5) } : {}) }),
  },
};

function object(r: Rng, kind: string): Json {
  const k = KINDS[kind]!;
  // Through JSON, so that keys such as __proto__ are own properties as in a decoded body.
  return JSON.parse(JSON.stringify({ apiVersion: k.apiVersion, kind, metadata: meta(r), ...k.make(r) }));
}

/** A random edit somewhere in the object: add, remove, modify, duplicate or empty a value. */
function mutate(r: Rng, obj: Json): void {
  let at: Json = obj;
  for (let depth = 0; depth < 8; depth++) {
    const top = (k: string) => depth === 0 && (k === 'apiVersion' || k === 'kind');
    const keys: Json[] = Array.isArray(at) ? at.map((_: unknown, i: number) => i) : Object.keys(at).filter((k) => k !== 'managedFields' && !top(k));
    if (keys.length === 0) break;
    const k: Json = r.pick(keys);
    const v = at[k];
    if (v !== null && typeof v === 'object' && (r.chance(0.75) || (depth === 0 && k === 'metadata'))) {
      at = v;
      continue;
    }
    const op = r.int(6);
    if (Array.isArray(at)) {
      if (op === 0) at.splice(k, 1);
      else if (op === 1 && at.length < 4) at.push(structuredClone(v));
      else if (op === 2 && v && typeof v === 'object') v[r.pick(['name', 'extra'])] = r.pick(['web', 'db', 'q']);
      else at[k] = r.chance(0.5) && typeof v === 'object' ? {} : r.pick(['web', 1, 'zz']);
    } else if (op === 0) delete at[k];
    else if (op === 1) at[r.pick(KEYS)] = r.pick(['n', 1, true]);
    else if (op === 2) at[k] = Array.isArray(v) ? [] : v && typeof v === 'object' ? {} : r.pick(['m', 2, null]);
    else if (op === 3) at[k] = typeof v === 'number' ? v + 1 : typeof v === 'string' ? `${v}!` : 'was-object';
    else at[r.pick(KEYS)] = depth > 3 ? structuredClone(v) : r.pick(['y', 3]);
    return;
  }
}

function both(o: UpdateManagedFieldsOptions): Json[] {
  const run = (f: (o: UpdateManagedFieldsOptions) => unknown) => {
    try {
      return { out: JSON.stringify(f({ ...o, oldObj: structuredClone(o.oldObj), newObj: structuredClone(o.newObj) })) };
    } catch (err) {
      return { err: `${(err as Error).constructor.name}: ${(err as Error).message}` };
    }
  };
  const got = run(updateManagedFields);
  const want = run(ref.updateManagedFields as (o: UpdateManagedFieldsOptions) => unknown);
  assert.deepEqual(got, want);
  if (got.err !== undefined) stats.errors++;
  return got.out === undefined ? [] : JSON.parse(got.out);
}

const MANAGERS = ['kubectl-create', 'kubectl-edit', 'kubectl-label', 'controller', 'kubelet', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10', 'm11'];
const stats = { runs: 0, entries: 0, empty: 0, errors: 0 };

function chain(seed: number, kind: string): void {
  const r = rng(seed);
  const schema: SchemaNode = schemaNode(KINDS[kind]!.schema);
  let obj = object(r, kind);
  const created = structuredClone(obj);
  if (r.chance(0.1)) created.metadata.managedFields = r.pick([[], [{}], [{ manager: 'm', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } }]]);
  let mf = both({ oldObj: undefined, newObj: created, manager: 'kubectl-create', operation: 'Update', time: '2025-01-01T00:00:00Z', schema, resetFields: r.chance(0.2) ? ['metadata.labels'] : undefined });
  obj.metadata.managedFields = mf;
  for (let step = 1; step <= 14; step++) {
    const next = structuredClone(obj);
    for (let n = 1 + r.int(3); n > 0; n--) mutate(r, next);
    if (r.chance(0.08)) next.metadata.managedFields = r.pick([[], [{}]]);
    else if (r.chance(0.08)) delete next.metadata.managedFields;
    const subresource = r.chance(0.2) ? 'status' : undefined;
    const time = `2025-01-01T00:${String(r.int(60)).padStart(2, '0')}:00Z`;
    mf = both({ oldObj: obj, newObj: next, manager: r.pick(MANAGERS), operation: 'Update', subresource, time, schema });
    stats.runs++;
    stats.entries += mf.length;
    if (mf.length === 0) stats.empty++;
    // compareObjects on its own, errors included.
    const cmp = (f: typeof compareObjects) => {
      try {
        const c = f(obj, next, schema);
        return JSON.stringify([c.added.toFieldsV1(), c.modified.toFieldsV1(), c.removed.toFieldsV1()]);
      } catch (err) {
        return `${(err as Error).constructor.name}: ${(err as Error).message}`;
      }
    };
    assert.equal(cmp(compareObjects), cmp(ref.compareObjects as unknown as typeof compareObjects), `seed ${seed} step ${step}`);
    obj = next;
    obj.metadata.managedFields = mf;
  }
}

for (const kind of Object.keys(KINDS)) {
  test(`updateManagedFields() matches the reference implementation on generated ${kind}s`, () => {
    for (let seed = 1; seed <= 150; seed++) {
      try {
        chain(seed * 7919 + kind.length, kind);
      } catch (err) {
        throw new Error(`${kind} seed ${seed * 7919 + kind.length}: ${(err as Error).message}`, { cause: err });
      }
    }
  });
}

/** obj with every scalar outside lists replaced by another of its kind: the same shape (created-fields.ts). */
function otherScalars(r: Rng, v: Json, inList = false): Json {
  if (Array.isArray(v)) return v.map((x) => otherScalars(r, x, true));
  if (v !== null && typeof v === 'object') {
    const out: Json = JSON.parse('{}');
    for (const k of Object.keys(v)) Object.defineProperty(out, k, { value: otherScalars(r, v[k], inList), enumerable: true, writable: true, configurable: true });
    return out;
  }
  if (inList || v === null) return v;
  if (typeof v === 'string') return r.pick(['', 'other', v + 'x']);
  if (typeof v === 'number') return r.pick([0, 7, -1.5]);
  return !v;
}

for (const kind of Object.keys(KINDS)) {
  test(`creates of one shape share the remembered field set, and it matches the reference on generated ${kind}s`, () => {
    const hits = createdSetStats.hits;
    for (let seed = 1; seed <= 150; seed++) {
      const r = rng(seed * 104729 + kind.length);
      const schema: SchemaNode = schemaNode(KINDS[kind]!.schema);
      const first = object(r, kind);
      const resetFields = r.chance(0.2) ? ['metadata.labels'] : undefined;
      const create = (newObj: Json, manager: string) => both({ oldObj: undefined, newObj, manager, operation: 'Update', time: '2025-01-01T00:00:00Z', schema, resetFields });
      create(first, 'a');
      for (let n = 0; n < 3; n++) create(otherScalars(r, first), 'b');
      // A different shape right after: not taken for the first one's.
      const next = otherScalars(r, first);
      mutate(r, next);
      create(next, 'c');
    }
    assert.ok(createdSetStats.hits - hits >= 150, `remembered sets were used (${createdSetStats.hits - hits} times)`);
  });
}

test('the generated updates exercise kept, cleared and capped managedFields', () => {
  assert.ok(stats.runs > 0, JSON.stringify(stats));
  assert.ok(stats.empty > 0, JSON.stringify(stats) + ' some writes clear managedFields (FieldPathError or an empty request list)');
  assert.equal(stats.errors, 0, 'updateManagedFields() never throws on these');
  assert.ok(stats.entries / stats.runs > 2, JSON.stringify(stats) + ' several managers per object');
});

test('updateManagedFields() matches the reference on edge cases', () => {
  const pod = schemaNode('io.k8s.api.core.v1.Pod');
  const base = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
  const cases: Json[] = [
    { ...base, spec: { containers: [{ name: 'a' }, { name: 'a', image: 'x' }] } }, // duplicate keys
    { ...base, spec: { containers: [{ image: 'x' }] } }, // no key: FieldPathError
    { ...base, spec: { containers: [] }, metadata: { name: 'p', labels: {}, finalizers: ['a', 'a'] } },
    { ...base, metadata: { managedFields: [] } },
    { ...base, metadata: { name: 'p', labels: { constructor: 'x', toString: 'y' } } },
    JSON.parse('{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"__proto__":"x"}},"spec":{"__proto__":{"a":1}}}'),
    { ...base, spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }] }] } },
    { ...base, spec: null },
    { ...base, spec: {} },
  ];
  for (const c of cases) {
    const time = '2025-01-01T00:00:00Z';
    const mf = both({ oldObj: undefined, newObj: c, manager: 'm', operation: 'Update', time, schema: pod });
    const baseMf = both({ oldObj: undefined, newObj: base, manager: 'b', operation: 'Update', time, schema: pod });
    const tracked = (o: Json, m: Json[]) => ({ ...o, metadata: { ...(o.metadata ?? {}), managedFields: m } });
    both({ oldObj: tracked(base, baseMf), newObj: c, manager: 'm', operation: 'Update', time, schema: pod });
    both({ oldObj: tracked(c, mf), newObj: base, manager: 'n', operation: 'Update', time, schema: pod });
  }
});
