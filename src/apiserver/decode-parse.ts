// Parsing request bodies the way Kubernetes' decoders see them: JSON with duplicate keys detected
// (reported as field paths, for strict field validation) and nesting bounded at 10000 like Go's
// encoding/json; YAML through the `yaml` package with the same duplicate reporting, the same depth
// bound and a bounded alias expansion (no billion laughs). Errors are 400 BadRequest Statuses.
// Deliberately absent: schema checks (decode-check.ts) and content negotiation (decode.ts).

import { parseDocument, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { badRequest, isApiError } from '../api/errors.js';

/** Go's encoding/json (and so Kubernetes' JSON decoding) stops at this nesting depth. */
export const MAX_DEPTH = 10000;
/**
 * YAML nesting limit. Kubernetes' goyaml allows 10000, but the `yaml` package's composer recurses
 * and overflows the stack near 900 levels, so YAML is bounded lower; manifests nest a few dozen deep.
 */
export const MAX_YAML_DEPTH = 500;
/** Aliases a YAML document may expand; far above what a manifest needs, far below a billion laughs. */
export const MAX_YAML_ALIASES = 100;

export interface Parsed {
  value: unknown;
  /** Field paths of repeated object keys, in document order: metadata.name, spec.containers[0].name. */
  duplicates: string[];
}

export interface ParseOptions {
  /** Text placed before parse error messages; default `json parse error: ` / `error converting YAML to JSON: `. */
  errorPrefix?: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * JSON.parse for the value, plus one linear scan (run first, so a deep `[[[[` never reaches a
 * recursive parser) for the nesting depth and duplicate keys. Invalid JSON → 400.
 */
export function parseJsonStrict(text: string, options: ParseOptions = {}): Parsed {
  const prefix = options.errorPrefix ?? 'json parse error: ';
  const duplicates = scanJson(text, prefix);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = text.trim() === '' ? 'unexpected end of JSON input' : (e as Error).message;
    throw badRequest(`${prefix}${msg}`);
  }
  return { value, duplicates };
}

interface Frame {
  isObject: boolean;
  /** Objects: keys seen so far (created on the second key, so one-key objects allocate nothing). */
  keys?: Set<string>;
  firstKey?: string;
  /** Objects: the key whose value is being read. Arrays: the index being read. */
  key: string;
  index: number;
  expectKey: boolean;
}

/** Depth and duplicate-key scan. Malformed input is left for JSON.parse to report. */
function scanJson(text: string, prefix: string): string[] {
  const duplicates: string[] = [];
  const stack: Frame[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20) continue;
    if (c === QUOTE) {
      const end = closingQuote(text, i + 1);
      if (end < 0) return duplicates;
      const start = i;
      i = end;
      const top = stack[stack.length - 1];
      if (top && top.isObject && top.expectKey) {
        const raw = text.slice(start + 1, end);
        const key = raw.includes('\\') ? unescapeKey(`"${raw}"`) : raw;
        if (key === undefined) return duplicates;
        if (top.firstKey === undefined) top.firstKey = key;
        else {
          top.keys ??= new Set([top.firstKey]);
          if (top.keys.has(key)) duplicates.push(renderPath(stack, key));
          else top.keys.add(key);
        }
        top.key = key;
        top.expectKey = false;
      }
    } else if (c === LBRACE || c === LBRACKET) {
      if (stack.length >= MAX_DEPTH) throw badRequest(`${prefix}invalid character '${String.fromCharCode(c)}' exceeded max depth`);
      stack.push({ isObject: c === LBRACE, key: '', index: 0, expectKey: c === LBRACE });
    } else if (c === RBRACE || c === RBRACKET) {
      stack.pop();
    } else if (c === COMMA) {
      const top = stack[stack.length - 1];
      if (top) {
        if (top.isObject) top.expectKey = true;
        else top.index++;
      }
    } else if (c === COLON) {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = false;
    }
  }
  return duplicates;
}

/** Index of the quote closing a string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let q = text.indexOf('"', from); q >= 0; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return -1;
}

function unescapeKey(quoted: string): string | undefined {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return undefined;
  }
}

/** The path of `key` inside the innermost frame. */
function renderPath(stack: Frame[], key: string): string {
  let out = '';
  for (let j = 0; j < stack.length - 1; j++) out = appendSegment(out, stack[j]!);
  return out ? `${out}.${key}` : key;
}

function appendSegment(path: string, f: Frame): string {
  if (!f.isObject) return `${path}[${f.index}]`;
  return path ? `${path}.${f.key}` : f.key;
}

