import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { ALL_RESOURCES } from '../api/registry.js';
import { buildOpenApiV2 } from './openapi-v2.js';
import { encodeOpenApiV2 } from './openapi-v2-proto.js';
import { OPENAPI_V2_PROTO_TYPE, OpenApiV2Document, negotiateOpenApiV2 } from './openapi-v2-response.js';
import { gnosticYaml } from './gnostic-yaml.js';
import { WireReader, WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT } from './protobuf/wire.js';

// --- A test-side reader of gnostic messages: each field's raw values, in wire order. ---

type Raw = { wire: number; bytes?: Uint8Array; num?: number };

function fields(buf: Uint8Array): Map<number, Raw[]> {
  const r = new WireReader(buf);
  const out = new Map<number, Raw[]>();
  while (!r.done()) {
    const { field, wire } = r.tag();
    let v: Raw;
    if (wire === WIRE_BYTES) v = { wire, bytes: r.bytes() };
    else if (wire === WIRE_VARINT) v = { wire, num: r.varint() };
    else if (wire === WIRE_FIXED64) v = { wire, num: r.double() };
    else throw new Error(`unexpected wire type ${wire}`);
    out.set(field, [...(out.get(field) ?? []), v]);
  }
  return out;
}

/** Field numbers in the order they appear (to check Go's ascending order). */
function fieldOrder(buf: Uint8Array): number[] {
  const r = new WireReader(buf);
  const order: number[] = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    order.push(field);
    r.skip(wire);
  }
  return order;
}

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const str = (m: Map<number, Raw[]>, f: number) => (m.has(f) ? text(m.get(f)![0]!.bytes) : undefined);
const strs = (m: Map<number, Raw[]>, f: number) => (m.get(f) ?? []).map((v) => text(v.bytes));
const sub = (m: Map<number, Raw[]>, f: number) => (m.has(f) ? fields(m.get(f)![0]!.bytes!) : undefined);
const subs = (m: Map<number, Raw[]>, f: number) => (m.get(f) ?? []).map((v) => fields(v.bytes!));

/** Named*{name = 1, value = 2} entries of a map-shaped message's field. */
function named(m: Map<number, Raw[]> | undefined, f: number): [string, Map<number, Raw[]>][] {
  return (m?.get(f) ?? []).map((e) => {
    const entry = fields(e.bytes!);
    return [str(entry, 1)!, sub(entry, 2) ?? new Map()];
  });
}

/** Named*{name = 1, value = 2} entries with the value's bytes. */
function namedRaw(m: Map<number, Raw[]> | undefined, f: number): Map<string, Uint8Array> {
  return new Map(
    (m?.get(f) ?? []).map((e) => {
      const entry = fields(e.bytes!);
      return [str(entry, 1)!, entry.get(2)?.[0]?.bytes ?? new Uint8Array()];
    }),
  );
}

/** Any{yaml = 2} parsed back to a value. */
const anyValue = (m: Map<number, Raw[]>) => parseYaml(str(m, 2)!, { version: '1.1' }) as unknown;

/** Vendor extensions (NamedAny) of a message's field as a record of parsed values. */
function extensions(m: Map<number, Raw[]>, f: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of named(m, f)) out[name] = anyValue(value);
  return out;
}

const SCHEMA_FIELDS_USED = new Set([1, 2, 4, 5, 19, 20, 21, 22, 23, 25, 31]);

/** Decodes an openapi_v2.Schema back to JSON, for the fields berth's definitions use. */
function schemaJson(m: Map<number, Raw[]>): Record<string, unknown> {
  for (const f of m.keys()) assert.ok(SCHEMA_FIELDS_USED.has(f), `unexpected Schema field ${f}`);
  const out: Record<string, unknown> = {};
  if (m.has(1)) out.$ref = str(m, 1);
  if (m.has(2)) out.format = str(m, 2);
  if (m.has(4)) out.description = str(m, 4);
  if (m.has(5)) out.default = anyValue(sub(m, 5)!);
  if (m.has(19)) out.required = strs(m, 19);
  if (m.has(20)) out.enum = subs(m, 20).map(anyValue);
  if (m.has(21)) {
    const ap = sub(m, 21)!;
    out.additionalProperties = ap.has(1) ? schemaJson(sub(ap, 1)!) : ap.get(2)![0]!.num === 1;
  }
  if (m.has(22)) {
    const types = strs(sub(m, 22)!, 1);
    out.type = types.length === 1 ? types[0] : types;
  }
  if (m.has(23)) {
    const items = subs(sub(m, 23)!, 1);
    assert.equal(items.length, 1);
    out.items = schemaJson(items[0]!);
  }
  if (m.has(25)) {
    const props: Record<string, unknown> = {};
    for (const [name, s] of named(sub(m, 25), 1)) props[name] = schemaJson(s);
    out.properties = props;
  }
  Object.assign(out, extensions(m, 31));
  return out;
}

