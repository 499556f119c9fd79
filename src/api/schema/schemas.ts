// Runtime access to the generated OpenAPI definitions (dist/openapi/definitions.json, written by
// scripts/gen-openapi.ts at build time): loads them once, and serves SchemaNode views of them — built
// lazily, one node per definition and per property, cached — for the decoder, the patchers and
// server-side apply. Deliberately absent: generation (build time), served documents
// (src/apiserver/openapi.ts), and any mutation of the definitions.

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ScalarType, SchemaNode } from './node.js';

/** One definition or property schema in swagger-2.0 form, with Kubernetes' x- extensions. */
export interface OpenApiSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  $ref?: string;
  [extension: `x-${string}`]: unknown;
}

export type Definitions = Record<string, OpenApiSchema>;

/** A SchemaNode that also carries the OpenAPI format (int32, int64, double, byte, date-time). */
export interface FormattedSchemaNode extends SchemaNode {
  format?: string;
}

const REF_PREFIX = '#/definitions/';

/** Definitions whose values are free-form JSON, whatever their declared type. */
const FREE_FORM = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
]);

const SCALAR_DEFINITIONS: Record<string, ScalarType> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'int-or-string',
  'io.k8s.apimachinery.pkg.api.resource.Quantity': 'quantity',
};

let loaded: Definitions | undefined;
let defaultIndex: SchemaIndex | undefined;

/** Where the generated definitions live, seen from the compiled module or from the source under tsx. */
export function definitionsPath(): string {
  const candidates = [
    new URL('../../../openapi/definitions.json', import.meta.url), // dist/src/api/schema → dist/openapi
    new URL('../../../dist/openapi/definitions.json', import.meta.url), // src/api/schema → dist/openapi
  ].map((u) => fileURLToPath(u));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`OpenAPI definitions not found (looked in ${candidates.join(', ')}); run \`npm run build\``);
  }
  return found;
}

/** All generated definitions, by name (io.k8s.api.core.v1.Pod). Loaded on first use. */
export function definitions(): Definitions {
  loaded ??= JSON.parse(readFileSync(definitionsPath(), 'utf8')) as Definitions;
  return loaded;
}

/** The SchemaNode of a named definition; throws for an unknown name. */
export function schemaNode(definitionName: string): SchemaNode {
  defaultIndex ??= new SchemaIndex(definitions());
  return defaultIndex.node(definitionName);
}

/** Whether a definition exists (without throwing). */
export function hasDefinition(definitionName: string): boolean {
  return Object.prototype.hasOwnProperty.call(definitions(), definitionName);
}

/** SchemaNodes over one set of definitions; tests build their own over small hand-written sets. */
export class SchemaIndex {
  private readonly cache = new Map<string, SchemaNode>();
  constructor(private readonly defs: Definitions) {}

  node(name: string): SchemaNode {
    let n = this.cache.get(name);
    if (!n) {
      const schema = this.defs[name];
      if (!schema) throw new Error(`no OpenAPI definition named ${name}`);
      n = this.build(schema, name);
      this.cache.set(name, n);
    }
    return n;
  }

  /** The node of an inline (property or element) schema. */
  inline(schema: OpenApiSchema): SchemaNode {
    if (schema.$ref) {
      const name = schema.$ref.startsWith(REF_PREFIX) ? schema.$ref.slice(REF_PREFIX.length) : schema.$ref;
      const base = this.node(name);
      if (!hasExtensions(schema)) return base;
      const def = this.defs[name]!;
      return this.build({ ...def, ...extensionsOf(schema) }, name);
    }
    return this.build(schema, undefined);
  }

  private build(schema: OpenApiSchema, name: string | undefined): SchemaNode {
    return new LazyNode(this, schema, name);
  }
}

class LazyNode implements FormattedSchemaNode {
  readonly kind: SchemaNode['kind'];
  readonly name?: string;
  readonly scalar?: ScalarType;
  readonly format?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: string[];
  readonly patchStrategy?: string;
  readonly patchMergeKey?: string;
  readonly mapType?: 'atomic' | 'granular';
  readonly description?: string;
  private fields?: Map<string, SchemaNode>;
  private element?: SchemaNode | null;

  constructor(
    private readonly index: SchemaIndex,
    private readonly schema: OpenApiSchema,
    name: string | undefined,
  ) {
    if (name) this.name = name;
    if (schema.description) this.description = schema.description;
    if (schema.format) this.format = schema.format;
    const scalarDef = name ? SCALAR_DEFINITIONS[name] : undefined;
    if (scalarDef) {
      this.kind = 'scalar';
      this.scalar = scalarDef;
    } else if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string'] === true) {
      this.kind = 'scalar';
      this.scalar = 'int-or-string';
    } else if ((name && FREE_FORM.has(name)) || schema['x-kubernetes-preserve-unknown-fields'] === true) {
      this.kind = 'any';
    } else {
      this.kind = kindOf(schema, name !== undefined);
      if (this.kind === 'scalar') this.scalar = schema.type as ScalarType;
    }
    const ext = schema as Record<string, unknown>;
    const listType = ext['x-kubernetes-list-type'];
    if (listType === 'atomic' || listType === 'set' || listType === 'map') this.listType = listType;
    if (Array.isArray(ext['x-kubernetes-list-map-keys'])) this.listMapKeys = ext['x-kubernetes-list-map-keys'] as string[];
    if (typeof ext['x-kubernetes-patch-strategy'] === 'string') this.patchStrategy = ext['x-kubernetes-patch-strategy'];
    if (typeof ext['x-kubernetes-patch-merge-key'] === 'string') this.patchMergeKey = ext['x-kubernetes-patch-merge-key'];
    const mapType = ext['x-kubernetes-map-type'];
    if (mapType === 'atomic' || mapType === 'granular') this.mapType = mapType;
  }

  field(name: string): SchemaNode | undefined {
    if (this.kind !== 'object') return undefined;
    const cached = this.fields?.get(name);
    if (cached) return cached;
    const props = this.schema.properties;
    if (!props || !Object.prototype.hasOwnProperty.call(props, name)) return undefined;
    const node = this.index.inline(props[name]!);
    (this.fields ??= new Map()).set(name, node);
    return node;
  }

  fieldNames(): string[] {
    return this.kind === 'object' ? Object.keys(this.schema.properties ?? {}) : [];
  }

  elem(): SchemaNode | undefined {
    if (this.element === undefined) {
      const s = this.kind === 'list' ? this.schema.items : this.kind === 'map' ? this.schema.additionalProperties : undefined;
      this.element = s && typeof s === 'object' ? this.index.inline(s) : null;
    }
    return this.element ?? undefined;
  }
}

/** A named `type: object` without properties is an empty Go struct; an anonymous one is free-form. */
function kindOf(schema: OpenApiSchema, named: boolean): SchemaNode['kind'] {
  switch (schema.type) {
    case 'array':
      return 'list';
    case 'object':
      if (schema.additionalProperties !== undefined && schema.additionalProperties !== false && !schema.properties) return 'map';
      return schema.properties || named ? 'object' : 'any';
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return 'scalar';
    default:
      return 'any';
  }
}

function hasExtensions(schema: OpenApiSchema): boolean {
  return Object.keys(schema).some((k) => k.startsWith('x-kubernetes-'));
}

function extensionsOf(schema: OpenApiSchema): OpenApiSchema {
  const out: OpenApiSchema = {};
  for (const [k, v] of Object.entries(schema)) if (k.startsWith('x-kubernetes-') || k === 'description') (out as Record<string, unknown>)[k] = v;
  return out;
}
