// Test helper: small hand-built SchemaNodes for the patch and apply tests, shaped like the real ones
// (a named object's fields take their patch metadata from PATCH_META, as the generated schemas do).
// Deliberately partial: only the fields the tests touch; production schemas come from schema/schemas.ts.

import type { ScalarType, SchemaNode } from '../../api/schema/node.js';
import { PATCH_META, ATOMIC_STRUCTS } from '../../api/schema/patch-meta.js';
import type { PatchMetaEntry } from '../../api/schema/patch-meta.js';

type Desc = SchemaNode | ScalarType;
type Extras = Pick<SchemaNode, 'name' | 'mapType' | 'listType' | 'listMapKeys' | 'patchStrategy' | 'patchMergeKey'>;

function node(d: Desc): SchemaNode {
  return typeof d === 'string' ? scalar(d) : d;
}

export function scalar(type: ScalarType): SchemaNode {
  if (type === 'any') return { kind: 'any', field: () => undefined, fieldNames: () => [], elem: () => undefined };
  return { kind: 'scalar', scalar: type, field: () => undefined, fieldNames: () => [], elem: () => undefined };
}

/** An object; with `name` set, each field gets PATCH_META[name][field] and the object its atomicity. */
export function obj(fields: Record<string, Desc | (() => Desc)>, extras: Extras = {}): SchemaNode {
  const meta = extras.name ? PATCH_META[extras.name] ?? {} : {};
  const cache = new Map<string, SchemaNode>();
  const atomicStruct = extras.name !== undefined && ATOMIC_STRUCTS.includes(extras.name);
  return {
    kind: 'object',
    ...(atomicStruct ? { mapType: 'atomic' as const } : {}),
    ...extras,
    field(name) {
      const d = fields[name];
      if (d === undefined) return undefined;
      let n = cache.get(name);
      if (!n) {
        n = withMeta(node(typeof d === 'function' ? d() : d), meta[name]);
        cache.set(name, n);
      }
      return n;
    },
    fieldNames: () => Object.keys(fields),
    elem: () => undefined,
  };
}

export function map(elem: Desc, extras: Extras = {}): SchemaNode {
  const e = node(elem);
  return { kind: 'map', ...extras, field: () => undefined, fieldNames: () => [], elem: () => e };
}

export function list(elem: Desc, extras: Extras = {}): SchemaNode {
  const e = node(elem);
  return { kind: 'list', ...extras, field: () => undefined, fieldNames: () => [], elem: () => e };
}

function withMeta(n: SchemaNode, meta: PatchMetaEntry | undefined): SchemaNode {
  if (!meta) return n;
  return { ...n, ...meta };
}

// ---- shapes ---------------------------------------------------------------------------------------

const CORE = 'io.k8s.api.core.v1.';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export const ownerReference = obj(
  { apiVersion: 'string', kind: 'string', name: 'string', uid: 'string', controller: 'boolean' },
  { name: `${META}OwnerReference` },
);

export const objectMeta = obj(
  {
    name: 'string',
    generateName: 'string',
    namespace: 'string',
    uid: 'string',
    resourceVersion: 'string',
    generation: 'integer',
    creationTimestamp: 'string',
    deletionTimestamp: 'string',
    labels: map('string'),
    annotations: map('string'),
    finalizers: list('string'),
    ownerReferences: list(ownerReference),
    managedFields: list('any'),
  },
  { name: `${META}ObjectMeta` },
);

export const labelSelector = obj(
  {
    matchLabels: map('string'),
    matchExpressions: list(obj({ key: 'string', operator: 'string', values: list('string') })),
  },
  { name: `${META}LabelSelector` },
);

const keySelector = obj({ name: 'string', key: 'string', optional: 'boolean' }, { name: `${CORE}SecretKeySelector` });

const envVar = obj(
  { name: 'string', value: 'string', valueFrom: obj({ secretKeyRef: keySelector, configMapKeyRef: keySelector }) },
  { name: `${CORE}EnvVar` },
);