/** Sorts object keys, so documents compare regardless of key order. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

const JSON_DOC = buildOpenApiV2(ALL_RESOURCES);
const DOC = JSON.parse(JSON_DOC) as { swagger: string; info: Record<string, string>; paths: Record<string, any>; definitions: Record<string, any> };
const ENCODED = encodeOpenApiV2(DOC);
const TOP = fields(ENCODED.bytes);

// --- Tests ---

test('negotiateOpenApiV2() picks protobuf for both spellings kube accepts, JSON otherwise', () => {
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), 'protobuf');
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), 'protobuf');
  assert.equal(negotiateOpenApiV2(undefined), 'json');
  assert.equal(negotiateOpenApiV2(''), 'json');
  assert.equal(negotiateOpenApiV2('application/json'), 'json');
  assert.equal(negotiateOpenApiV2('*/*'), 'json');
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json'), 'protobuf');
  assert.equal(negotiateOpenApiV2('application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), 'protobuf');
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.1, application/json'), 'json');
  assert.equal(negotiateOpenApiV2('application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0, */*'), 'json');
  assert.equal(negotiateOpenApiV2('text/html'), 'json');
});

test('gnosticYaml() writes values as yaml.v3 marshals them', () => {
  assert.equal(gnosticYaml([{ group: '', kind: 'Status', version: 'v1' }]), '- group: ""\n  kind: Status\n  version: v1\n');
  assert.equal(gnosticYaml('merge'), 'merge\n');
  assert.equal(gnosticYaml('merge,retainKeys'), 'merge,retainKeys\n');
  assert.equal(gnosticYaml(['containerPort', 'protocol']), '- containerPort\n- protocol\n');
  assert.equal(gnosticYaml(true), 'true\n');
  assert.equal(gnosticYaml(3), '3\n');
  assert.equal(gnosticYaml(null), 'null\n');
  assert.equal(gnosticYaml({ group: 'apps', kind: 'StatefulSet', version: 'v1' }), 'group: apps\nkind: StatefulSet\nversion: v1\n');
  assert.equal(gnosticYaml({ a: { b: [1, { c: 'd', e: { f: 'g' } }] }, h: [] }), 'a:\n    b:\n        - 1\n        - c: d\n          e:\n            f: g\nh: []\n');
  assert.equal(gnosticYaml([['a', 'b'], {}]), '- - a\n  - b\n- {}\n');
  // Strings that would read back as something else are quoted.
  for (const s of ['', 'yes', 'No', 'true', 'null', '~', '1.0', '0755', '-x', 'a: b', 'a #b', ' x', 'x ', "it's", 'line\nbreak', '@x', 'x'.repeat(100)]) {
    assert.equal(gnosticYaml(s), `${JSON.stringify(s)}\n`, s);
  }
});

test('gnosticYaml() text parses back to the same value (YAML 1.1 and 1.2 readers)', () => {
  const values: unknown[] = [
    [{ group: '', kind: 'Status', version: 'v1' }, { group: 'apps', kind: 'Deployment', version: 'v1' }],
    { nested: { list: ['a', 'yes', '', 'x: y', 'é', 12, 1.5, -3, true, null, { deep: ['q'] }] }, 'odd key: 1': 'v' },
    'TCP',
    0,
    [],
    {},
  ];
  for (const v of values) {
    for (const version of ['1.1', '1.2'] as const) assert.deepEqual(parseYaml(gnosticYaml(v), { version }), v);
  }
});

test('encodeOpenApiV2() maps every key of the served document', () => {
  assert.deepEqual(ENCODED.unmapped, []);
  // Document fields in ascending order: swagger 1, info 2, paths 8, definitions 9.
  assert.deepEqual(fieldOrder(ENCODED.bytes), [1, 2, 8, 9]);
  assert.equal(str(TOP, 1), '2.0');
  const info = sub(TOP, 2)!;
  assert.equal(str(info, 1), DOC.info.title);
  assert.equal(str(info, 2), DOC.info.version);
});

test('definitions: every served definition, in document order, with its schema intact', () => {
  const defs = named(sub(TOP, 9), 1);
  assert.equal(defs.length, Object.keys(DOC.definitions).length);
  assert.ok(defs.length > 100);
  assert.deepEqual(defs.map(([n]) => n), Object.keys(DOC.definitions));
  for (const [name, schema] of defs) assert.deepEqual(canonical(schemaJson(schema)), canonical(DOC.definitions[name]), name);
});

