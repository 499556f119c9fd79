// RFC 6902 JSON patch (`application/json-patch+json`, `kubectl patch --type json`) on top of
// fast-json-patch, with kube-apiserver's error mapping: a body that does not decode as a list of
// operation objects is 400 BadRequest; any failure while applying (a failed `test`, a missing path, an
// unknown `op`, a missing `value`) is 422 Invalid with the generic message kube-apiserver gives, which
// kubectl prints as "The request is invalid: the server rejected our request due to an error in our
// request". More than 10000 operations is 413. Never mutates its inputs.
// Deliberately absent: strict decoding of unknown keys inside operations (fieldValidation).

import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { ApiError, badRequest, patchRejected, requestEntityTooLarge } from '../../api/errors.js';
import { cloneJson, isJsonObject } from './json-merge.js';

/** kube-apiserver's cap on the number of operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** Applies the RFC 6902 operations `ops` to `original` and returns the new document. */
export function jsonPatch(original: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${goJsonType(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (op !== null && !isJsonObject(op)) {
      throw badRequest(`json: cannot unmarshal ${goJsonType(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw requestEntityTooLarge(
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  // fast-json-patch inserts operation values by reference, so it works on copies of both.
  const doc = cloneJson(original);
  const operations = ops.map((op) => cloneJson(op ?? {})) as Operation[];
  try {
    return jsonpatch.applyPatch(doc, operations, true, true).newDocument;
  } catch (err) {
    if (err instanceof jsonpatch.JsonPatchError) throw patchRejected();
    throw err;
  }
}

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null || typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string, number
}

/** What errors.NewGenericServerResponse(422, ...) produces: the server's own message is dropped. */
