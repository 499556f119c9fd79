// The swagger 2.0 document as protobuf: gnostic's openapi_v2.Document, the form kube-apiserver serves
// for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (kubectl asks for it when
// it validates on the client, e.g. `kubectl apply -f` of a `kind: List`). kube-openapi makes it by
// parsing the JSON document with gnostic (openapi_v2.ParseDocument) and marshalling the result, so
// this file maps our JSON the same way: object keys in document order, `x-` keys as NamedAny whose
// Any.yaml holds the value as YAML text (gnostic marshals the value's node with yaml.v3), `default`,
// `example` and `enum` values as Any.yaml too, oneofs (AdditionalPropertiesItem, ParametersItem,
// NonBodyParameter, ResponseValue, SchemaItem) chosen as gnostic's matching picks them.
//
// Field numbers: gnostic-models, openapiv2/OpenAPIv2.proto (package openapi.v2; the file kube-openapi's
// github.com/google/gnostic-models/openapiv2 is generated from), read at commit a84a29ee8efac8d764f8dd251aa316fcaa61c60c.
// The response (content negotiation, ETag) is openapi-v2-response.ts; the mapping machinery
// (field tables, vendor extensions, unmapped keys) is openapi-v2-walk.ts; the YAML text of Any values
// is gnostic-yaml.ts.
// Deliberately absent: oauth2 security definitions and response `headers`/`examples` (berth emits
// none; such keys are reported in `unmapped` and left out), and YAML line folding (Any.yaml text is
// equal to yaml.v3's for the short values berth emits; longer strings are double-quoted where
// yaml.v3 would fold them, which parses to the same value).

import { ProtoWriter } from './protobuf/encode.js';
import { encodeWith, isObject, named, object, writeExtensions } from './openapi-v2-walk.js';
import type { Ctx, Encode, J, Kind, Spec } from './openapi-v2-walk.js';

export interface EncodedDocument {
  bytes: Uint8Array;
  /** JSON paths of keys or values the mapping left out (gnostic would reject or berth never emits them). */
  unmapped: string[];
}

/** Encodes a swagger 2.0 document (parsed JSON) as gnostic's openapi_v2.Document. */
export function encodeOpenApiV2(doc: J): EncodedDocument {
  const cx: Ctx = { unmapped: [] };
  const bytes = encodeWith(DOCUMENT, doc, '', cx).finish();
  return { bytes, unmapped: cx.unmapped };
}

// --- Schema and its parts ---

const schema: Encode = object(() => SCHEMA);
const schemas: Kind = { msgs: schema };

/** AdditionalPropertiesItem: oneof { Schema schema = 1; bool boolean = 2; }. */
const additionalProperties: Encode = (v, path, cx) => {
  if (typeof v === 'boolean') return new ProtoWriter().bool(2, v, true);
  const s = schema(v, path, cx);
  return s && new ProtoWriter().message(1, s);
};

/** TypeItem: repeated string value = 1 (a single type becomes a one-element list). */
const typeItem: Encode = (v, path, cx) => {
  const types = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(types) || !types.every((t) => typeof t === 'string')) {
    cx.unmapped.push(path);
    return undefined;
  }
  return new ProtoWriter().repeatedString(1, types as string[]);
};

/** ItemsItem: repeated Schema schema = 1 (one schema, or each of a tuple's). */
const itemsItem: Encode = (v, path, cx) => {
  const w = new ProtoWriter();
  const list = Array.isArray(v) ? v : [v];
  list.forEach((item, i) => {
    const s = schema(item, Array.isArray(v) ? `${path}[${i}]` : path, cx);
    if (s) w.message(1, s);
  });
  return w;
};

const EXTERNAL_DOCS: Spec = { fields: { description: [1, 'string'], url: [2, 'string'] }, ext: 3 };
const XML: Spec = {
  fields: { name: [1, 'string'], namespace: [2, 'string'], prefix: [3, 'string'], attribute: [4, 'bool'], wrapped: [5, 'bool'] },
  ext: 6,
};
const externalDocs: Kind = { msg: object(() => EXTERNAL_DOCS) };

