// Label and field selectors: parsing (with Kubernetes' error texts) and matching.
// Label selector grammar as k8s.io/apimachinery/pkg/labels: =, ==, !=, in, notin, exists, !exists,
// gt/lt. Field selectors: =, ==, != over a fixed set of fields per resource.
// Deliberately absent: set-based field selectors (Kubernetes has none).

import { badRequest } from '../api/errors.js';

export type LabelRequirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = LabelRequirement[];

const KEY_RE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, whole: string): void {
  if (!KEY_RE.test(key) || key.length > 316) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') in selector "${whole}"`);
  }
}

function checkValue(v: string, whole: string): void {
  if (!VALUE_RE.test(v) || v.length > 63) {
    throw badRequest(`unable to parse requirement: values[0]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?') in selector "${whole}"`);
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim());
}

export function parseLabelSelector(input: string | null | undefined): LabelSelector {
  const s = (input ?? '').trim();
  if (!s) return [];
  const reqs: LabelSelector = [];
  for (const term of splitTerms(s)) {
    if (!term) throw badRequest(`unable to parse requirement: found '', expected: identifier in selector "${s}"`);
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^!\s*(\S+)$/))) {
      checkKey(m[1], s);
      reqs.push({ key: m[1], op: 'notexists' });
    } else if ((m = term.match(/^(\S+?)\s+(in|notin)\s*\((.*)\)$/))) {
      checkKey(m[1], s);
      const values = m[3].split(',').map((v) => v.trim());
      values.forEach((v) => checkValue(v, s));
      reqs.push({ key: m[1], op: m[2] as 'in' | 'notin', values });
    } else if ((m = term.match(/^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      checkKey(m[1], s);
      checkValue(m[3], s);
      reqs.push({ key: m[1], op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] });
    } else if ((m = term.match(/^([^=!<>\s]+)\s*([<>])\s*(\S+)$/))) {
      checkKey(m[1], s);
      const n = Number(m[3]);
      if (!Number.isInteger(n)) throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer in selector "${s}"`);
      reqs.push({ key: m[1], op: m[2] === '>' ? 'gt' : 'lt', value: n });
    } else if ((m = term.match(/^([^=!<>\s()]+)$/))) {
      checkKey(m[1], s);
      reqs.push({ key: m[1], op: 'exists' });
    } else {
      throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt in selector "${s}"`);
    }
  }
  return reqs;
}

export function matchLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of sel) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        if (!has || v !== r.value) return false;
        break;
      case 'neq':
        if (has && v === r.value) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'notexists':
        if (has) return false;
        break;
      case 'gt':
      case 'lt': {
        if (!has) return false;
        const n = Number(v);
        if (!Number.isInteger(n)) return false;
        if (r.op === 'gt' ? !(n > r.value) : !(n < r.value)) return false;
      }
    }
  }
  return true;
}

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

/** Unescapes field selector values (\, \= \\ as in fields.EscapeValue). */
function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/** Splits on an unescaped separator. */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === sep) {
      out.push(cur);
      cur = '';
    } else cur += s[i];
  }
  out.push(cur);
  return out;
}

export function parseFieldSelector(input: string | null | undefined, supported: string[]): FieldRequirement[] {
  const s = (input ?? '').trim();
  if (!s) return [];
  const reqs: FieldRequirement[] = [];
  for (const term of splitUnescaped(s, ',')) {
    const m = term.match(/^([^=!]+?)\s*(==|=|!=)(.*)$/s);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const field = m[1].trim();
    if (!supported.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    reqs.push({ field, op: m[2] === '!=' ? 'neq' : 'eq', value: unescapeValue(m[3]) });
  }
  return reqs;
}

export function matchFields(reqs: FieldRequirement[], get: (field: string) => string): boolean {
  for (const r of reqs) {
    const v = get(r.field);
    if (r.op === 'eq' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

/** The single name a selector pins (metadata.name=x), for fast lookups. */
export function pinnedName(reqs: FieldRequirement[]): string | undefined {
  const r = reqs.find((q) => q.field === 'metadata.name' && q.op === 'eq');
  return r?.value;
}
