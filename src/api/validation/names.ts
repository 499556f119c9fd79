// Name, label and annotation validators with Kubernetes' own messages
// (k8s.io/apimachinery/pkg/util/validation). Each returns a list of problem strings (empty = valid),
// which callers wrap into field errors with the bad value.

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueRe = new RegExp(`^${labelValueFmt}$`);

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
export const LABEL_VALUE_MAX = 63;
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** apimachinery's RegexError: the message, examples if any, and the pattern used. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  let s = `${msg} (`;
  if (examples.length) {
    s += 'e.g. ' + examples.map((e) => `'${e}'`).join(',  or ') + ', ';
  }
  return `${s}regex used for validation is '${fmt}')`;
}

const maxLen = (n: number) => `must be no more than ${n} characters`;

/** A length limit and a pattern, with the message Kubernetes gives when the pattern fails. */
interface Format {
  max: number;
  re: RegExp;
  error: string;
}

/** The length problem (if any), then the pattern problem (if any), as the Is* validators report them. */
function formatProblems(v: string, f: Format): string[] {
  const errs: string[] = [];
  if (v.length > f.max) errs.push(maxLen(f.max));
  if (!f.re.test(v)) errs.push(f.error);
  return errs;
}

const DNS1123_LABEL: Format = {
  max: DNS1123_LABEL_MAX,
  re: dns1123LabelRe,
  error: regexError(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    dns1123LabelFmt,
    'my-name',
    '123-abc',
  ),
};

const DNS1123_SUBDOMAIN: Format = {
  max: DNS1123_SUBDOMAIN_MAX,
  re: dns1123SubdomainRe,
  error: regexError(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    dns1123SubdomainFmt,
    'example.com',
  ),
};

const DNS1035_LABEL: Format = {
  max: DNS1123_LABEL_MAX,
  re: dns1035LabelRe,
  error: regexError(
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
    dns1035LabelFmt,
    'my-name',
    'abc-123',
  ),
};

const LABEL_VALUE: Format = {
  max: LABEL_VALUE_MAX,
  re: labelValueRe,
  error: regexError(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    labelValueFmt,
    'MyValue',
    'my_value',
    '12345',
  ),
};

/** The pattern message of a qualified name's name part (also the start of the "too many slashes" one). */
const QUALIFIED_NAME_ERROR = regexError(
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  qualifiedNameFmt,
  'MyName',
  'my.name',
  '123-abc',
);

export function isDNS1123Label(v: string): string[] {
  return formatProblems(v, DNS1123_LABEL);
}

export function isDNS1123Subdomain(v: string): string[] {
  return formatProblems(v, DNS1123_SUBDOMAIN);
}

export function isDNS1035Label(v: string): string[] {
  return formatProblems(v, DNS1035_LABEL);
}

/** Label keys, annotation keys, finalizers: [prefix/]name. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n;
    if (prefix.length === 0) errs.push('prefix part ' + 'must be non-empty');
    else for (const m of isDNS1123Subdomain(prefix)) errs.push('prefix part ' + m);
  } else {
    return [`a qualified name ${QUALIFIED_NAME_ERROR} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part ' + maxLen(63));
  if (name.length > 0 && !qualifiedNameRe.test(name)) errs.push('name part ' + QUALIFIED_NAME_ERROR);
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  return formatProblems(v, LABEL_VALUE);
}

/** Names usable as a path segment (every object name must be one). */
export function isValidPathSegmentName(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (v.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

export type NameValidator = (name: string, prefix: boolean) => string[];

/** For generateName prefixes, a trailing '-' is allowed: validate the name with it stripped. */
function withPrefix(fn: (v: string) => string[]): NameValidator {
  return (name, prefix) => fn(prefix ? name.replace(/-$/, '') || 'a' : name);
}

export const nameIsDNSSubdomain: NameValidator = withPrefix(isDNS1123Subdomain);
export const nameIsDNSLabel: NameValidator = withPrefix(isDNS1123Label);
export const nameIsDNS1035Label: NameValidator = withPrefix(isDNS1035Label);
/** Path-segment-only names (RBAC roles and bindings). */
export const nameIsPathSegment: NameValidator = (name) => isValidPathSegmentName(name);
