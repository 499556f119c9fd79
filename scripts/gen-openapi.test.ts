import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDefinitions, mergePatchMeta } from './gen-openapi.js';
import type { Definitions } from './gen-openapi.js';

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gen-openapi-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const FILES = {
  'meta/v1.d.ts': `/** Time is a timestamp. */
export type Time = string;
/** ObjectMeta is metadata. */
export interface ObjectMeta {
    /** Name is unique. */
    name?: string;
    /** Generation of the object. */
    generation?: number;
    /** Labels are labels. */
    labels?: {
        [name: string]: string;
    };
    creationTimestamp?: Time;
}
`,
  'api/resource.d.ts': `/** Quantity is a number. */
export type Quantity = string;
`,
  'core/v1.d.ts': `import { ObjectMeta } from "../meta/v1";
import { Quantity } from "../api/resource";
/**
 * Widget is a test kind.
 *
 * It has two paragraphs.
 */
export interface Widget {
    apiVersion?: "v1";
    kind?: "Widget";
    /** Standard metadata. */
    metadata?: ObjectMeta;
    /** Parts of the widget. */
    parts: Array<WidgetPart>;
    /** Port by number or name. */
    port?: number | string;
    limits?: {
        [name: string]: Quantity;
    };
    ratio: number;
}
/** WidgetPart is a part. */
export interface WidgetPart {
    name: string;
    tags?: string[];
}
`,
};

test('generateDefinitions() turns documented declarations into Kubernetes-named schemas', () => {
  const dir = fixture(FILES);
  try {
    const { definitions, warnings } = generateDefinitions({
      typesDir: dir,
      patchMeta: { 'io.k8s.api.core.v1.Widget': { parts: { patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] } } },
      atomicStructs: ['io.k8s.api.core.v1.WidgetPart'],
    });
    const widget = definitions['io.k8s.api.core.v1.Widget']!;
    assert.equal(widget.description, 'Widget is a test kind.\n\nIt has two paragraphs.');
    assert.deepEqual(widget['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Widget', version: 'v1' }]);
    assert.deepEqual(widget.required, ['parts', 'ratio']);
    assert.deepEqual(widget.properties!.metadata, { description: 'Standard metadata.', $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
    assert.deepEqual(widget.properties!.parts, {
      description: 'Parts of the widget.',
      type: 'array',
      items: { $ref: '#/definitions/io.k8s.api.core.v1.WidgetPart' },
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    assert.deepEqual(widget.properties!.port, { description: 'Port by number or name.', $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' });
    assert.deepEqual(widget.properties!.limits, { type: 'object', additionalProperties: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' } });
    assert.deepEqual(widget.properties!.ratio, { type: 'integer', format: 'int32' });
    assert.equal(definitions['io.k8s.api.core.v1.WidgetPart']!['x-kubernetes-map-type'], 'atomic');
    assert.deepEqual(definitions['io.k8s.api.core.v1.WidgetPart']!.properties!.tags, { type: 'array', items: { type: 'string' } });
    const meta = definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!;
    assert.deepEqual(meta.properties!.generation, { description: 'Generation of the object.', type: 'integer', format: 'int64' });
    assert.deepEqual(definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Time'], { description: 'Time is a timestamp.', type: 'string', format: 'date-time' });
    assert.deepEqual(definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'], { description: 'Quantity is a number.', type: 'string' });
    assert.equal(definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!.format, 'int-or-string');
    assert.ok(warnings.some((w) => w.includes('io.k8s.api.core.v1.PodSpec.activeDeadlineSeconds')), 'unmatched format entries are reported');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generateDefinitions() matches every format table entry in kubernetes-types', () => {
  const { definitions, warnings } = generateDefinitions();
  assert.deepEqual(warnings.filter((w) => w.startsWith('format table')), []);
  assert.ok(Object.keys(definitions).length > 500);
  assert.equal(definitions['io.k8s.api.core.v1.PodSpec']!.properties!.activeDeadlineSeconds!.format, 'int64');
  assert.deepEqual(definitions['io.k8s.api.core.v1.Secret']!.properties!.data!.additionalProperties, { type: 'string', format: 'byte' });
});

test('mergePatchMeta() reports entries that match no definition or field', () => {
  const defs: Definitions = { 'a.B': { type: 'object', properties: { x: { type: 'string' } } } };
  const warnings = mergePatchMeta(defs, { 'a.B': { x: { mapType: 'atomic' }, y: { listType: 'set' } }, 'a.C': {} });
  assert.deepEqual(warnings, ['patch metadata for unknown field a.B.y', 'patch metadata for unknown definition a.C']);
  assert.equal(defs['a.B']!.properties!.x!['x-kubernetes-map-type'], 'atomic');
});
