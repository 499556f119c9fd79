import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorBody } from '../errors.js';
import type { FieldError } from '../errors.js';
import { endpointSliceResource, formatSliceEndpoints, formatSlicePorts } from './endpoint-slice.js';
import type { EndpointSliceObject } from './endpoint-slice.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const ctx = { now: '2024-01-01T00:00:00Z' };

function slice(extra: Partial<EndpointSliceObject> = {}): EndpointSliceObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    ...extra,
  };
}

const validate = (s: EndpointSliceObject) => texts(endpointSliceResource.validate!(s));

test('endpointSliceResource.validate() accepts a valid slice', () => {
  assert.deepEqual(validate(slice()), []);
});

test('endpointSliceResource.defaults() sets port name "" and protocol TCP', () => {
  const s = slice({ ports: [{ port: 80 }] });
  endpointSliceResource.defaults!(s);
  assert.deepEqual(s.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
});

test('endpointSliceResource.validate() requires a supported addressType', () => {
  const s = slice();
  delete s.addressType;
  assert.deepEqual(validate(s), ['addressType: Required value']);
  assert.deepEqual(validate(slice({ addressType: 'IP' })), ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']);
});

test('endpointSliceResource.validateUpdate() keeps addressType immutable', () => {
  const next = slice({ addressType: 'IPv6', endpoints: [{ addresses: ['2001:db8::1'] }] });
  assert.deepEqual(texts(endpointSliceResource.validateUpdate!(next, slice())), ['addressType: Invalid value: "IPv6": field is immutable']);
});

test('endpointSliceResource.validate() requires 1 to 100 addresses per endpoint', () => {
  assert.deepEqual(validate(slice({ endpoints: [{ addresses: [] }] })), [
    'endpoints[0].addresses: Required value: must contain at least 1 address',
  ]);
  const many = Array.from({ length: 101 }, (_, i) => `10.0.${i >> 8}.${(i & 255) + 1}`);
  const errs = endpointSliceResource.validate!(slice({ endpoints: [{ addresses: many }] }));
  assert.deepEqual(errs.map((e) => [e.field, e.type]), [['endpoints[0].addresses', 'FieldValueTooMany']]);
});

test('endpointSliceResource.validate() checks addresses against the address type', () => {
  assert.deepEqual(validate(slice({ endpoints: [{ addresses: ['2001:db8::1'] }] })), [
    'endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address',
  ]);
  assert.deepEqual(validate(slice({ endpoints: [{ addresses: ['web'] }] })), [
    'endpoints[0].addresses[0]: Invalid value: "web": must be a valid IPv4 address',
    'endpoints[0].addresses[0]: Invalid value: "web": must be a valid IP address',
  ]);
  assert.deepEqual(validate(slice({ addressType: 'IPv6', endpoints: [{ addresses: ['10.0.0.1'] }] })), [
    'endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
  ]);
  assert.deepEqual(validate(slice({ addressType: 'IPv6', endpoints: [{ addresses: ['2001:db8::1'] }] })), []);
});

test('endpointSliceResource.validate() rejects special IPs', () => {
  assert.deepEqual(validate(slice({ endpoints: [{ addresses: ['127.0.0.1', '0.0.0.0', '169.254.1.1', '224.0.0.1'] }] })), [
    'endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'endpoints[0].addresses[1]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    'endpoints[0].addresses[2]: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    'endpoints[0].addresses[3]: Invalid value: "224.0.0.1": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
  ]);
});

test('endpointSliceResource.validate() checks FQDN addresses', () => {
  const fqdn = (a: string) => validate(slice({ addressType: 'FQDN', endpoints: [{ addresses: [a] }] }));
  assert.deepEqual(fqdn('db.example.com.'), []);
  assert.deepEqual(fqdn('localhost'), ['endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots']);
  assert.equal(fqdn('Bad.example.com').length, 1);
});

test('endpointSliceResource.validate() checks nodeName, hostname and zone hints', () => {
  const errs = validate(
    slice({
      endpoints: [{ addresses: ['10.0.0.1'], nodeName: 'Node_1', hostname: 'web.0', hints: { forZones: [{ name: 'a' }, { name: 'a' }] } }],
    }),
  );
  assert.deepEqual(
    errs.map((e) => e.split(':')[0]),
    ['endpoints[0].nodeName', 'endpoints[0].hostname', 'endpoints[0].hints.forZones[1].name'],
  );
  assert.equal(errs[2], 'endpoints[0].hints.forZones[1].name: Duplicate value: "a"');
});

test('endpointSliceResource.validate() checks ports', () => {
  const errs = validate(
    slice({
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'http', port: 81, protocol: 'TCP' },
        { name: 'Bad_Name', port: 82, protocol: 'ICMP', appProtocol: 'a/b/c' },
        { name: 'x', port: 83 },
      ],
    }),
  );
  assert.deepEqual(errs.slice(0, 1), ['ports[1].name: Duplicate value: "http"']);
  assert.deepEqual(
    errs.map((e) => e.split(': ')[0]),
    ['ports[1].name', 'ports[2].name', 'ports[2].protocol', 'ports[2].appProtocol', 'ports[3].protocol'],
  );
  assert.equal(errs[2], 'ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"');
  assert.equal(errs[4], 'ports[3].protocol: Required value');
});

