import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isApiError } from '../../api/errors.js';
import type { ApiError } from '../../api/errors.js';
import { schemaNode } from '../../api/schema/schemas.js';
import { decodeObject } from '../decode.js';
import { decodeProtobufObject, isProtobufContentType, PROTOBUF_MEDIA_TYPE } from './decode-protobuf.js';
import { bool, bytes, bytesMap, envelope, fields, int, intOrString, msg, packed, quantityMap, str, strMap, time } from './test-encoder.js';

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (isApiError(e)) return e;
    throw e;
  }
  assert.fail('expected an ApiError');
}

/** ObjectMeta as gogo writes it for a new object: every non-pointer field, zero or not. */
function objectMeta(field: number, m: { name?: string; namespace?: string; labels?: Record<string, string> }): Buffer {
  return msg(
    field,
    str(1, m.name ?? ''),
    str(2, ''),
    str(3, m.namespace ?? ''),
    str(4, ''),
    str(5, ''),
    str(6, ''),
    int(7, 0),
    time(8),
    strMap(11, m.labels ?? {}),
  );
}

const CORE = { apiVersion: 'v1' };

function decode(schemaName: string, kind: string, apiVersion: string, raw: Buffer): Record<string, unknown> {
  return decodeProtobufObject(envelope({ apiVersion, kind }, raw), { kind, apiVersion, schemaName });
}

test('isProtobufContentType() matches the media type, ignoring case and parameters', () => {
  assert.equal(isProtobufContentType(PROTOBUF_MEDIA_TYPE), true);
  assert.equal(isProtobufContentType('Application/Vnd.Kubernetes.Protobuf; charset=utf-8'), true);
  assert.equal(isProtobufContentType('application/json'), false);
});

test('decodeProtobufObject() decodes a ConfigMap, dropping zero scalars but keeping map values and pointer zeros', () => {
  const raw = fields(
    objectMeta(1, { name: 'c1', namespace: 'default', labels: { app: 'x', empty: '' } }),
    strMap(2, { a: 'b', e: '' }),
    bytesMap(3, { bin: Uint8Array.from([0, 1, 2]) }),
    bool(4, false),
  );
  assert.deepEqual(decode('io.k8s.api.core.v1.ConfigMap', 'ConfigMap', 'v1', raw), {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: { name: 'c1', namespace: 'default', labels: { app: 'x', empty: '' } },
    data: { a: 'b', e: '' },
    binaryData: { bin: 'AAEC' },
    immutable: false,
  });
});

test('decodeProtobufObject() turns Secret bytes into base64', () => {
  const raw = fields(objectMeta(1, { name: 's1' }), bytesMap(2, { p: 'q', none: '' }), str(3, 'Opaque'));
  assert.deepEqual(decode('io.k8s.api.core.v1.Secret', 'Secret', 'v1', raw), {
    ...{ kind: 'Secret', ...CORE },
    metadata: { name: 's1' },
    data: { p: 'cQ==', none: '' },
    type: 'Opaque',
  });
});

test('decodeProtobufObject() decodes a Deployment with a container as kubectl create sends it', () => {
  const container = msg(
    2,
    str(1, 'nginx'),
    str(2, 'nginx'),
    msg(6, str(1, ''), int(2, 0), int(3, 80), str(4, 'TCP'), str(5, '')),
    msg(8),
    str(13, ''),
    str(14, ''),
    bool(16, false),
    bool(17, false),
    bool(18, false),
    str(20, ''),
  );
  const podSpec = msg(2, container, str(3, ''), int(4, 0), str(6, ''), str(8, ''), bool(11, false), msg(14), str(19, ''));
  const spec = msg(
    2,
    int(1, 0),
    msg(2, strMap(1, { app: 'd1' })),
    msg(3, objectMeta(1, { labels: { app: 'd1' } }), podSpec),
    msg(4, str(1, '')),
    int(5, 0),
    bool(7, false),
  );
  const status = msg(3, int(1, 0), int(2, 0), int(3, 0), int(4, 0), int(5, 0), int(7, 0));
  const obj = decode('io.k8s.api.apps.v1.Deployment', 'Deployment', 'apps/v1', fields(objectMeta(1, { name: 'd1', namespace: 'default' }), spec, status));
  assert.deepEqual(obj, {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: 'd1', namespace: 'default' },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'd1' } },
      template: {
        metadata: { labels: { app: 'd1' } },
        spec: {
          containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {} }],
          terminationGracePeriodSeconds: 0,
          securityContext: {},
        },
      },
      strategy: {},
    },
    status: {},
  });
});

