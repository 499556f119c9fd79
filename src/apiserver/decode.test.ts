import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { isApiError } from '../api/errors.js';
import type { ApiError } from '../api/errors.js';
import { schemaNode } from '../api/schema/schemas.js';
import { checkFields, decodeObject, enforceFieldValidation, parseFieldValidation, parseJsonStrict, parseYaml, readBody } from './decode.js';

const pod = () => schemaNode('io.k8s.api.core.v1.Pod');

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (isApiError(e)) return e;
    throw e;
  }
  assert.fail('expected an ApiError');
}

async function apiErrorAsync(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (isApiError(e)) return e;
    throw e;
  }
  assert.fail('expected an ApiError');
}

test('readBody() returns the whole body', async () => {
  const body = await readBody(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]));
  assert.equal(body.toString(), '{"a":1}');
});

test('readBody() rejects a body over the limit with 413', async () => {
  const err = await apiErrorAsync(readBody(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000));
  assert.equal(err.code, 413);
  assert.equal(err.reason, 'RequestEntityTooLarge');
  assert.equal(err.message, 'Request entity too large: limit is 1000');
});

test('readBody() rejects a declared content-length over the limit before reading', async () => {
  const src = Object.assign(Readable.from([Buffer.alloc(10)]), { headers: { 'content-length': String(4 * 1024 * 1024) } });
  const err = await apiErrorAsync(readBody(src));
  assert.equal(err.message, 'Request entity too large: limit is 3145728');
});

test('parseJsonStrict() reports duplicate keys as field paths', () => {
  const text = '{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x"},{"name":"y","image":"i","name":"z"}]}}';
  const { value, duplicates } = parseJsonStrict(text);
  assert.deepEqual(duplicates, ['metadata.name', 'spec.containers[1].name']);
  assert.equal((value as { metadata: { name: string } }).metadata.name, 'b');
});

test('parseJsonStrict() reads escaped keys and strings containing structure characters', () => {
  const { duplicates } = parseJsonStrict('{"a\\"b":"{[,:]}","a\\u0022b":1,"c":["]",{"d":1,"d":2}]}');
  assert.deepEqual(duplicates, ['a"b', 'c[1].d']);
});

test('parseJsonStrict() rejects invalid JSON with 400', () => {
  const err = apiError(() => parseJsonStrict('{"a":}'));
  assert.equal(err.code, 400);
  assert.match(err.message, /^json parse error: /);
  assert.equal(apiError(() => parseJsonStrict('')).message, 'json parse error: unexpected end of JSON input');
});

test('parseJsonStrict() rejects nesting deeper than 10000 without exhausting the stack', () => {
  const deep = '['.repeat(3 * 1024 * 1024 - 10);
  const err = apiError(() => parseJsonStrict(deep));
  assert.equal(err.code, 400);
  assert.match(err.message, /exceeded max depth/);
  const ok = '['.repeat(10000) + ']'.repeat(10000);
  assert.equal(parseJsonStrict(ok).duplicates.length, 0);
});

test('parseYaml() reads a document and reports duplicate keys', () => {
  const { value, duplicates } = parseYaml('metadata:\n  name: a\n  name: b\nspec:\n  containers:\n  - name: x\n    name: y\n');
  assert.deepEqual(duplicates, ['metadata.name', 'spec.containers[0].name']);
  assert.deepEqual(value, { metadata: { name: 'b' }, spec: { containers: [{ name: 'y' }] } });
});

test('parseYaml() bounds alias expansion (billion laughs)', () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const err = apiError(() => parseYaml(lines.join('\n')));
  assert.equal(err.code, 400);
});

test('parseYaml() rejects deep nesting before parsing, and syntax errors, with 400', () => {
  const tooDeep = /^error converting YAML to JSON: yaml: exceeded max depth of 500$/;
  assert.match(apiError(() => parseYaml('['.repeat(3 * 1024 * 1024))).message, tooDeep);
  assert.match(apiError(() => parseYaml(`x: it's\ny: ${'['.repeat(600)}${']'.repeat(600)}`)).message, tooDeep);
  const block = Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
  assert.match(apiError(() => parseYaml(block)).message, tooDeep);
  assert.match(apiError(() => parseYaml(`${'- '.repeat(600)}x`)).message, tooDeep);
  assert.equal(apiError(() => parseYaml('a: [1, 2\nb: : :')).code, 400);
  const fine = "metadata:\n  name: it's # a comment with [[[\n  labels: {a: '[[[', b: \"{{\"}\nspec:\n  - - - x\n";
  assert.deepEqual(parseYaml(fine).value, { metadata: { name: "it's", labels: { a: '[[[', b: '{{' } }, spec: [[['x']]] });
});