test('endpointSliceResource.validate() requires DNS-subdomain names', () => {
  const s = slice();
  s.metadata!.name = 'Web';
  assert.deepEqual(endpointSliceResource.validate!(s).map((e) => e.field), ['metadata.name']);
});

test('endpointSliceResource.prepareForCreate() drops deprecatedTopology', () => {
  const s = slice({ endpoints: [{ addresses: ['10.0.0.1'], deprecatedTopology: { 'kubernetes.io/hostname': 'node-1' } }] });
  endpointSliceResource.prepareForCreate!(s, ctx);
  assert.deepEqual(s.endpoints, [{ addresses: ['10.0.0.1'] }]);
});

test('endpointSliceResource.prepareForUpdate() moves a known hostname into nodeName', () => {
  const old = slice({ endpoints: [{ addresses: ['10.0.0.1'], deprecatedTopology: { 'kubernetes.io/hostname': 'node-1' } }] });
  const next = slice({
    endpoints: [
      { addresses: ['10.0.0.2'], deprecatedTopology: { 'kubernetes.io/hostname': 'node-1' } },
      { addresses: ['10.0.0.3'], deprecatedTopology: { 'kubernetes.io/hostname': 'node-9' } },
    ],
  });
  endpointSliceResource.prepareForUpdate!(next, old, ctx);
  assert.deepEqual(next.endpoints, [{ addresses: ['10.0.0.2'], nodeName: 'node-1' }, { addresses: ['10.0.0.3'] }]);
});

test('endpointSliceResource.prepareForUpdate() leaves unchanged endpoints alone', () => {
  const eps = [{ addresses: ['10.0.0.1'], deprecatedTopology: { 'kubernetes.io/hostname': 'node-1' } }];
  const next = slice({ endpoints: structuredClone(eps) });
  endpointSliceResource.prepareForUpdate!(next, slice({ endpoints: eps }), ctx);
  assert.deepEqual(next.endpoints, eps);
});

test('endpointSliceResource discovery facts match a v1.32 server', () => {
  const r = endpointSliceResource;
  assert.deepEqual([r.group, r.version, r.kind, r.plural, r.singular, r.namespaced], ['discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', 'endpointslice', true]);
  assert.equal(r.shortNames, undefined);
  assert.equal(r.fieldSelectors, undefined);
});

test('formatSlicePorts() prints numbers, names or * and <unset> when empty', () => {
  assert.equal(formatSlicePorts([{ port: 80 }, { port: 443 }]), '80,443');
  assert.equal(formatSlicePorts([]), '<unset>');
  assert.equal(formatSlicePorts(undefined), '<unset>');
  assert.equal(formatSlicePorts([{ name: 'http' }, {}]), 'http,*');
  assert.equal(formatSlicePorts([{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }, { port: 5 }]), '1,2,3 + 2 more...');
});

test('formatSliceEndpoints() lists up to three addresses then + N more...', () => {
  assert.equal(formatSliceEndpoints([{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }]), '10.0.0.1,10.0.0.2');
  assert.equal(formatSliceEndpoints([{ addresses: ['a', 'b'] }, { addresses: ['c'] }, { addresses: ['d'] }]), 'a,b,c + 1 more...');
  assert.equal(formatSliceEndpoints([]), '<unset>');
});

test('endpointSliceResource.printer prints NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE', () => {
  const p = endpointSliceResource.printer;
  assert.deepEqual(p.columns.map((c) => c.name), ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
  assert.deepEqual(p.row(slice(), { now: Date.parse('2024-01-01T00:10:00Z') }), ['web-abc12', 'IPv4', '80', '10.0.0.1', '10m']);
});