test('the ConfigMap definition: properties, required, GVK extension as kubectl reads it', () => {
  const defs = new Map(named(sub(TOP, 9), 1));
  const cm = defs.get('io.k8s.api.core.v1.ConfigMap')!;
  assert.deepEqual(strs(sub(cm, 22)!, 1), ['object']);
  const props = named(sub(cm, 25), 1).map(([n]) => n);
  assert.deepEqual(props, Object.keys(DOC.definitions['io.k8s.api.core.v1.ConfigMap'].properties));
  assert.ok(props.includes('data') && props.includes('binaryData') && props.includes('metadata'));
  const data = new Map(named(sub(cm, 25), 1)).get('data')!;
  assert.deepEqual(strs(sub(data, 22)!, 1), ['object']);
  const ap = sub(data, 21)!;
  assert.deepEqual(strs(sub(sub(ap, 1)!, 22)!, 1), ['string']);
  const metadata = new Map(named(sub(cm, 25), 1)).get('metadata')!;
  assert.equal(str(metadata, 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');

  const gvk = new Map(named(cm, 31)).get('x-kubernetes-group-version-kind')!;
  assert.equal(str(gvk, 2), '- group: ""\n  kind: ConfigMap\n  version: v1\n');
  // kubectl's reader (yaml.v2) sees a list of maps whose group is the empty string.
  assert.deepEqual(anyValue(gvk), [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
});

test('patch metadata extensions survive: PodSpec.containers merge strategy and list-map keys', () => {
  const defs = new Map(named(sub(TOP, 9), 1));
  const containers = new Map(named(sub(defs.get('io.k8s.api.core.v1.PodSpec')!, 25), 1)).get('containers')!;
  const ext = extensions(containers, 31);
  assert.equal(ext['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(ext['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(ext['x-kubernetes-list-type'], 'map');
  assert.deepEqual(ext['x-kubernetes-list-map-keys'], ['name']);
  const items = subs(sub(containers, 23)!, 1);
  assert.equal(str(items[0]!, 1), '#/definitions/io.k8s.api.core.v1.Container');
});

test('paths: operations, body/query/path parameters and responses as gnostic encodes them', () => {
  const pathItems = named(sub(TOP, 8), 2);
  assert.deepEqual(pathItems.map(([n]) => n), Object.keys(DOC.paths));
  const item = new Map(pathItems).get('/api/v1/namespaces/{namespace}/configmaps')!;
  // PathItem: get 2, post 4, delete 5, then parameters 9 (twice), in field order.
  assert.deepEqual(fieldOrder(namedRaw(sub(TOP, 8), 2).get('/api/v1/namespaces/{namespace}/configmaps')!), [2, 4, 5, 9, 9]);

  // Path-level parameters: namespace (path: NonBodyParameter.path_parameter_sub_schema = 4) and pretty (query = 3).
  const params = subs(item, 9).map((p) => sub(sub(p, 1)!, 2)!);
  const ns = sub(params[0]!, 4)!;
  assert.equal(str(ns, 4), 'namespace');
  assert.equal(str(ns, 2), 'path');
  assert.equal(ns.get(1)![0]!.num, 1); // required
  assert.equal(str(ns, 5), 'string'); // type
  assert.equal(ns.get(19)![0]!.num, 1); // uniqueItems
  const pretty = sub(params[1]!, 3)!;
  assert.equal(str(pretty, 4), 'pretty');
  assert.equal(str(pretty, 6), 'string');
  assert.equal(pretty.get(20)![0]!.num, 1); // uniqueItems

  const post = sub(item, 4)!;
  assert.equal(str(post, 5), 'createCoreV1NamespacedConfigMap');
  assert.deepEqual(strs(post, 1), ['core_v1']);
  assert.deepEqual(strs(post, 7), ['*/*']);
  assert.deepEqual(strs(post, 6), ['application/json', 'application/yaml']);
  assert.deepEqual(strs(post, 10), ['https']);
  const [body, ...query] = subs(post, 8).map((p) => sub(p, 1)!);
  const bodyParam = sub(body!, 1)!; // Parameter.body_parameter
  assert.equal(str(bodyParam, 2), 'body');
  assert.equal(str(bodyParam, 3), 'body');
  assert.equal(bodyParam.get(4)![0]!.num, 1);
  assert.equal(str(sub(bodyParam, 5)!, 1), '#/definitions/io.k8s.api.core.v1.ConfigMap');
  assert.ok(query.some((q) => str(sub(sub(q, 2)!, 3)!, 4) === 'fieldValidation'));

  const responses = new Map(named(sub(post, 9), 1));
  assert.deepEqual([...responses.keys()], ['200', '201', '202', '401']);
  const ok = sub(responses.get('200')!, 1)!; // ResponseValue.response
  assert.equal(str(ok, 1), 'OK');
  assert.equal(str(sub(sub(ok, 2)!, 1)!, 1), '#/definitions/io.k8s.api.core.v1.ConfigMap');
  assert.equal(str(sub(responses.get('401')!, 1)!, 1), 'Unauthorized');

  const ext = extensions(post, 13);
  assert.equal(ext['x-kubernetes-action'], 'post');
  assert.deepEqual(ext['x-kubernetes-group-version-kind'], { group: '', kind: 'ConfigMap', version: 'v1' });
});

test('schema oneofs and scalars: additionalProperties false, enum/default as Any, numbers as doubles, file responses', () => {
  const doc = {
    swagger: '2.0',
    paths: {
      'x-root': 1,
      '/f': { get: { responses: { '200': { description: 'file', schema: { type: 'file' } }, default: { $ref: '#/responses/E' } } } },
    },
    definitions: {
      T: {
        type: ['string', 'null'],
        enum: ['a', 'yes'],
        default: 'a',
        maximum: 2.5,
        minimum: 0,
        maxLength: 10,
        additionalProperties: false,
        items: [{ type: 'integer' }, { type: 'string' }],
        properties: {},
        allOf: [{ $ref: '#/definitions/U' }],
        'x-kubernetes-preserve-unknown-fields': true,
      },
      U: { nullable: true },
    },
  };
  const enc = encodeOpenApiV2(doc);
  assert.deepEqual(enc.unmapped, ['.definitions.U.nullable']);
  const top = fields(enc.bytes);
  const [[, t], [, u]] = named(sub(top, 9), 1) as [[string, Map<number, Raw[]>], [string, Map<number, Raw[]>]];
  assert.equal(u.size, 0);
  assert.deepEqual(strs(sub(t, 22)!, 1), ['string', 'null']);
  assert.deepEqual(subs(t, 20).map((a) => str(a, 2)), ['a\n', '"yes"\n']);
  assert.equal(str(sub(t, 5)!, 2), 'a\n');
  assert.equal(t.get(7)![0]!.num, 2.5);
  assert.equal(t.has(9), false); // minimum 0 is proto3's zero value
  assert.equal(t.get(11)![0]!.num, 10);
  // additionalProperties: false is the oneof's boolean member, written although false.
  const ap = sub(t, 21)!;
  assert.equal(ap.get(2)![0]!.num, 0);
  assert.equal(subs(sub(t, 23)!, 1).length, 2);
  assert.equal(sub(t, 25)!.size, 0); // empty properties message is present
  assert.ok(t.has(25));
  assert.equal(str(subs(t, 24)[0]!, 1), '#/definitions/U');
  assert.equal(str(new Map(named(t, 31)).get('x-kubernetes-preserve-unknown-fields')!, 2), 'true\n');
  // Schema fields in ascending order, whatever the JSON key order.
  assert.deepEqual(fieldOrder(namedRaw(sub(top, 9), 1).get('T')!), [5, 7, 11, 20, 20, 21, 22, 23, 24, 25, 31]);

  const paths = sub(top, 8)!;
  assert.deepEqual(extensions(paths, 1), { 'x-root': 1 });
  const get = sub(new Map(named(paths, 2)).get('/f')!, 2)!;
  const responses = new Map(named(sub(get, 9), 1));
  const file = sub(sub(responses.get('200')!, 1)!, 2)!; // Response.schema → SchemaItem
  assert.equal(str(sub(file, 2)!, 6), 'file'); // SchemaItem.file_schema.type
  assert.equal(str(sub(responses.get('default')!, 2)!, 1), '#/responses/E'); // ResponseValue.json_reference
});

test('OpenApiV2Document serves JSON or protobuf by Accept, one ETag, bytes encoded once', () => {
  const d = new OpenApiV2Document(JSON_DOC);
  const json = d.respond({ accept: 'application/json' });
  assert.equal(json.status, 200);
  assert.equal(json.headers!['content-type'], 'application/json');
  assert.equal(json.body, JSON_DOC);
  const proto = d.respond({ accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' });
  assert.equal(proto.status, 200);
  assert.equal(proto.headers!['content-type'], OPENAPI_V2_PROTO_TYPE);
  assert.equal(proto.headers!.vary, 'Accept');
  assert.equal(proto.headers!.etag, json.headers!.etag);
  assert.match(String(proto.headers!.etag), /^"[0-9A-F]{128}"$/);
  assert.ok(Buffer.isBuffer(proto.body));
  assert.deepEqual(new Uint8Array(proto.body as Buffer), ENCODED.bytes);
  // Cached: the same bytes object on every request.
  assert.equal(d.respond({ accept: OPENAPI_V2_PROTO_TYPE }).body, proto.body);
  const notModified = d.respond({ accept: OPENAPI_V2_PROTO_TYPE, 'if-none-match': String(proto.headers!.etag) });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.body, undefined);
  assert.equal(d.respond({ 'if-none-match': '"other"' }).status, 200);
});
