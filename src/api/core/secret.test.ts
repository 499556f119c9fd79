import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { secretResource } from './secret.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const b64 = (s: string) => Buffer.from(s).toString('base64');

function secret(extra: Partial<KObject> = {}): KObject {
  const s: KObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'default' }, ...extra };
  secretResource.defaults!(s);
  return s;
}

test('secretResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual([secretResource.singular, secretResource.shortNames], ['secret', undefined]);
});

test('secretResource.defaults() sets type Opaque and merges stringData into data', () => {
  const s = secret({ data: { user: b64('old'), keep: b64('k') }, stringData: { user: 'admin', pass: 'pässword' } });
  assert.equal(s.type, 'Opaque');
  assert.equal(s.stringData, undefined);
  assert.deepEqual(s.data, { user: b64('admin'), keep: b64('k'), pass: b64('pässword') });
});

test('secretResource.validate() checks keys and base64 values', () => {
  assert.deepEqual(texts(secretResource.validate!(Object.freeze(secret({ data: { token: b64('abc') } })))), []);
  assert.deepEqual(texts(secretResource.validate!(secret({ data: { 'a b': 'abc', t: 'ab!=' } }))), [
    "data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    'data[a b]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 0',
    'data[t]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 2',
  ]);
});

test('secretResource.validate() requires the keys of typed secrets', () => {
  assert.deepEqual(texts(secretResource.validate!(secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }))), ['data[tls.key]: Required value']);
  assert.deepEqual(texts(secretResource.validate!(secret({ type: 'kubernetes.io/service-account-token' }))), [
    'metadata.annotations[kubernetes.io/service-account.name]: Required value',
  ]);
  assert.deepEqual(texts(secretResource.validate!(secret({ type: 'kubernetes.io/basic-auth' }))), ['data[username]: Required value', 'data[password]: Required value']);
  assert.equal(texts(secretResource.validate!(secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } }))).length, 0);
  assert.match(texts(secretResource.validate!(secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{') } })))[0], /^data\[\.dockerconfigjson\]: Invalid value: "<secret contents redacted>": /);
});

test('secretResource.validateUpdate() keeps the type and freezes immutable data', () => {
  const old = Object.freeze(secret({ immutable: true, data: { a: b64('1') } }));
  assert.deepEqual(texts(secretResource.validateUpdate!(secret({ immutable: true, data: { a: b64('1') } }), old)), []);
  assert.deepEqual(texts(secretResource.validateUpdate!(secret({ immutable: true, type: 'kubernetes.io/tls', data: { a: b64('2') } }), old)), [
    'type: Invalid value: "kubernetes.io/tls": field is immutable',
    'data: Forbidden: field is immutable when `immutable` is set',
    'data[tls.crt]: Required value',
    'data[tls.key]: Required value',
  ]);
});

test('secretResource prints TYPE and DATA and selects by type', () => {
  const s = secret({ data: { a: b64('1'), b: b64('2') } });
  assert.deepEqual(secretResource.printer.row(s, { now: 0 }), ['creds', 'Opaque', 2, '<unknown>']);
  assert.deepEqual(secretResource.printer.columns.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
  assert.equal(secretResource.fieldSelectors!.type(s), 'Opaque');
});
