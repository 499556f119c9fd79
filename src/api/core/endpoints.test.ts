import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { endpointsResource, formatEndpoints } from './endpoints.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const ep = (subsets: any[]): KObject => Object.freeze({ metadata: { name: 'web', namespace: 'default' }, subsets });

test('endpointsResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual([endpointsResource.singular, endpointsResource.shortNames, endpointsResource.namespaced], ['endpoints', ['ep'], true]);
});

test('formatEndpoints() lists ip:port pairs', () => {
  const e = ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] }]);
  assert.equal(formatEndpoints(e), '10.0.0.1:80,10.0.0.2:80');
});

test('formatEndpoints() truncates after three entries', () => {
  const e = ep([
    { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
    { addresses: [{ ip: '10.0.0.3' }], ports: [{ port: 8080 }] },
  ]);
  assert.equal(formatEndpoints(e), '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...');
});

test('formatEndpoints() prints bare IPs without ports, brackets IPv6, and <none> without subsets', () => {
  assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '10.0.0.1' }] }])), '10.0.0.1');
  assert.equal(formatEndpoints(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }])), '[fd00::1]:80');
  assert.equal(formatEndpoints(ep([])), '<none>');
  assert.equal(formatEndpoints(ep([{ notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80 }] }])), '');
});

test('endpointsResource.printer prints NAME, ENDPOINTS, AGE', () => {
  assert.deepEqual(
    endpointsResource.printer.columns.map((c) => c.name),
    ['Name', 'Endpoints', 'Age'],
  );
});

test('endpointsResource.defaults() defaults port protocol to TCP', () => {
  const e: KObject = { metadata: { name: 'x' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] };
  endpointsResource.defaults!(e);
  assert.equal(e.subsets[0].ports[0].protocol, 'TCP');
});

test('endpointsResource.validate() checks subsets, addresses and ports', () => {
  const e = ep([
    { ports: [{ port: 80, protocol: 'TCP' }] },
    { addresses: [{ ip: '127.0.0.1' }, { ip: 'nope' }], ports: [{ port: 80, protocol: 'TCP' }, { name: 'b', port: 0, protocol: 'TCP' }] },
  ]);
  assert.deepEqual(texts(endpointsResource.validate!(e)), [
    'subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`',
    'subsets[1].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
    'subsets[1].addresses[1].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    'subsets[1].addresses[1].ip: Invalid value: "nope": must be a valid IP address',
    'subsets[1].ports[0].name: Required value',
    'subsets[1].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
});