/** openapi_v2.Schema. */
const SCHEMA: Spec = {
  fields: {
    $ref: [1, 'string'],
    format: [2, 'string'],
    title: [3, 'string'],
    description: [4, 'string'],
    default: [5, 'any'],
    multipleOf: [6, 'double'],
    maximum: [7, 'double'],
    exclusiveMaximum: [8, 'bool'],
    minimum: [9, 'double'],
    exclusiveMinimum: [10, 'bool'],
    maxLength: [11, 'int64'],
    minLength: [12, 'int64'],
    pattern: [13, 'string'],
    maxItems: [14, 'int64'],
    minItems: [15, 'int64'],
    uniqueItems: [16, 'bool'],
    maxProperties: [17, 'int64'],
    minProperties: [18, 'int64'],
    required: [19, 'strings'],
    enum: [20, 'anys'],
    additionalProperties: [21, { msg: additionalProperties }],
    type: [22, { msg: typeItem }],
    items: [23, { msg: itemsItem }],
    allOf: [24, schemas],
    properties: [25, { msg: named(schema) }],
    discriminator: [26, 'string'],
    readOnly: [27, 'bool'],
    xml: [28, { msg: object(() => XML) }],
    externalDocs: [29, externalDocs],
    example: [30, 'any'],
  },
  ext: 31,
};

/** openapi_v2.FileSchema (a response schema of type `file`). */
const FILE_SCHEMA: Spec = {
  fields: {
    format: [1, 'string'],
    title: [2, 'string'],
    description: [3, 'string'],
    default: [4, 'any'],
    required: [5, 'strings'],
    type: [6, 'string'],
    readOnly: [7, 'bool'],
    externalDocs: [8, externalDocs],
    example: [9, 'any'],
  },
  ext: 10,
};

/** SchemaItem: oneof { Schema schema = 1; FileSchema file_schema = 2; }. */
const schemaItem: Encode = (v, path, cx) => {
  if (isObject(v) && v.type === 'file') return new ProtoWriter().message(2, encodeWith(FILE_SCHEMA, v, path, cx));
  const s = schema(v, path, cx);
  return s && new ProtoWriter().message(1, s);
};

// --- Parameters ---

/**
 * The validation keywords shared by PrimitivesItems, Header and the non-body parameter sub-schemas,
 * numbered from `type`'s field: they are laid out identically in each of those messages.
 */
function primitiveFields(typeField: number): Spec['fields'] {
  const n = (i: number) => typeField + i;
  return {
    type: [n(0), 'string'],
    format: [n(1), 'string'],
    items: [n(2), { msg: object(() => PRIMITIVES_ITEMS) }],
    collectionFormat: [n(3), 'string'],
    default: [n(4), 'any'],
    maximum: [n(5), 'double'],
    exclusiveMaximum: [n(6), 'bool'],
    minimum: [n(7), 'double'],
    exclusiveMinimum: [n(8), 'bool'],
    maxLength: [n(9), 'int64'],
    minLength: [n(10), 'int64'],
    pattern: [n(11), 'string'],
    maxItems: [n(12), 'int64'],
    minItems: [n(13), 'int64'],
    uniqueItems: [n(14), 'bool'],
    enum: [n(15), 'anys'],
    multipleOf: [n(16), 'double'],
  };
}

/** PrimitivesItems: type = 1 ... multiple_of = 17, vendor_extension = 18. */
const PRIMITIVES_ITEMS: Spec = { fields: primitiveFields(1), ext: 18 };
/** Header: type = 1 ... multiple_of = 17, description = 18, vendor_extension = 19. */
const HEADER: Spec = { fields: { ...primitiveFields(1), description: [18, 'string'] }, ext: 19 };

