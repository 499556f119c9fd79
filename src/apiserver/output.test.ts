import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildList, listByteLength, listChunks, negotiate } from './output.js';
import { ALL_RESOURCES } from '../api/registry.js';
import type { ResourceDef } from '../api/resource.js';
import { ApiError } from '../api/errors.js';

test('negotiate() picks Table when kubectl asks for it first', () => {
  const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  assert.deepEqual(negotiate(accept), { as: 'Table', version: 'v1' });
});

test('negotiate() falls back to JSON for protobuf-first clients and plain JSON', () => {
  assert.deepEqual(negotiate('application/vnd.kubernetes.protobuf,application/json'), { as: 'json' });
  assert.deepEqual(negotiate('application/json, */*'), { as: 'json' });
  assert.deepEqual(negotiate(undefined), { as: 'json' });
  assert.deepEqual(negotiate('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'), { as: 'PartialObjectMetadata', version: 'v1' });
});

test('negotiate() answers 406 when nothing acceptable is offered', () => {
  assert.throws(() => negotiate('application/vnd.kubernetes.protobuf'), (e: unknown) => e instanceof ApiError && e.code === 406);
});

test('buildList() embeds the cached JSON of each item', () => {
  const def = { group: 'apps', version: 'v1', kind: 'StatefulSet' } as ResourceDef;
  const items = [{ key: 'k', rv: 3, obj: {}, json: '{"a":1}' }];
  const parsed = JSON.parse(buildList(def, items, { resourceVersion: '7' }));
  assert.deepEqual(parsed, { kind: 'StatefulSetList', apiVersion: 'apps/v1', metadata: { resourceVersion: '7' }, items: [{ a: 1 }] });
});

test('listByteLength is the UTF-8 length of the list chunks, multi-byte characters included', () => {
  const def = ALL_RESOURCES.find((d) => d.plural === 'configmaps' && d.group === '')!;
  const items = Array.from({ length: 1203 }, (_, i) => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { k: i % 7 ? 'plain' : 'ünïcödé ☃' } };
    return { key: `/core/configmaps/default/cm-${i}`, rv: i + 1, obj, json: JSON.stringify(obj) };
  });
  const chunks = listChunks(def, items, { resourceVersion: '9' });
  assert.equal(listByteLength(chunks, items), Buffer.byteLength(chunks.join('')));
  assert.doesNotThrow(() => JSON.parse(chunks.join('')));
});
