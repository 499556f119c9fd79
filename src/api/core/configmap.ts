// core/v1 ConfigMap: ValidateConfigMap (config keys, data/binaryData overlap, base64 binaryData, the
// 1 MiB total), ValidateConfigMapUpdate (nothing changes once `immutable` is true) and the DATA table.
// Deliberately absent: nothing else; config maps have no defaults or strategy of their own.

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, keyPath, tooLong } from '../errors.js';
import type { KObject, Printer, ResourceDef } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { MAX_SECRET_SIZE, base64DecodedLength, base64ErrorIndex, isConfigMapKey, validateCoreObjectMeta, validateCoreObjectMetaUpdate } from './field-validators.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };
export const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

function validateConfigMapData(cm: KObject): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  const binary: Record<string, unknown> = cm.binaryData ?? {};
  for (const [key, value] of Object.entries<unknown>(cm.data ?? {})) {
    const path = keyPath('data', key);
    errs.push(...isConfigMapKey(key).map((m) => invalid(path, key, m)));
    if (key in binary) errs.push(invalid(path, key, 'duplicate of key present in binaryData'));
    total += typeof value === 'string' ? Buffer.byteLength(value) : 0;
  }
  for (const [key, value] of Object.entries(binary)) {
    const path = keyPath('binaryData', key);
    errs.push(...isConfigMapKey(key).map((m) => invalid(path, key, m)));
    const bad = typeof value === 'string' ? base64ErrorIndex(value) : 0;
    if (bad >= 0) errs.push(invalid(path, '<binary data>', `illegal base64 data at input byte ${bad}`));
    else total += base64DecodedLength(value as string);
  }
  if (total > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  return errs;
}

function validateConfigMapUpdate(cm: KObject, old: KObject): FieldError[] {
  const errs = validateCoreObjectMetaUpdate(cm, old, META);
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(forbiddenField('immutable', IMMUTABLE_WHEN_SET));
    if (JSON.stringify(cm.data ?? null) !== JSON.stringify(old.data ?? null)) errs.push(forbiddenField('data', IMMUTABLE_WHEN_SET));
    if (JSON.stringify(cm.binaryData ?? null) !== JSON.stringify(old.binaryData ?? null)) errs.push(forbiddenField('binaryData', IMMUTABLE_WHEN_SET));
  }
  return [...errs, ...validateConfigMapData(cm)];
}

export const configMapPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Data',
      'string',
      "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
    ),
    AGE_COLUMN,
  ],
  row: (cm, ctx) => [
    cm.metadata?.name ?? '',
    Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
    ageCell(cm, ctx.now),
  ],
};

export const configMapResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  schemaName: 'io.k8s.api.core.v1.ConfigMap',

  validate: (cm) => [...validateCoreObjectMeta(cm, META), ...validateConfigMapData(cm)],
  validateUpdate: validateConfigMapUpdate,

  printer: configMapPrinter,
};
