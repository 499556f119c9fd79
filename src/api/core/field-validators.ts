// Small value validators shared by the core/v1 resources, with Kubernetes' own messages
// (k8s.io/apimachinery/pkg/util/validation and the helpers at the top of
// pkg/apis/core/validation/validation.go): env var names, config keys, port names, numbers and
// protocols, IPs, base64 data, immutability, and core's ObjectMeta wrapper that also checks legacy
// finalizer names.
// Deliberately absent: anything resource-specific; each resource file composes these.

import { isIP } from 'node:net';
import type { FieldError } from '../errors.js';
import { invalid, notSupported, required } from '../errors.js';
import type { KObject } from '../resource.js';
import type { MetaValidationOptions } from '../validation/meta.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import { DNS1123_SUBDOMAIN_MAX, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, regexError } from '../validation/names.js';
import { semanticEqual } from './semantic-equal.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
/** core.MaxSecretSize: 1 MiB for secrets and config maps. */
export const MAX_SECRET_SIZE = 1024 * 1024;

/** hasChDirPrefix: names that would escape a directory. */
function chDirPrefix(v: string): string[] {
  if (v === '.') return ["must not be '.'"];
  if (v === '..') return ["must not be '..'"];
  if (v.startsWith('..')) return ["must not start with '..'"];
  return [];
}

const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
const envVarNameRe = new RegExp(`^${envVarNameFmt}$`);

export function isEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (!envVarNameRe.test(v)) {
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        envVarNameFmt,
        'my.env-name',
        'MY_ENV.NAME',
        'MyEnvName1',
      ),
    );
  }
  return [...errs, ...chDirPrefix(v)];
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
const configMapKeyRe = new RegExp(`^${configMapKeyFmt}$`);

export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > DNS1123_SUBDOMAIN_MAX) errs.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  if (!configMapKeyRe.test(v)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  return [...errs, ...chDirPrefix(v)];
}

export function isValidPortNum(port: unknown): string[] {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** IANA_SVC_NAME: at most 15 characters, a-z0-9 and '-', at least one letter, no '--', no edge '-'. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** A port number (1-65535); a missing one is reported as 0, as Go's zero value. */
export function validatePortNum(port: unknown, path: string): FieldError[] {
  return isValidPortNum(port).map((m) => invalid(path, port ?? 0, m));
}

/** Port given as number or IANA name (intstr.IntOrString). */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  return validatePortNum(port, path);
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** The protocol of a container, Service or Endpoints port: required, SCTP, TCP or UDP. */
export function validateProtocol(protocol: unknown, path: string): FieldError[] {
  if (!protocol) return [required(path)];
  return PROTOCOLS.includes(protocol as string) ? [] : [notSupported(path, protocol, PROTOCOLS)];
}

/** appProtocol of a Service, Endpoints or EndpointSlice port: optional, a qualified name when set. */
export function validateAppProtocol(appProtocol: unknown, path: string): FieldError[] {
  if (appProtocol === undefined || appProtocol === null) return [];
  return isQualifiedName(appProtocol as string).map((m) => invalid(path, appProtocol, m));
}

/** netutils.ParseIPSloppy: IPv4 octets may carry leading zeros. */
export function parseIPFamily(v: string): 4 | 6 | 0 {
  if (typeof v !== 'string') return 0;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (v4) return v4.slice(1).every((o) => Number(o) <= 255) ? 4 : 0;
  return isIP(v) === 6 ? 6 : 0;
}

export function validateIP(value: string, path: string): FieldError[] {
  return parseIPFamily(value) ? [] : [invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export function validateDNS1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

export function validateDNS1123Subdomain(value: string, path: string): FieldError[] {
  return isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
}

export function validateNonnegative(value: unknown, path: string): FieldError[] {
  return typeof value === 'number' && value < 0 ? [invalid(path, value, IS_NEGATIVE)] : [];
}

/** apimachinery ValidateImmutableField. */
export function validateImmutable(path: string, values: { next: unknown; old: unknown }): FieldError[] {
  const { next, old } = values;
  return JSON.stringify(next ?? null) === JSON.stringify(old ?? null) ? [] : [invalid(path, next ?? null, FIELD_IMMUTABLE)];
}

/** ValidateImmutableField compared as apiequality.Semantic does: nil and empty are the same value. */
export function validateSemanticImmutable(path: string, values: { next: unknown; old: unknown }): FieldError[] {
  const { next, old } = values;
  return semanticEqual(next, old) ? [] : [invalid(path, next ?? null, FIELD_IMMUTABLE)];
}

/** Go's base64.StdEncoding check: the index of the first bad input byte, or -1 when valid. */
export function base64ErrorIndex(s: string): number {
  const alphabet = /[A-Za-z0-9+/]/;
  let si = 0;
  const skipNewlines = () => {
    while (si < s.length && (s[si] === '\n' || s[si] === '\r')) si++;
  };
  for (;;) {
    for (let j = 0; j < 4; j++) {
      skipNewlines();
      if (si === s.length) return j === 0 ? -1 : si - j;
      const c = s[si++];
      if (alphabet.test(c)) continue;
      if (c !== '=' || j < 2) return si - 1;
      if (j === 2) {
        // "==" is expected; the first "=" is consumed.
        skipNewlines();
        if (si === s.length) return s.length;
        if (s[si] !== '=') return si - 1;
        si++;
      }
      skipNewlines();
      return si < s.length ? si : -1;
    }
  }
}

/** Byte length of base64 data once decoded. */
export function base64DecodedLength(s: string): number {
  const text = s.replace(/[\r\n]/g, '');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - pad;
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** validateKubeFinalizerName: a finalizer without a '/' must be one of the legacy standard names. */
export function validateKubeFinalizerName(name: string, path: string): FieldError[] {
  if (name.includes('/') || STANDARD_FINALIZERS.has(name)) return [];
  return [invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified')];
}

function kubeFinalizerErrors(obj: KObject): FieldError[] {
  return (obj.metadata?.finalizers ?? []).flatMap((f, i) => validateKubeFinalizerName(f, `metadata.finalizers[${i}]`));
}

/** core's ValidateObjectMeta: the generic checks plus legacy finalizer names. */
export function validateCoreObjectMeta(obj: KObject, opts: MetaValidationOptions): FieldError[] {
  return [...validateObjectMeta(obj, opts), ...kubeFinalizerErrors(obj)];
}

/** core's ValidateObjectMetaUpdate. */
export function validateCoreObjectMetaUpdate(obj: KObject, old: KObject, opts: MetaValidationOptions): FieldError[] {
  return [...validateObjectMetaUpdate(obj, old, opts), ...kubeFinalizerErrors(obj)];
}