const container = obj(
  {
    name: 'string',
    image: 'string',
    imagePullPolicy: 'string',
    command: list('string'),
    args: list('string'),
    env: list(envVar),
    ports: list(obj({ name: 'string', containerPort: 'integer', protocol: 'string' }, { name: `${CORE}ContainerPort` })),
    volumeMounts: list(obj({ name: 'string', mountPath: 'string', readOnly: 'boolean' }, { name: `${CORE}VolumeMount` })),
    resources: obj(
      { limits: map('quantity'), requests: map('quantity') },
      { name: `${CORE}ResourceRequirements` },
    ),
  },
  { name: `${CORE}Container` },
);

const volume = obj(
  {
    name: 'string',
    emptyDir: obj({ medium: 'string', sizeLimit: 'quantity' }),
    hostPath: obj({ path: 'string', type: 'string' }),
    configMap: obj(
      { name: 'string', items: list(obj({ key: 'string', path: 'string' })), defaultMode: 'integer' },
      { name: `${CORE}ConfigMapVolumeSource` },
    ),
    persistentVolumeClaim: obj({ claimName: 'string', readOnly: 'boolean' }),
  },
  { name: `${CORE}Volume` },
);

export const podSpec = obj(
  {
    containers: list(container),
    initContainers: list(container),
    volumes: list(volume),
    nodeSelector: map('string'),
    nodeName: 'string',
    restartPolicy: 'string',
    tolerations: list(obj({ key: 'string', operator: 'string', value: 'string', effect: 'string' })),
    terminationGracePeriodSeconds: 'integer',
  },
  { name: `${CORE}PodSpec` },
);

export const podSchema = obj(
  {
    apiVersion: 'string',
    kind: 'string',
    metadata: objectMeta,
    spec: podSpec,
    status: obj(
      {
        phase: 'string',
        podIP: 'string',
        conditions: list(obj({ type: 'string', status: 'string', reason: 'string' })),
        containerStatuses: list(obj({ name: 'string', ready: 'boolean', restartCount: 'integer' })),
      },
      { name: `${CORE}PodStatus` },
    ),
  },
  { name: `${CORE}Pod` },
);

export const serviceSchema = obj(
  {
    apiVersion: 'string',
    kind: 'string',
    metadata: objectMeta,
    spec: obj(
      {
        type: 'string',
        clusterIP: 'string',
        clusterIPs: list('string'),
        selector: map('string'),
        ports: list(
          obj({ name: 'string', port: 'integer', targetPort: 'int-or-string', protocol: 'string', nodePort: 'integer' }),
        ),
      },
      { name: `${CORE}ServiceSpec` },
    ),
  },
  { name: `${CORE}Service` },
);

export const deploymentSchema = obj(
  {
    apiVersion: 'string',
    kind: 'string',
    metadata: objectMeta,
    spec: obj(
      {
        replicas: 'integer',
        minReadySeconds: 'integer',
        selector: labelSelector,
        strategy: obj({
          type: 'string',
          rollingUpdate: obj({ maxSurge: 'int-or-string', maxUnavailable: 'int-or-string' }),
        }),
        template: obj({ metadata: objectMeta, spec: podSpec }),
      },
      { name: 'io.k8s.api.apps.v1.DeploymentSpec' },
    ),
    status: obj({ replicas: 'integer', readyReplicas: 'integer' }),
  },
  { name: 'io.k8s.api.apps.v1.Deployment' },
);

export const pvcSchema = obj(
  {
    apiVersion: 'string',
    kind: 'string',
    metadata: objectMeta,
    spec: obj(
      {
        accessModes: list('string'),
        storageClassName: 'string',
        volumeName: 'string',
        resources: obj({ requests: map('quantity'), limits: map('quantity') }),
      },
      { name: `${CORE}PersistentVolumeClaimSpec` },
    ),
    status: obj({ phase: 'string', capacity: map('quantity') }),
  },
  { name: `${CORE}PersistentVolumeClaim` },
);

/** A kind with a free-form field, like ControllerRevision.data. */
export const revisionSchema = obj(
  { apiVersion: 'string', kind: 'string', metadata: objectMeta, data: 'any', revision: 'integer' },
  { name: 'io.k8s.api.apps.v1.ControllerRevision' },
);