/** Header and path parameters: required 1, in 2, description 3, name 4, type 5 ... multiple_of 21, ext 22. */
const HEADER_OR_PATH_PARAMETER: Spec = {
  fields: { required: [1, 'bool'], in: [2, 'string'], description: [3, 'string'], name: [4, 'string'], ...primitiveFields(5) },
  ext: 22,
};
/** Query and formData parameters: as above with allow_empty_value = 5, so type = 6 ... ext 23. */
const QUERY_OR_FORM_PARAMETER: Spec = {
  fields: {
    required: [1, 'bool'],
    in: [2, 'string'],
    description: [3, 'string'],
    name: [4, 'string'],
    allowEmptyValue: [5, 'bool'],
    ...primitiveFields(6),
  },
  ext: 23,
};
/** BodyParameter. */
const BODY_PARAMETER: Spec = {
  fields: { description: [1, 'string'], name: [2, 'string'], in: [3, 'string'], required: [4, 'bool'], schema: [5, { msg: schema }] },
  ext: 6,
};
/** NonBodyParameter oneof field, by `in`. */
const NON_BODY: Record<string, readonly [number, Spec]> = {
  header: [1, HEADER_OR_PATH_PARAMETER],
  formData: [2, QUERY_OR_FORM_PARAMETER],
  query: [3, QUERY_OR_FORM_PARAMETER],
  path: [4, HEADER_OR_PATH_PARAMETER],
};

const JSON_REFERENCE: Spec = { fields: { $ref: [1, 'string'], description: [2, 'string'] } };

/** Parameter: oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; }. */
const parameter: Encode = (v, path, cx) => {
  if (!isObject(v)) {
    cx.unmapped.push(path);
    return undefined;
  }
  if (v.in === 'body') return new ProtoWriter().message(1, encodeWith(BODY_PARAMETER, v, path, cx));
  const nb = typeof v.in === 'string' && Object.hasOwn(NON_BODY, v.in) ? NON_BODY[v.in] : undefined;
  if (!nb) {
    cx.unmapped.push(`${path}.in`);
    return undefined;
  }
  const [field, spec] = nb;
  return new ProtoWriter().message(2, new ProtoWriter().message(field, encodeWith(spec, v, path, cx)));
};

/** ParametersItem: oneof { Parameter parameter = 1; JsonReference json_reference = 2; }. */
const parametersItem: Encode = (v, path, cx) => {
  if (isObject(v) && typeof v.$ref === 'string') return new ProtoWriter().message(2, encodeWith(JSON_REFERENCE, v, path, cx));
  const p = parameter(v, path, cx);
  return p && new ProtoWriter().message(1, p);
};

// --- Responses ---

const RESPONSE: Spec = { fields: { description: [1, 'string'], schema: [2, { msg: schemaItem }] }, ext: 5 };

/** ResponseValue: oneof { Response response = 1; JsonReference json_reference = 2; }. */
const responseValue: Encode = (v, path, cx) => {
  if (isObject(v) && typeof v.$ref === 'string' && v.description === undefined) {
    return new ProtoWriter().message(2, encodeWith(JSON_REFERENCE, v, path, cx));
  }
  const r = object(() => RESPONSE)(v, path, cx);
  return r && new ProtoWriter().message(1, r);
};

/** Responses: response_code = 1 (`NNN` and `default` keys), vendor_extension = 2. */
const responses: Encode = (v, path, cx) => {
  if (!isObject(v)) {
    cx.unmapped.push(path);
    return undefined;
  }
  const w = new ProtoWriter();
  const ext: [string, unknown][] = [];
  for (const [code, value] of Object.entries(v)) {
    if (/^([0-9]{3})$|^(default)$/.test(code)) {
      const r = responseValue(value, `${path}.${code}`, cx);
      const entry = new ProtoWriter().string(1, code);
      if (r) entry.message(2, r);
      w.message(1, entry);
    } else if (code.startsWith('x-')) ext.push([code, value]);
    else cx.unmapped.push(`${path}.${code}`);
  }
  writeExtensions(w, 2, ext);
  return w;
};

// --- Paths ---

const OPERATION: Spec = {
  fields: {
    tags: [1, 'strings'],
    summary: [2, 'string'],
    description: [3, 'string'],
    externalDocs: [4, externalDocs],
    operationId: [5, 'string'],
    produces: [6, 'strings'],
    consumes: [7, 'strings'],
    parameters: [8, { msgs: parametersItem }],
    responses: [9, { msg: responses }],
    schemes: [10, 'strings'],
    deprecated: [11, 'bool'],
    security: [12, { msgs: (v, p, cx) => securityRequirement(v, p, cx) }],
  },
  ext: 13,
};
const operation: Kind = { msg: object(() => OPERATION) };