/**
 * One YAML document (YAML 1.2 core schema, `<<` merge keys allowed) → plain JSON-compatible value.
 * Duplicate keys are reported like parseJsonStrict's; aliases expand at most MAX_YAML_ALIASES times;
 * nesting is checked by a linear pre-scan before the (recursive) parser runs.
 */
export function parseYaml(text: string, options: ParseOptions = {}): Parsed {
  const prefix = options.errorPrefix ?? 'error converting YAML to JSON: ';
  const tooDeep = () => badRequest(`${prefix}yaml: exceeded max depth of ${MAX_YAML_DEPTH}`);
  if (yamlDepthExceeds(text, MAX_YAML_DEPTH)) throw tooDeep();
  try {
    const doc = parseDocument(text, { uniqueKeys: false, merge: true, prettyErrors: false });
    const err = doc.errors[0];
    if (err) throw badRequest(`${prefix}yaml: ${firstLine(err.message)}`);
    const duplicates = yamlDuplicates(doc.contents as YamlNode | null, tooDeep);
    const value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) as unknown;
    return { value: value === undefined ? null : value, duplicates };
  } catch (e) {
    if (isApiError(e)) throw e;
    if (e instanceof RangeError) throw tooDeep();
    throw badRequest(`${prefix}yaml: ${firstLine((e as Error).message)}`);
  }
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

const isBlank = (c: number) => c === 0x20 || c === 0x09;

/**
 * Whether the document may nest deeper than `limit`: block levels (increasing indents, plus the
 * `- ` entries that open a sequence on the same line) plus flow levels ([ and { outside quotes and
 * comments). An over-estimate in odd cases; a linear scan that never recurses.
 */
function yamlDepthExceeds(text: string, limit: number): boolean {
  const indents: number[] = [];
  let flow = 0;
  let quote = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    let end = text.indexOf('\n', i);
    if (end < 0) end = n;
    let j = i;
    if (!quote && flow === 0) {
      while (j < end && text.charCodeAt(j) === 0x20) j++;
      const c = text.charCodeAt(j);
      if (j < end && c !== 0x23 && c !== 0x0d) {
        const indent = j - i;
        while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
        indents.push(indent);
        let dashes = 0;
        while (text.charCodeAt(j) === 0x2d && (j + 1 >= end || isBlank(text.charCodeAt(j + 1)))) {
          dashes++;
          j += 2;
          while (j < end && isBlank(text.charCodeAt(j))) j++;
        }
        if (indents.length + dashes > limit) return true;
      }
    }
    for (; j < end; j++) {
      const c = text.charCodeAt(j);
      if (quote) {
        if (quote === QUOTE && c === BACKSLASH) j++;
        else if (c === quote) quote = 0;
        continue;
      }
      const prev = j > i ? text.charCodeAt(j - 1) : 0x20;
      if (c === 0x23 && isBlank(prev)) break; // comment to end of line
      if ((c === QUOTE || c === 0x27) && (isBlank(prev) || prev === LBRACKET || prev === LBRACE || prev === COMMA || prev === COLON)) {
        quote = c;
      } else if (c === LBRACKET || c === LBRACE) {
        if (indents.length + ++flow > limit) return true;
      } else if ((c === RBRACKET || c === RBRACE) && flow > 0) {
        flow--;
      }
    }
    i = end + 1;
  }
  return false;
}

/** Duplicate keys in the document's node tree (aliases are not followed). */
function yamlDuplicates(root: YamlNode | null, tooDeep: () => Error): string[] {
  const out: string[] = [];
  const work: { node: unknown; path: string; depth: number }[] = [{ node: root, path: '', depth: 0 }];
  while (work.length) {
    const { node, path, depth } = work.pop()!;
    if (depth > MAX_YAML_DEPTH) throw tooDeep();
    if (isMap(node)) {
      const seen = new Set<string>();
      const children: typeof work = [];
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? String(item.key.value) : isAlias(item.key) ? `*${item.key.source}` : String(item.key);
        if (key === '<<') {
          children.push({ node: item.value, path, depth: depth + 1 });
          continue;
        }
        const child = path ? `${path}.${key}` : key;
        if (seen.has(key)) out.push(child);
        seen.add(key);
        children.push({ node: item.value, path: child, depth: depth + 1 });
      }
      for (let i = children.length - 1; i >= 0; i--) work.push(children[i]!);
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) work.push({ node: node.items[i], path: `${path}[${i}]`, depth: depth + 1 });
    }
  }
  return out;
}
