// Build-time generator of berth's OpenAPI definitions: reads the documented declarations shipped by
// `kubernetes-types` (one .d.ts per group/version, every interface and property with JSDoc) with the
// TypeScript compiler's parser, turns each interface into a swagger-2.0-style schema named as
// Kubernetes names it (io.k8s.api.core.v1.Pod), adds what TypeScript cannot say (int64/double
// formats, bytes, IntOrString, Quantity, Time — see openapi-facts.ts), merges the strategic-merge and
// list-type metadata from PATCH_META, and writes dist/openapi/definitions.json.
// Deliberately absent: paths and served documents (src/apiserver/openapi.ts builds those at start-up),
// the type checker (a syntax walk is enough for these flat declarations and keeps this under a second).
//
// Run: `node dist/scripts/gen-openapi.js` after `tsc` (package.json "build").

import ts from 'typescript';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ATOMIC_STRUCTS, PATCH_META } from '../src/api/schema/patch-meta.js';
import type { PatchMetaEntry } from '../src/api/schema/patch-meta.js';
import type { JsonSchema } from './openapi-facts.js';
import {
  INT_OR_STRING,
  SPECIAL_SCHEMAS,
  formatTableEntries,
  isByteField,
  numberSchema,
  packageOf,
} from './openapi-facts.js';

export type Definitions = Record<string, JsonSchema>;

export interface GenerateOptions {
  /** Directory of the kubernetes-types package. */
  typesDir?: string;
  /** Patch metadata per definition and field; defaults to PATCH_META. */
  patchMeta?: Record<string, Record<string, PatchMetaEntry>>;
  /** Definitions that are atomic as a whole (x-kubernetes-map-type on the definition); defaults to ATOMIC_STRUCTS. */
  atomicStructs?: readonly string[];
}

export interface GenerateResult {
  definitions: Definitions;
  /** Table entries (formats, patch metadata) that matched no property: a sign the tables drifted. */
  warnings: string[];
}

interface FileScope {
  pkg: string;
  /** Local and imported type names → definition names. */
  names: Map<string, string>;
  text: string;
}

export function generateDefinitions(options: GenerateOptions = {}): GenerateResult {
  const typesDir = options.typesDir ?? defaultTypesDir();
  const files = listDeclarationFiles(typesDir);
  const parsed = files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const rel = relative(typesDir, file).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
    return { rel, file, sf: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS), text };
  });
  const pkgOfFile = new Map(parsed.map((p) => [p.file, packageOf(p.rel)]));
  const definitions: Definitions = {};
  const matched = new Set<string>();

  for (const { sf, text, file } of parsed) {
    const scope: FileScope = { pkg: pkgOfFile.get(file)!, names: new Map(), text };
    for (const st of sf.statements) {
      if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name) {
        scope.names.set(st.name.text, `${scope.pkg}.${st.name.text}`);
      } else if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const target = join(dirname(file), `${st.moduleSpecifier.text}.d.ts`);
        const pkg = pkgOfFile.get(target);
        const bindings = st.importClause?.namedBindings;
        if (pkg && bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) scope.names.set(el.name.text, `${pkg}.${(el.propertyName ?? el.name).text}`);
        }
      }
    }
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st)) {
        const name = `${scope.pkg}.${st.name.text}`;
        definitions[name] = interfaceSchema(st, name, scope, matched);
      } else if (ts.isTypeAliasDeclaration(st)) {
        const name = `${scope.pkg}.${st.name.text}`;
        const special = SPECIAL_SCHEMAS[name];
        const description = jsDoc(st, text);
        definitions[name] = special ? special(description) : { description, ...typeSchema(st.type, { def: name, field: '', scope, matched }) };
      }
    }
  }
  definitions[INT_OR_STRING] = SPECIAL_SCHEMAS[INT_OR_STRING]!(undefined);

  const warnings: string[] = [];
  for (const entry of formatTableEntries()) if (!matched.has(entry)) warnings.push(`format table entry ${entry} matched no property`);
  warnings.push(...mergePatchMeta(definitions, options.patchMeta ?? PATCH_META));
  for (const name of options.atomicStructs ?? ATOMIC_STRUCTS) {
    const def = definitions[name];
    if (def) def['x-kubernetes-map-type'] = 'atomic';
    else warnings.push(`atomic struct ${name} is not a definition`);
  }
  return { definitions: sortKeys(definitions), warnings };
}

interface TypeContext {
  def: string;
  field: string;
  scope: FileScope;
  matched: Set<string>;
}

function interfaceSchema(decl: ts.InterfaceDeclaration, name: string, scope: FileScope, matched: Set<string>): JsonSchema {
  const special = SPECIAL_SCHEMAS[name];
  const description = jsDoc(decl, scope.text);
  if (special) return special(description);
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  let apiVersion: string | undefined;
  let kind: string | undefined;
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || !m.type) continue;
    const field = propertyName(m.name);
    if (field === undefined) continue;
    const schema = typeSchema(m.type, { def: name, field, scope, matched });
    const doc = jsDoc(m, scope.text);
    properties[field] = doc ? withDescription(schema, doc) : schema;
    if (!m.questionToken) required.push(field);
    const literal = stringLiteral(m.type);
    if (field === 'apiVersion') apiVersion = literal;
    if (field === 'kind') kind = literal;
  }
  const out: JsonSchema = { description, type: 'object' };
  if (Object.keys(properties).length) out.properties = properties;
  if (required.length) out.required = required.sort();
  if (apiVersion && kind) {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    out['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
  }
  if (!description) delete out.description;
  return out;
}