const PATH_ITEM: Spec = {
  fields: {
    $ref: [1, 'string'],
    get: [2, operation],
    put: [3, operation],
    post: [4, operation],
    delete: [5, operation],
    options: [6, operation],
    head: [7, operation],
    patch: [8, operation],
    parameters: [9, { msgs: parametersItem }],
  },
  ext: 10,
};

/** Paths: vendor_extension = 1, path = 2 (NamedPathItem per `/` key). */
const paths: Encode = (v, path, cx) => {
  if (!isObject(v)) {
    cx.unmapped.push(path);
    return undefined;
  }
  const ext: [string, unknown][] = [];
  const items: [string, unknown][] = [];
  for (const [key, value] of Object.entries(v)) {
    if (key.startsWith('x-')) ext.push([key, value]);
    else if (key.startsWith('/')) items.push([key, value]);
    else cx.unmapped.push(`${path}.${key}`);
  }
  const w = new ProtoWriter();
  writeExtensions(w, 1, ext);
  for (const [name, value] of items) {
    const entry = new ProtoWriter().string(1, name);
    const item = object(() => PATH_ITEM)(value, `${path}.${name}`, cx);
    if (item) entry.message(2, item);
    w.message(2, entry);
  }
  return w;
};

// --- Document ---

/** SecurityRequirement: additional_properties = 1, NamedStringArray{name 1, value 2 StringArray{value 1}}. */
const securityRequirement: Encode = named((v, path, cx) => {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    cx.unmapped.push(path);
    return undefined;
  }
  return new ProtoWriter().repeatedString(1, v as string[]);
});

const BASIC_SECURITY: Spec = { fields: { type: [1, 'string'], description: [2, 'string'] }, ext: 3 };
const API_KEY_SECURITY: Spec = { fields: { type: [1, 'string'], name: [2, 'string'], in: [3, 'string'], description: [4, 'string'] }, ext: 5 };

/** SecurityDefinitionsItem: basic_authentication_security = 1, api_key_security = 2 (oauth2 left out). */
const securityDefinitionsItem: Encode = (v, path, cx) => {
  if (isObject(v) && v.type === 'basic') return new ProtoWriter().message(1, encodeWith(BASIC_SECURITY, v, path, cx));
  if (isObject(v) && v.type === 'apiKey') return new ProtoWriter().message(2, encodeWith(API_KEY_SECURITY, v, path, cx));
  cx.unmapped.push(path);
  return undefined;
};

const CONTACT: Spec = { fields: { name: [1, 'string'], url: [2, 'string'], email: [3, 'string'] }, ext: 4 };
const LICENSE: Spec = { fields: { name: [1, 'string'], url: [2, 'string'] }, ext: 3 };
const INFO: Spec = {
  fields: {
    title: [1, 'string'],
    version: [2, 'string'],
    description: [3, 'string'],
    termsOfService: [4, 'string'],
    contact: [5, { msg: object(() => CONTACT) }],
    license: [6, { msg: object(() => LICENSE) }],
  },
  ext: 7,
};
const TAG: Spec = { fields: { name: [1, 'string'], description: [2, 'string'], externalDocs: [3, externalDocs] }, ext: 4 };

const DOCUMENT: Spec = {
  fields: {
    swagger: [1, 'string'],
    info: [2, { msg: object(() => INFO) }],
    host: [3, 'string'],
    basePath: [4, 'string'],
    schemes: [5, 'strings'],
    consumes: [6, 'strings'],
    produces: [7, 'strings'],
    paths: [8, { msg: paths }],
    definitions: [9, { msg: named(schema) }],
    parameters: [10, { msg: named(parameter) }],
    responses: [11, { msg: named(object(() => RESPONSE)) }],
    security: [12, { msgs: securityRequirement }],
    securityDefinitions: [13, { msg: named(securityDefinitionsItem) }],
    tags: [14, { msgs: object(() => TAG) }],
    externalDocs: [15, externalDocs],
  },
  ext: 16,
};
