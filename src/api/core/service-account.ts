// core/v1 ServiceAccount: the pkg/registry/core/serviceaccount strategy (secret references keep only
// their name), ValidateServiceAccount and the NAME / SECRETS / AGE table.
// Deliberately absent: the token subresource (TokenRequest) and token secret controllers.

import type { KObject, Printer, ResourceDef } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { nameIsDNSSubdomain } from '../validation/names.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate } from './field-validators.js';

const META = { namespaced: true, nameValidator: nameIsDNSSubdomain };

/** cleanSecretReferences. */
function cleanSecretReferences(sa: KObject): void {
  if (Array.isArray(sa.secrets)) sa.secrets = sa.secrets.map((s: any) => ({ name: s?.name }));
}

export const serviceAccountPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column(
      'Secrets',
      'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a "kubernetes.io/enforce-mountable-secrets" annotation set to "true". This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret',
    ),
    AGE_COLUMN,
  ],
  row: (sa, ctx) => [sa.metadata?.name ?? '', (sa.secrets ?? []).length, ageCell(sa, ctx.now)],
};

export const serviceAccountResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  schemaName: 'io.k8s.api.core.v1.ServiceAccount',

  prepareForCreate: cleanSecretReferences,
  prepareForUpdate: (sa) => cleanSecretReferences(sa),

  validate: (sa) => validateCoreObjectMeta(sa, META),
  validateUpdate: (sa, old) => validateCoreObjectMetaUpdate(sa, old, META),

  printer: serviceAccountPrinter,
};