/** The schema of a property's TypeScript type. */
function typeSchema(node: ts.TypeNode, ctx: TypeContext): JsonSchema {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      if (isByteField(ctx.def, ctx.field)) {
        ctx.matched.add(`${ctx.def}.${ctx.field}`);
        return { type: 'string', format: 'byte' };
      }
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword: {
      const s = numberSchema(ctx.def, ctx.field);
      if (s.format !== 'int32') ctx.matched.add(`${ctx.def}.${ctx.field}`);
      return s;
    }
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.LiteralType:
      return ts.isStringLiteral((node as ts.LiteralTypeNode).literal) ? { type: 'string' } : {};
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: typeSchema((node as ts.ArrayTypeNode).elementType, ctx) };
    case ts.SyntaxKind.ParenthesizedType:
      return typeSchema((node as ts.ParenthesizedTypeNode).type, ctx);
  }
  if (ts.isUnionTypeNode(node)) {
    const kinds = node.types.map((t) => t.kind).sort();
    const intOrString = [ts.SyntaxKind.StringKeyword, ts.SyntaxKind.NumberKeyword].sort();
    if (kinds.length === 2 && kinds[0] === intOrString[0] && kinds[1] === intOrString[1]) {
      return { $ref: `#/definitions/${INT_OR_STRING}` };
    }
    return {};
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = entityName(node.typeName);
    if (name === 'Array' && node.typeArguments?.length === 1) {
      return { type: 'array', items: typeSchema(node.typeArguments[0]!, ctx) };
    }
    const def = ctx.scope.names.get(name);
    return def ? { $ref: `#/definitions/${def}` } : {};
  }
  if (ts.isTypeLiteralNode(node)) {
    const index = node.members.find(ts.isIndexSignatureDeclaration);
    if (index) return { type: 'object', additionalProperties: typeSchema(index.type, ctx) };
    return { type: 'object' };
  }
  return {};
}

function withDescription(schema: JsonSchema, description: string): JsonSchema {
  return { description, ...schema };
}

function entityName(n: ts.EntityName): string {
  return ts.isIdentifier(n) ? n.text : `${entityName(n.left)}.${n.right.text}`;
}

function propertyName(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n)) return n.text;
  return undefined;
}

function stringLiteral(t: ts.TypeNode): string | undefined {
  return ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal) ? t.literal.text : undefined;
}

/** The last /** comment before a node, without its comment syntax. */
function jsDoc(node: ts.Node, text: string): string | undefined {
  const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
  for (let i = ranges.length - 1; i >= 0; i--) {
    const r = ranges[i]!;
    const raw = text.slice(r.pos, r.end);
    if (!raw.startsWith('/**')) continue;
    const body = raw.slice(3, -2);
    const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, '').replace(/\s+$/, ''));
    const out = lines.join('\n').trim();
    return out || undefined;
  }
  return undefined;
}

/** Puts PATCH_META onto the properties as x-kubernetes-* extensions; returns entries that matched nothing. */
export function mergePatchMeta(definitions: Definitions, meta: Record<string, Record<string, PatchMetaEntry>>): string[] {
  const warnings: string[] = [];
  for (const [defName, fields] of Object.entries(meta)) {
    const def = definitions[defName];
    if (!def) {
      warnings.push(`patch metadata for unknown definition ${defName}`);
      continue;
    }
    for (const [field, m] of Object.entries(fields)) {
      const target = def.properties?.[field];
      if (!target) {
        warnings.push(`patch metadata for unknown field ${defName}.${field}`);
        continue;
      }
      if (m.patchStrategy) target['x-kubernetes-patch-strategy'] = m.patchStrategy;
      if (m.patchMergeKey) target['x-kubernetes-patch-merge-key'] = m.patchMergeKey;
      if (m.listType) target['x-kubernetes-list-type'] = m.listType;
      if (m.listMapKeys) target['x-kubernetes-list-map-keys'] = [...m.listMapKeys];
      if (m.mapType) target['x-kubernetes-map-type'] = m.mapType;
    }
  }
  return warnings;
}

function sortKeys(defs: Definitions): Definitions {
  const out: Definitions = {};
  for (const k of Object.keys(defs).sort()) out[k] = defs[k]!;
  return out;
}

function listDeclarationFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) listDeclarationFiles(p, out);
    else if (e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function defaultTypesDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('kubernetes-types/package.json'));
}

/** The repository root: the nearest ancestor of this module with a package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('gen-openapi: no package.json above this module');
    dir = up;
  }
  return dir;
}

function main(): void {
  const started = performance.now();
  const { definitions, warnings } = generateDefinitions();
  const out = join(repoRoot(), 'dist', 'openapi', 'definitions.json');
  mkdirSync(dirname(out), { recursive: true });
  const body = JSON.stringify(definitions);
  writeFileSync(out, body);
  const ms = Math.round(performance.now() - started);
  console.log(`gen-openapi: wrote ${Object.keys(definitions).length} definitions (${body.length} bytes) to ${out} in ${ms}ms`);
  // Entries for fields newer than kubernetes-types' Kubernetes version are expected; anything else is drift.
  if (warnings.length) console.log(`gen-openapi: ${warnings.length} table entries matched nothing:\n  ${warnings.join('\n  ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
