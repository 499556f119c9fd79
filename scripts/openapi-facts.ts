// Facts about Kubernetes' OpenAPI definitions that the TypeScript declarations in `kubernetes-types`
// cannot express: where a declaration file's types live in Go (definition-name prefixes), which
// `number` fields are int64 or double rather than int32, which strings are base64 bytes, and the
// schemas of the few types that are unions or aliases in TypeScript (IntOrString, Quantity, Time).
// Read from Kubernetes' Go types (k8s.io/api, k8s.io/apimachinery); descriptions are our own words
// where kubernetes-types has none. Deliberately absent: anything derivable from the declarations.

export interface JsonSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  $ref?: string;
  [extension: `x-${string}`]: unknown;
}

/** kubernetes-types declaration file (relative, without .d.ts) → Go package as OpenAPI names it. */
export function packageOf(relFile: string): string {
  switch (relFile) {
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default:
      return `io.k8s.api.${relFile.replace('/', '.')}`;
  }
}

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';

/** Schemas for names that are aliases or unions in TypeScript; the v2 (swagger) spelling. */
export const SPECIAL_SCHEMAS: Record<string, (description: string | undefined) => JsonSchema> = {
  [INT_OR_STRING]: () => ({
    description:
      'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type. This allows you to have, for example, a JSON field that can accept a name or number.',
    type: 'string',
    format: 'int-or-string',
  }),
  [QUANTITY]: (d) => ({ description: d, type: 'string' }),
  [TIME]: (d) => ({ description: d, type: 'string', format: 'date-time' }),
  [MICRO_TIME]: (d) => ({ description: d, type: 'string', format: 'date-time' }),
  // Free-form JSON: no type, any value.
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': (d) => ({ description: d }),
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': (d) => ({ description: d }),
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': (d) => ({ description: d }),
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': (d) => ({ description: d }),
  // Objects whose content is not described by a schema.
  'io.k8s.apimachinery.pkg.runtime.RawExtension': (d) => ({ description: d, type: 'object' }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': (d) => ({ description: d, type: 'object' }),
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': (d) => ({ description: d, type: 'object' }),
};

/** Go types are int32 unless listed here (definition name → fields). Format of `number` fields. */
const NUMBER_FORMATS: Record<string, Record<string, 'int64' | 'double'>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { generation: 'int64', deletionGracePeriodSeconds: 'int64' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': { remainingItemCount: 'int64' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions': { gracePeriodSeconds: 'int64' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': { observedGeneration: 'int64' },
  'io.k8s.api.core.v1.SleepAction': { seconds: 'int64' },
  'io.k8s.api.core.v1.Probe': { terminationGracePeriodSeconds: 'int64' },
  'io.k8s.api.core.v1.ServiceAccountTokenProjection': { expirationSeconds: 'int64' },
  'io.k8s.api.core.v1.Toleration': { tolerationSeconds: 'int64' },
  'io.k8s.api.core.v1.PodSpec': { terminationGracePeriodSeconds: 'int64', activeDeadlineSeconds: 'int64' },
  'io.k8s.api.core.v1.PodSecurityContext': {
    runAsUser: 'int64',
    runAsGroup: 'int64',
    supplementalGroups: 'int64',
    fsGroup: 'int64',
  },
  'io.k8s.api.core.v1.SecurityContext': { runAsUser: 'int64', runAsGroup: 'int64' },
  'io.k8s.api.core.v1.ReplicationControllerStatus': { observedGeneration: 'int64' },
  'io.k8s.api.core.v1.ContainerImage': { sizeBytes: 'int64' },
  'io.k8s.api.apps.v1.StatefulSetStatus': { observedGeneration: 'int64' },
  'io.k8s.api.apps.v1.DeploymentStatus': { observedGeneration: 'int64' },
  'io.k8s.api.apps.v1.DaemonSetStatus': { observedGeneration: 'int64' },
  'io.k8s.api.apps.v1.ReplicaSetStatus': { observedGeneration: 'int64' },
  'io.k8s.api.apps.v1.ControllerRevision': { revision: 'int64' },
  'io.k8s.api.storage.v1.TokenRequest': { expirationSeconds: 'int64' },
  'io.k8s.api.authentication.v1.TokenRequestSpec': { expirationSeconds: 'int64' },
  'io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus': { observedGeneration: 'int64' },
  'io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus': { observedGeneration: 'int64' },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { observedGeneration: 'int64' },
  'io.k8s.api.batch.v1.JobSpec': { activeDeadlineSeconds: 'int64' },
  'io.k8s.api.batch.v1.CronJobSpec': { startingDeadlineSeconds: 'int64' },
  'io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyStatus': { observedGeneration: 'int64' },
  'io.k8s.api.apiserverinternal.v1alpha1.StorageVersionCondition': { observedGeneration: 'int64' },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps': {
    maxItems: 'int64',
    maxLength: 'int64',
    maxProperties: 'int64',
    minItems: 'int64',
    minLength: 'int64',
    minProperties: 'int64',
    maximum: 'double',
    minimum: 'double',
    multipleOf: 'double',
  },
};

/** Go []byte fields (base64 strings on the wire); for maps, the values. */
const BYTE_FIELDS: Record<string, string[]> = {
  'io.k8s.api.core.v1.Secret': ['data'],
  'io.k8s.api.core.v1.ConfigMap': ['binaryData'],
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec': ['request'],
  'io.k8s.api.certificates.v1.CertificateSigningRequestStatus': ['certificate'],
  'io.k8s.api.admissionregistration.v1.WebhookClientConfig': ['caBundle'],
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig': ['caBundle'],
};

/** The OpenAPI type and format of a TypeScript `number` field. */
export function numberSchema(definition: string, field: string): JsonSchema {
  const f = NUMBER_FORMATS[definition]?.[field];
  if (f === 'double') return { type: 'number', format: 'double' };
  return { type: 'integer', format: f ?? 'int32' };
}

export function isByteField(definition: string, field: string): boolean {
  return BYTE_FIELDS[definition]?.includes(field) ?? false;
}

/** Every table entry as `definition.field`, so the generator can report those that matched nothing. */
export function formatTableEntries(): string[] {
  const out: string[] = [];
  for (const [d, fields] of Object.entries(NUMBER_FORMATS)) for (const f of Object.keys(fields)) out.push(`${d}.${f}`);
  for (const [d, fields] of Object.entries(BYTE_FIELDS)) for (const f of fields) out.push(`${d}.${f}`);
  return out;
}