test('checkFields() reports unknown fields with their paths', () => {
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { a: 'b' }, bogus: 1 },
    spec: { containers: [{ name: 'c', image: 'i', unknownField: true, ports: [{ containerPort: 80, nope: 1 }] }], foo: {} },
  };
  const r = checkFields(obj, pod());
  assert.deepEqual(r.unknown, ['metadata.bogus', 'spec.containers[0].unknownField', 'spec.containers[0].ports[0].nope', 'spec.foo']);
  assert.deepEqual(r.typeErrors, []);
});

test('checkFields() reports type mismatches with Go decoder wording', () => {
  const cases: [unknown, string][] = [
    [{ spec: { containers: 'x' } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container'],
    [{ spec: { containers: ['x'] } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container'],
    [{ spec: { containers: [{ name: 1 }] } }, 'json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string'],
    [{ spec: { containers: [{ ports: [{ containerPort: 1.5 }] }] } }, 'json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32'],
    [{ spec: { activeDeadlineSeconds: 'x' } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64'],
    [{ metadata: { labels: { a: 1 } } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string'],
    [{ metadata: { labels: [] } }, 'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string'],
    [{ spec: { hostNetwork: 'true' } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool'],
    [{ spec: { containers: [{ resources: { limits: [] } }] } }, 'json: cannot unmarshal array into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList'],
    [{ spec: 'x' }, 'json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec'],
  ];
  for (const [obj, want] of cases) assert.deepEqual(checkFields(obj, pod()).typeErrors, [want]);
});

test('checkFields() applies the decoders of Quantity, IntOrString, Time and bytes', () => {
  const q = checkFields({ spec: { containers: [{ resources: { limits: { cpu: 'lots', memory: 1 } } }] } }, pod());
  assert.deepEqual(q.typeErrors, ["quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]);
  const probe = (port: unknown) => ({ spec: { containers: [{ livenessProbe: { httpGet: { port } } }] } });
  assert.deepEqual(checkFields(probe('http'), pod()).typeErrors, []);
  assert.deepEqual(checkFields(probe(8080), pod()).typeErrors, []);
  assert.deepEqual(checkFields(probe(true), pod()).typeErrors, ['json: cannot unmarshal bool into Go value of type int32']);
  const t = checkFields({ metadata: { creationTimestamp: '2024-13-01T00:00:00Z' } }, pod());
  assert.deepEqual(t.typeErrors, ['parsing time "2024-13-01T00:00:00Z": month out of range']);
  const secret = schemaNode('io.k8s.api.core.v1.Secret');
  assert.deepEqual(checkFields({ data: { a: 'aGVsbG8=' } }, secret).typeErrors, []);
  assert.deepEqual(checkFields({ data: { a: 'hello!' } }, secret).typeErrors, ['illegal base64 data at input byte 5']);
});

test('checkFields() with prune removes unknown fields and null struct fields in place', () => {
  const obj = { metadata: { name: 'p', labels: { a: 'b' }, bogus: 1 }, spec: { containers: [{ name: 'c', nope: {}, image: null }], priority: null } };
  const r = checkFields(obj, pod(), { prune: true });
  assert.deepEqual(r.unknown, ['metadata.bogus', 'spec.containers[0].nope']);
  assert.deepEqual(obj, { metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }] } });
});

test('checkFields() accepts nulls and free-form values', () => {
  const r = checkFields({ metadata: { labels: null, managedFields: [{ fieldsV1: { 'f:a': {} } }] }, spec: null }, pod());
  assert.deepEqual(r, { unknown: [], typeErrors: [] });
});

const podJson = (extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, ...extra });

test('decodeObject() rejects unknown and duplicate fields under Strict with kube wording', () => {
  const body = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","name":"b"},"spec":{"foo":1}}';
  const err = apiError(() =>
    decodeObject({ body, contentType: 'application/json', kind: 'Pod', apiVersion: 'v1', schema: pod(), fieldValidation: 'Strict' }),
  );
  assert.equal(err.code, 400);
  assert.equal(err.message, 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo", duplicate field "metadata.name"');
});

test('decodeObject() turns unknown fields into warnings under Warn and ignores them under Ignore', () => {
  const body = podJson({ spec: { foo: 1 } });
  const base = { body, contentType: 'application/json;charset=utf-8', kind: 'Pod', apiVersion: 'v1', schema: pod() };
  assert.deepEqual(decodeObject({ ...base, fieldValidation: 'Warn' }).warnings, ['unknown field "spec.foo"']);
  assert.deepEqual(decodeObject(base).warnings, ['unknown field "spec.foo"']);
  const ignored = decodeObject({ ...base, fieldValidation: 'Ignore' });
  assert.deepEqual(ignored.warnings, []);
  assert.deepEqual(ignored.obj.spec, {}, 'unknown fields are dropped, as decoding into Go structs does');
});

test('decodeObject() always rejects type errors', () => {
  const err = apiError(() =>
    decodeObject({ body: podJson({ spec: { containers: 'x' } }), contentType: 'application/json', kind: 'Pod', apiVersion: 'v1', schema: pod(), fieldValidation: 'Ignore' }),
  );
  assert.equal(err.message, 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container');
  const sts = schemaNode('io.k8s.api.apps.v1.StatefulSet');
  const err2 = apiError(() =>
    decodeObject({ body: '{"spec":{"replicas":"3"}}', contentType: 'application/json', kind: 'StatefulSet', apiVersion: 'apps/v1', schema: sts }),
  );
  assert.equal(err2.message, 'StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32');
});

test('decodeObject() reads YAML bodies and fills in apiVersion and kind', () => {
  const { obj, warnings } = decodeObject({ body: 'metadata:\n  name: p\n', contentType: 'application/yaml', kind: 'Pod', apiVersion: 'v1', schema: pod() });
  assert.deepEqual(obj, { metadata: { name: 'p' }, apiVersion: 'v1', kind: 'Pod' });
  assert.deepEqual(warnings, []);
});

test('decodeObject() rejects other media types with 415', () => {
  for (const contentType of ['application/cbor', 'text/plain', undefined]) {
    const err = apiError(() => decodeObject({ body: podJson(), contentType, kind: 'Pod', apiVersion: 'v1', schema: pod() }));
    assert.equal(err.code, 415);
    assert.equal(err.reason, 'UnsupportedMediaType');
  }
});

test('decodeObject() rejects a body that is not an object or names another version or kind', () => {
  const base = { contentType: 'application/json', kind: 'Pod', apiVersion: 'v1', schema: pod() };
  assert.match(apiError(() => decodeObject({ ...base, body: '[]' })).message, /^couldn't get version\/kind; json parse error: json: cannot unmarshal array into Go value of type struct/);
  assert.equal(apiError(() => decodeObject({ ...base, body: '{"apiVersion":"apps/v1"}' })).message, 'the API version in the data (apps/v1) does not match the expected API version (v1)');
  assert.equal(apiError(() => decodeObject({ ...base, body: '{"kind":"Service"}' })).code, 400);
});

test('enforceFieldValidation() applies the directive to a report', () => {
  const report = { unknown: ['spec.foo'], typeErrors: [] };
  assert.deepEqual(enforceFieldValidation(report, { kind: 'Pod', apiVersion: 'v1', duplicates: ['metadata.name'] }), [
    'unknown field "spec.foo"',
    'duplicate field "metadata.name"',
  ]);
  assert.equal(apiError(() => enforceFieldValidation(report, { kind: 'Pod', apiVersion: 'v1', fieldValidation: 'Strict' })).code, 400);
});

test('parseFieldValidation() defaults to Warn and rejects unknown directives', () => {
  assert.equal(parseFieldValidation(null), 'Warn');
  assert.equal(parseFieldValidation('Strict'), 'Strict');
  assert.equal(apiError(() => parseFieldValidation('strict')).code, 400);
});
