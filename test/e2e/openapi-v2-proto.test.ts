// kubectl validates on the client (with the protobuf OpenAPI v2 document) whenever it cannot hand
// validation to the server, as for a `kind: List` file: /openapi/v2 must answer protobuf when asked.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBerth, ok } from './harness.js';
import type { Berth } from './harness.js';
import { list } from './manifests.js';

const PROTO_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

let b: Berth;
before(async () => {
  b = await startBerth();
});
after(async () => {
  await b?.stop();
});

test('GET /openapi/v2 answers protobuf for the protobuf Accept and JSON otherwise, with one ETag', async () => {
  const proto = await fetch(`${b.url}/openapi/v2`, { headers: { accept: PROTO_ACCEPT } });
  assert.equal(proto.status, 200);
  assert.equal(proto.headers.get('content-type'), 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
  assert.equal(proto.headers.get('vary'), 'Accept');
  const bytes = new Uint8Array(await proto.arrayBuffer());
  // Document.swagger (field 1, length-delimited) = "2.0" comes first.
  assert.deepEqual([...bytes.subarray(0, 5)], [0x0a, 0x03, ...Buffer.from('2.0')]);

  const json = await fetch(`${b.url}/openapi/v2`);
  assert.equal(json.status, 200);
  assert.equal(json.headers.get('content-type'), 'application/json');
  assert.equal((await json.json()).swagger, '2.0');
  const etag = proto.headers.get('etag');
  assert.ok(etag);
  assert.equal(json.headers.get('etag'), etag);

  const cached = await fetch(`${b.url}/openapi/v2`, { headers: { accept: PROTO_ACCEPT, 'if-none-match': etag } });
  assert.equal(cached.status, 304);
});

test('kubectl apply of a kind: List with a ConfigMap and a Service validates on the client and creates both', async () => {
  const file = b.file(
    'list.yaml',
    list(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'listed-config' }, data: { key: 'value' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'listed-service' }, spec: { selector: { app: 'listed' }, ports: [{ port: 80, targetPort: 8080 }] } },
    ),
  );
  const out = ok(await b.kubectl(['apply', '-f', file]));
  assert.match(out, /configmap\/listed-config created/);
  assert.match(out, /service\/listed-service created/);
  const cm = JSON.parse(ok(await b.kubectl(['get', 'configmap', 'listed-config', '-o', 'json'])));
  assert.deepEqual(cm.data, { key: 'value' });
  const svc = JSON.parse(ok(await b.kubectl(['get', 'service', 'listed-service', '-o', 'json'])));
  assert.equal(svc.spec.ports[0].port, 80);
  assert.equal(svc.spec.ports[0].targetPort, 8080);
});

test('kubectl apply --validate=strict of a List names the unknown fields and creates nothing', async () => {
  const file = b.file(
    'bad-list.yaml',
    list(
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict-config' }, data: { key: 'value' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'strict-service' }, spec: { foo: 'bar', ports: [{ port: 80, bogus: 1 }] } },
    ),
  );
  const r = await b.kubectl(['apply', '--validate=strict', '-f', file]);
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.stderr, /proto: cannot parse/);
  // kubectl's client-side validator: ValidationError(<Kind>.<path>): unknown field "<name>" in <definition>.
  assert.match(r.stderr, /ValidationError\(Service\.spec\): unknown field "foo" in io\.k8s\.api\.core\.v1\.ServiceSpec/);
  assert.match(r.stderr, /ValidationError\(Service\.spec\.ports\[0\]\): unknown field "bogus" in io\.k8s\.api\.core\.v1\.ServicePort/);
  const get = await b.kubectl(['get', 'configmap', 'strict-config']);
  assert.notEqual(get.code, 0);
  assert.match(get.stderr, /NotFound|not found/);
});

test('kubectl apply of a List with a wrong field type fails client-side validation', async () => {
  const file = b.file('typed-list.yaml', list({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'typed-config', labels: 'not-a-map' } }));
  const r = await b.kubectl(['apply', '-f', file]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /ValidationError\(ConfigMap\.metadata\.labels\): invalid type for io\.k8s\.apimachinery\.pkg\.apis\.meta\.v1\.ObjectMeta\.labels: got "string", expected "map"/);
});
