import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { configMapResource } from './configmap.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const cm = (extra: Partial<KObject> = {}): KObject => Object.freeze({ metadata: { name: 'cfg', namespace: 'default' }, ...extra });

test('configMapResource has the discovery facts of a v1.32 server', () => {
  assert.deepEqual([configMapResource.singular, configMapResource.shortNames], ['configmap', ['cm']]);
});

test('configMapResource.validate() checks keys', () => {
  assert.deepEqual(texts(configMapResource.validate!(cm({ data: { 'app.conf': 'x', KEY_1: 'y' } }))), []);
  const errs = texts(configMapResource.validate!(cm({ data: { 'bad key': 'x', '..': 'y' }, binaryData: { 'bad key': 'AA==' } })));
  assert.deepEqual(errs, [
    "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    'data[bad key]: Invalid value: "bad key": duplicate of key present in binaryData',
    "data[..]: Invalid value: \"..\": must not be '..'",
    "binaryData[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
  ]);
});

test('configMapResource.validate() limits the total size to 1 MiB', () => {
  const errs = texts(configMapResource.validate!(cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } })));
  assert.deepEqual(errs, [': Too long: may not be more than 1048576 bytes']);
});

test('configMapResource.validateUpdate() freezes data once immutable', () => {
  const old = cm({ immutable: true, data: { a: '1' } });
  assert.deepEqual(texts(configMapResource.validateUpdate!(cm({ immutable: true, data: { a: '1' } }), old)), []);
  assert.deepEqual(texts(configMapResource.validateUpdate!(cm({ data: { a: '2' } }), old)), [
    'immutable: Forbidden: field is immutable when `immutable` is set',
    'data: Forbidden: field is immutable when `immutable` is set',
  ]);
});

test('configMapResource.printer counts data and binaryData', () => {
  const row = configMapResource.printer.row(cm({ data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), { now: 0 });
  assert.deepEqual(row, ['cfg', 3, '<unknown>']);
});
