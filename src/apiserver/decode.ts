// Request-body decoding with Kubernetes' semantics: the body size limit (413), the accepted media
// types (415), parsing (decode-parse.ts), the schema walk (decode-check.ts), and the field validation
// policy: type errors always reject with 400 `<Kind> in version "<v>" cannot be handled as a <Kind>:
// ...`; unknown and duplicate fields reject under Strict, become warnings under Warn (the default, as
// in kube-apiserver) and pass silently under Ignore. Like decoding into Go structs, the decoded object
// loses its unknown fields and its null-valued struct fields (duplicates keep the last value).
// Protobuf bodies are decoded by protobuf/decode-protobuf.ts and then checked like JSON.
// Deliberately absent: patch bodies (the patch handlers parse them with parseJsonStrict/parseYaml and
// apply enforceFieldValidation to the patched object), defaulting and semantic validation.

import type { SchemaNode } from '../api/schema/node.js';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../api/errors.js';
import { checkFields } from './decode-check.js';
import type { FieldReport } from './decode-check.js';
import { parseJsonStrict, parseYaml } from './decode-parse.js';
import type { Parsed } from './decode-parse.js';
import { decodeProtobufObject, isProtobufContentType } from './protobuf/decode-protobuf.js';

export { checkFields } from './decode-check.js';
export type { FieldReport } from './decode-check.js';
export { parseJsonStrict, parseYaml, MAX_DEPTH, MAX_YAML_ALIASES, MAX_YAML_DEPTH } from './decode-parse.js';
export type { Parsed } from './decode-parse.js';

/** kube-apiserver's request body limit (MaxRequestBodyBytes): 3 MiB. */
export const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Anything that streams the body: an http.IncomingMessage, or a Readable in tests. */
export interface BodySource extends AsyncIterable<Buffer | string> {
  headers?: Record<string, string | string[] | undefined>;
}

