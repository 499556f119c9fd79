import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildList, negotiate } from './output.js';
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
