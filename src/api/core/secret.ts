// core/v1 Secret: defaulting (type Opaque; stringData merged into data as base64 and dropped, as the
// v1 conversion does on every write), ValidateSecret (keys, base64 values, the 1 MiB total, the
// per-type required keys), ValidateSecretUpdate (type immutable; data frozen once `immutable` is
// true), the `type` field selector and the TYPE / DATA table.
// Deliberately absent: service-account token population (a controller's job).

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, keyPath, required, tooLong } from '../errors.js';
import type { KObject, Printer, ResourceDef } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { IMMUTABLE_WHEN_SET } from './configmap.js';
import {
  MAX_SECRET_SIZE,
  base64DecodedLength,
  base64ErrorIndex,
  isConfigMapKey,
  validateCoreObjectMeta,
  validateCoreObjectMetaUpdate,
  validateImmutable,
} from './field-validators.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };
const REDACTED = '<secret contents redacted>';

/** Secrets are stored with data only: stringData wins over data for the same key. */
function defaultSecret(secret: KObject): void {
  secret.type ||= 'Opaque';
  const stringData: Record<string, unknown> | undefined = secret.stringData;
  if (stringData && typeof stringData === 'object') {
    secret.data = { ...secret.data };
    for (const [k, v] of Object.entries(stringData)) secret.data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
  }
  delete secret.stringData;
}

function decoded(secret: KObject, key: string): string | undefined {
  const v = secret.data?.[key];
  return typeof v === 'string' && base64ErrorIndex(v) < 0 ? Buffer.from(v, 'base64').toString('utf8') : undefined;
}

function validateTypeSpecific(secret: KObject): FieldError[] {
  const data: Record<string, unknown> = secret.data ?? {};
  const has = (k: string) => k in data;
  const jsonKey = (k: string): FieldError[] => {
    if (!has(k)) return [required(keyPath('data', k))];
    try {
      JSON.parse(decoded(secret, k) ?? '');
      return [];
    } catch (e) {
      return [invalid(keyPath('data', k), REDACTED, (e as Error).message)];
    }
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      return secret.metadata?.annotations?.['kubernetes.io/service-account.name']
        ? []
        : [required('metadata.annotations[kubernetes.io/service-account.name]')];
    case 'kubernetes.io/dockercfg':
      return jsonKey('.dockercfg');
    case 'kubernetes.io/dockerconfigjson':
      return jsonKey('.dockerconfigjson');
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required('data[username]'), required('data[password]')];
    case 'kubernetes.io/ssh-auth':
      return decoded(secret, 'ssh-privatekey') ? [] : [required('data[ssh-privatekey]')];
    case 'kubernetes.io/tls':
      return [...(has('tls.crt') ? [] : [required('data[tls.crt]')]), ...(has('tls.key') ? [] : [required('data[tls.key]')])];
    default:
      return [];
  }
}

function validateSecretData(secret: KObject): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries<unknown>(secret.data ?? {})) {
    const path = keyPath('data', key);
    errs.push(...isConfigMapKey(key).map((m) => invalid(path, key, m)));
    const bad = typeof value === 'string' ? base64ErrorIndex(value) : 0;
    if (bad >= 0) errs.push(invalid(path, REDACTED, `illegal base64 data at input byte ${bad}`));
    else total += base64DecodedLength(value as string);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  return [...errs, ...validateTypeSpecific(secret)];
}

function validateSecretUpdate(secret: KObject, old: KObject): FieldError[] {
  const errs = [...validateCoreObjectMetaUpdate(secret, old, META), ...validateImmutable('type', { next: secret.type, old: old.type })];
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(forbiddenField('immutable', IMMUTABLE_WHEN_SET));
    if (JSON.stringify(secret.data ?? null) !== JSON.stringify(old.data ?? null)) errs.push(forbiddenField('data', IMMUTABLE_WHEN_SET));
  }
  return [...errs, ...validateSecretData(secret)];
}

export const secretPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'),
    column(
      'Data',
      'string',
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
    ),
    AGE_COLUMN,
  ],
  row: (s, ctx) => [s.metadata?.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, ageCell(s, ctx.now)],
};

export const secretResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  schemaName: 'io.k8s.api.core.v1.Secret',

  defaults: defaultSecret,
  validate: (s) => [...validateCoreObjectMeta(s, META), ...validateSecretData(s)],
  validateUpdate: validateSecretUpdate,

  fieldSelectors: {
    type: (s) => s.type ?? '',
  },

  printer: secretPrinter,
};