/** Reads the whole body; over `limitBytes` → 413 `Request entity too large: limit is N` (the rest is discarded). */
export async function readBody(req: BodySource, limitBytes = DEFAULT_BODY_LIMIT): Promise<Buffer> {
  const tooLarge = () => requestEntityTooLarge(`Request entity too large: limit is ${limitBytes}`);
  const declared = Number(req.headers?.['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    drain(req);
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > limitBytes) {
      drain(req);
      throw tooLarge();
    }
    chunks.push(buf);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/** Lets a stream run to its end unread, so the connection can still carry the 413 response. */
function drain(req: BodySource): void {
  const r = req as { resume?: () => void };
  if (typeof r.resume === 'function') r.resume();
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

/** The decoder for a Content-Type, or 415 for anything else (a missing type included). */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json') return 'json';
  if (media === 'application/yaml') return 'yaml';
  if (isProtobufContentType(media)) return 'protobuf';
  throw unsupportedMediaType(contentType ?? '');
}

export interface DecodeOptions {
  body: Buffer | string;
  /** The body is JSON.stringify output (the in-process transport): no duplicate-key or depth scan. */
  canonical?: boolean;
  contentType: string | undefined;
  /** The served kind and apiVersion ("v1", "apps/v1"): the body may omit them, not contradict them. */
  kind: string;
  apiVersion: string;
  schema: SchemaNode;
  /** The request's fieldValidation; default Warn, as kube-apiserver. */
  fieldValidation?: FieldValidation;
}

export interface Decoded {
  obj: Record<string, unknown>;
  /** Texts for `Warning: 299 - "..."` headers. */
  warnings: string[];
}

const VERSION_KIND_TYPE = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/** Decodes a create/update body into a plain object of the served kind; see the module header. */
export function decodeObject(options: DecodeOptions): Decoded {
  const { kind, apiVersion, schema } = options;
  const format = bodyFormat(options.contentType);
  const { value, duplicates } =
    format === 'protobuf' ? decodeProtobuf(options) : options.canonical && format === 'json' ? parseCanonical(options.body) : parseText(options.body, format);
  if (value !== null && (typeof value !== 'object' || Array.isArray(value))) {
    throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(value)} into Go value of type ${VERSION_KIND_TYPE}`);
  }
  const obj = (value ?? {}) as Record<string, unknown>;
  checkTypeMeta(obj, { kind, apiVersion });
  const report = checkFields(obj, schema, { prune: true });
  const warnings = enforceFieldValidation(report, { kind, apiVersion, duplicates, fieldValidation: options.fieldValidation });
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = apiVersion;
  if (obj.kind === undefined || obj.kind === '') obj.kind = kind;
  return { obj, warnings };
}

function parseCanonical(body: Buffer | string): Parsed {
  try {
    return { value: JSON.parse(typeof body === 'string' ? body : body.toString('utf8')), duplicates: [] };
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

function parseText(body: Buffer | string, format: 'json' | 'yaml'): Parsed {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const errorPrefix = format === 'json' ? "couldn't get version/kind; json parse error: " : 'error converting YAML to JSON: ';
  return format === 'json' ? parseJsonStrict(text, { errorPrefix }) : parseYaml(text, { errorPrefix });
}

function decodeProtobuf(options: DecodeOptions): Parsed {
  const { body, kind, apiVersion, schema } = options;
  const buf = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  return { value: decodeProtobufObject(buf, { kind, apiVersion, schemaName: schema.name ?? '', schema }), duplicates: [] };
}

/** A body's apiVersion and kind may be absent (the endpoint supplies them) but must match when present. */
function checkTypeMeta(obj: Record<string, unknown>, expected: { kind: string; apiVersion: string }): void {
  const { apiVersion, kind } = obj;
  for (const [field, v] of [['apiVersion', apiVersion], ['kind', kind]] as const) {
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw badRequest(`couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(v)} into Go struct field .${field} of type string`);
    }
  }
  if (apiVersion && apiVersion !== expected.apiVersion) {
    throw badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${expected.apiVersion})`);
  }
  if (kind && kind !== expected.kind) {
    throw badRequest(`the kind in the data (${kind}) does not match the expected kind (${expected.kind})`);
  }
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number, object
}

export interface FieldValidationOptions {
  kind: string;
  apiVersion: string;
  /** Duplicate-key paths from the parser. */
  duplicates?: string[];
  fieldValidation?: FieldValidation;
}

/**
 * Applies the field validation policy to a report: the first type error → 400 always; unknown and
 * duplicate fields → 400 (Strict), warnings (Warn, default) or nothing (Ignore). Returns the warnings.
 */
export function enforceFieldValidation(report: FieldReport, options: FieldValidationOptions): string[] {
  const { kind } = options;
  const version = options.apiVersion.slice(options.apiVersion.indexOf('/') + 1);
  const cannot = `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: `;
  if (report.typeErrors.length) throw badRequest(cannot + report.typeErrors[0]);
  const directive = options.fieldValidation ?? 'Warn';
  if (directive === 'Ignore') return [];
  const problems = [
    ...report.unknown.map((p) => `unknown field ${JSON.stringify(p)}`),
    ...(options.duplicates ?? []).map((p) => `duplicate field ${JSON.stringify(p)}`),
  ];
  if (problems.length && directive === 'Strict') throw badRequest(`${cannot}strict decoding error: ${problems.join(', ')}`);
  return problems;
}

/** Reads the fieldValidation query parameter; unknown values → 400 with kube's wording. */
export function parseFieldValidation(raw: string | null | undefined): FieldValidation {
  if (raw === null || raw === undefined || raw === '') return 'Warn';
  if (raw === 'Strict' || raw === 'Warn' || raw === 'Ignore') return raw;
  throw badRequest(`fieldValidation: Unsupported value: ${JSON.stringify(raw)}: supported values: "Ignore", "Strict", "Warn"`);
}