test('decodeProtobufObject() decodes Service ports with int and string targetPorts', () => {
  const port = (name: string, p: number, target: number | string) => msg(1, str(1, name), str(2, 'TCP'), int(3, p), intOrString(4, target), int(5, 0));
  const spec = msg(
    2,
    port('http', 80, 8080),
    port('web', 81, 'web'),
    strMap(2, { app: 'svc1' }),
    str(3, ''),
    str(4, 'ClusterIP'),
    str(7, ''),
    int(12, 0),
    bool(13, false),
    msg(14, msg(1, int(1, 10800))),
  );
  const obj = decode('io.k8s.api.core.v1.Service', 'Service', 'v1', fields(objectMeta(1, { name: 'svc1' }), spec, msg(3, msg(1))));
  assert.deepEqual(obj.spec, {
    ports: [
      { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
      { name: 'web', protocol: 'TCP', port: 81, targetPort: 'web' },
    ],
    selector: { app: 'svc1' },
    type: 'ClusterIP',
    sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
  });
  assert.deepEqual(obj.status, { loadBalancer: {} });
});

test('decodeProtobufObject() decodes a RoleBinding, keeping required fields and dropping empty optional ones', () => {
  const subject = (kind: string, apiGroup: string, name: string, ns: string) => msg(2, str(1, kind), str(2, apiGroup), str(3, name), str(4, ns));
  const raw = fields(
    objectMeta(1, { name: 'rb1' }),
    subject('User', 'rbac.authorization.k8s.io', 'alice', ''),
    subject('ServiceAccount', '', 'sa', 'default'),
    msg(3, str(1, 'rbac.authorization.k8s.io'), str(2, 'Role'), str(3, 'r1')),
  );
  const obj = decode('io.k8s.api.rbac.v1.RoleBinding', 'RoleBinding', 'rbac.authorization.k8s.io/v1', raw);
  assert.deepEqual(obj.subjects, [
    { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
    { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
  ]);
  assert.deepEqual(obj.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' });
});

test('decodeProtobufObject() inlines VolumeSource, ProbeHandler and LocalObjectReference, and keeps emptyDir: {}', () => {
  const container = msg(
    2,
    str(1, 'a'),
    str(2, 'busybox'),
    msg(7, str(1, 'X'), str(2, ''), msg(3, msg(4, msg(1, str(1, 's')), str(2, 'k')))),
    msg(8, quantityMap(1, { cpu: '500m' })),
    msg(11, msg(1, msg(2, str(1, '/'), intOrString(2, 8080), str(3, ''), str(4, 'HTTP'))), int(2, 0), int(4, 5)),
    msg(15, bool(2, false), int(4, 0)),
  );
  const spec = msg(
    2,
    msg(1, str(1, 'cache'), msg(2, msg(2, str(1, '')))),
    msg(1, str(1, 'cfg'), msg(2, msg(19, msg(1, str(1, 'c1')), int(3, 420)))),
    container,
    msg(14, packed(4, [1, 2]), int(4, 3), int(5, 2000)),
  );
  const obj = decode('io.k8s.api.core.v1.Pod', 'Pod', 'v1', fields(objectMeta(1, { name: 'p' }), spec));
  assert.deepEqual(obj.spec, {
    volumes: [
      { name: 'cache', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c1', defaultMode: 420 } },
    ],
    containers: [
      {
        name: 'a',
        image: 'busybox',
        env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
        resources: { limits: { cpu: '500m' } },
        readinessProbe: { httpGet: { path: '/', port: 8080, scheme: 'HTTP' }, periodSeconds: 5 },
        securityContext: { privileged: false, runAsUser: 0 },
      },
    ],
    securityContext: { supplementalGroups: [1, 2, 3], fsGroup: 2000 },
  });
});

test('decodeProtobufObject() writes Time as RFC 3339 seconds and MicroTime with microseconds', () => {
  const seconds = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;
  const meta = msg(1, str(1, 'l'), time(8, seconds, 500_000_000));
  const spec = msg(2, str(1, ''), int(2, 15), time(4, seconds, 123_456_789), int(5, 0));
  const obj = decode('io.k8s.api.coordination.v1.Lease', 'Lease', 'coordination.k8s.io/v1', fields(meta, spec));
  assert.deepEqual(obj.metadata, { name: 'l', creationTimestamp: '2024-01-02T03:04:05Z' });
  assert.deepEqual(obj.spec, { holderIdentity: '', leaseDurationSeconds: 15, renewTime: '2024-01-02T03:04:05.123456Z', leaseTransitions: 0 });
});

test('decodeProtobufObject() parses RawExtension and FieldsV1 as JSON', () => {
  const seconds = Date.UTC(2024, 5, 1) / 1000;
  const managed = msg(17, str(1, 'kubectl'), str(2, 'Update'), str(3, 'apps/v1'), time(4, seconds), str(6, 'FieldsV1'), msg(7, bytes(1, '{"f:data":{}}')), str(8, ''));
  const raw = fields(msg(1, str(1, 'rev'), managed), msg(2, bytes(1, '{"spec":{"x":1}}')), int(3, 2));
  const obj = decode('io.k8s.api.apps.v1.ControllerRevision', 'ControllerRevision', 'apps/v1', raw);
  assert.deepEqual(obj.data, { spec: { x: 1 } });
  assert.equal(obj.revision, 2);
  assert.deepEqual((obj.metadata as { managedFields: unknown }).managedFields, [
    { manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2024-06-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } },
  ]);
});

test('decodeProtobufObject() decodes an Eviction with DeleteOptions, keeping a zero grace period', () => {
  const raw = fields(objectMeta(1, { name: 'p' }), msg(2, int(1, 0), msg(2, str(1, 'u1')), str(5, 'All')));
  const obj = decode('io.k8s.api.policy.v1.Eviction', 'Eviction', 'policy/v1', raw);
  assert.deepEqual(obj.deleteOptions, { gracePeriodSeconds: 0, preconditions: { uid: 'u1' }, dryRun: ['All'] });
});

test('decodeProtobufObject() accepts an envelope without typeMeta and rejects a different kind or version', () => {
  const raw = objectMeta(1, { name: 'c' });
  const opts = { kind: 'ConfigMap', apiVersion: 'v1', schemaName: 'io.k8s.api.core.v1.ConfigMap' };
  assert.deepEqual(decodeProtobufObject(envelope({}, raw), opts), { metadata: { name: 'c' } });
  const kind = apiError(() => decodeProtobufObject(envelope({ apiVersion: 'v1', kind: 'Secret' }, raw), opts));
  assert.equal(kind.code, 400);
  assert.equal(kind.message, 'the kind in the data (Secret) does not match the expected kind (ConfigMap)');
  const version = apiError(() => decodeProtobufObject(envelope({ apiVersion: 'v2', kind: 'ConfigMap' }, raw), opts));
  assert.equal(version.message, 'the API version in the data (v2) does not match the expected API version (v1)');
});

test('decodeProtobufObject() answers 415 for a message it has no table for', () => {
  const job = apiError(() => decode('io.k8s.api.batch.v1.Job', 'Job', 'batch/v1', objectMeta(1, { name: 'j' })));
  assert.equal(job.code, 415);
  assert.equal(job.reason, 'UnsupportedMediaType');
});

test('decodeProtobufObject() rejects malformed bodies with 400', () => {
  const opts = { kind: 'ConfigMap', apiVersion: 'v1', schemaName: 'io.k8s.api.core.v1.ConfigMap' };
  const cannot = 'ConfigMap in version "v1" cannot be handled as a ConfigMap: ';
  const cases: [Buffer, string][] = [
    [Buffer.from('{"kind":"ConfigMap"}'), 'the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]'],
    [Buffer.from([0x6b, 0x38, 0x73, 0x00]), 'the object provided is unrecognized (must be of type ConfigMap): empty body'],
    [envelope({ kind: 'ConfigMap' }, objectMeta(1, { name: 'c' })).subarray(0, -3), 'the object provided is unrecognized (must be of type ConfigMap): unexpected EOF'],
    [envelope({}, Buffer.alloc(0), [str(3, 'gzip')]), 'the object provided is unrecognized (must be of type ConfigMap): unsupported content encoding "gzip"'],
    [envelope({}, Buffer.from([0x0a, 0x10, 0x0a, 0x01])), `${cannot}unexpected EOF`],
    [envelope({}, Buffer.from([0x20, 0x80, 0x80])), `${cannot}unexpected EOF`],
    [envelope({}, int(1, 5)), `${cannot}proto: wrong wireType = 0 for field metadata`],
    [envelope({}, msg(1, str(99, 'x'))), `${cannot}proto: unknown field number 99 (wire type 2) in io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta (at metadata)`],
    [envelope({}, msg(2, str(1, 'k'), str(7, 'v'))), `${cannot}proto: unknown field number 7 in a map entry (at data)`],
  ];
  for (const [body, message] of cases) {
    const err = apiError(() => decodeProtobufObject(body, opts));
    assert.equal(err.code, 400, message);
    assert.equal(err.reason, 'BadRequest');
    assert.equal(err.message, message);
  }
});

test('decodeObject() decodes protobuf and applies field validation as for JSON', () => {
  const claim = msg(3, str(1, 'gpu'), str(2, '')); // ResourceClaim.request: a 1.31 field, zero: dropped silently
  const spec = msg(2, msg(2, str(1, 'a'), str(2, 'img'), msg(8, claim)), msg(40, msg(1, quantityMap(1, { cpu: '1' }))));
  const body = envelope({ apiVersion: 'v1', kind: 'Pod' }, fields(objectMeta(1, { name: 'p' }), spec));
  const base = { body, contentType: 'application/vnd.kubernetes.protobuf', kind: 'Pod', apiVersion: 'v1', schema: schemaNode('io.k8s.api.core.v1.Pod') };
  const { obj, warnings } = decodeObject(base);
  assert.deepEqual(warnings, ['unknown field "spec.resources"']);
  assert.deepEqual(obj, { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'img', resources: { claims: [{ name: 'gpu' }] } }] } });
  const strict = apiError(() => decodeObject({ ...base, fieldValidation: 'Strict' }));
  assert.equal(strict.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.resources"');
  const badQuantity = envelope({}, fields(objectMeta(1, { name: 'p' }), msg(2, msg(2, str(1, 'a'), msg(8, quantityMap(1, { cpu: 'lots' }))))));
  const typeErr = apiError(() => decodeObject({ ...base, body: badQuantity }));
  assert.equal(typeErr.code, 400);
  assert.match(typeErr.message, /^Pod in version "v1" cannot be handled as a Pod: quantities must match/);
});

test('decodeObject() answers every corrupted protobuf body with a decoded object or a 4xx Status, never a crash', () => {
  let seed = 20261123;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % n);
  const container = msg(2, str(1, 'nginx'), str(2, 'nginx'), msg(6, str(1, ''), int(2, 0), int(3, 80), str(4, 'TCP')), msg(8), bool(16, false));
  const podTemplate = msg(3, objectMeta(1, { labels: { app: 'd1' } }), msg(2, container, int(4, 30), msg(14)));
  const deployment = envelope({ kind: 'Deployment', apiVersion: 'apps/v1' }, fields(objectMeta(1, { name: 'd1', namespace: 'default' }), msg(2, int(1, 2), msg(2, strMap(1, { app: 'd1' })), podTemplate)));
  const configMap = envelope({ kind: 'ConfigMap', ...CORE }, fields(objectMeta(1, { name: 'c', labels: { a: 'b' } }), strMap(2, { a: 'b' }), bytesMap(3, { b: 'x' })));
  const targets = [
    { body: deployment, kind: 'Deployment', apiVersion: 'apps/v1', schema: schemaNode('io.k8s.api.apps.v1.Deployment') },
    { body: configMap, kind: 'ConfigMap', apiVersion: 'v1', schema: schemaNode('io.k8s.api.core.v1.ConfigMap') },
  ];
  const outcomes = { decoded: 0, refused: 0 };
  for (let i = 0; i < 20_000; i++) {
    const t = targets[i % targets.length]!;
    const b = Buffer.from(t.body);
    const at = 4 + rand(b.length - 4);
    const junk = Buffer.from(Array.from({ length: 1 + rand(6) }, () => rand(256)));
    const body = [
      () => (junk.copy(b, at), b), // overwritten bytes
      () => b.subarray(0, at), // truncated
      () => Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]), // inserted bytes
      () => Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rand(4))]), // removed bytes
    ][i % 4]!();
    try {
      decodeObject({ body, contentType: PROTOBUF_MEDIA_TYPE, kind: t.kind, apiVersion: t.apiVersion, schema: t.schema, fieldValidation: 'Strict' });
      outcomes.decoded++;
    } catch (e) {
      assert.ok(isApiError(e) && e.code >= 400 && e.code < 500, `body ${body.toString('hex')}: ${(e as Error).stack}`);
      outcomes.refused++;
    }
  }
  assert.ok(outcomes.decoded > 100 && outcomes.refused > 100, JSON.stringify(outcomes));
});
