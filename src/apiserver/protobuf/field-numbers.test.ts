import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SchemaNode } from '../../api/schema/node.js';
import { definitions, schemaNode } from '../../api/schema/schemas.js';
import { messageFields } from './field-numbers.js';

/** The kinds berth serves plus the bodies of subresources and DeleteOptions. */
const ROOTS = [
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.Namespace',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.core.v1.Pod',
  'io.k8s.api.core.v1.Node',
  'io.k8s.api.core.v1.Endpoints',
  'io.k8s.api.core.v1.Event',
  'io.k8s.api.core.v1.PersistentVolume',
  'io.k8s.api.core.v1.PersistentVolumeClaim',
  'io.k8s.api.core.v1.Binding',
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.apps.v1.ReplicaSet',
  'io.k8s.api.apps.v1.StatefulSet',
  'io.k8s.api.apps.v1.ControllerRevision',
  'io.k8s.api.rbac.v1.Role',
  'io.k8s.api.rbac.v1.ClusterRole',
  'io.k8s.api.rbac.v1.RoleBinding',
  'io.k8s.api.rbac.v1.ClusterRoleBinding',
  'io.k8s.api.storage.v1.StorageClass',
  'io.k8s.api.storage.v1.CSIDriver',
  'io.k8s.api.storage.v1.VolumeAttachment',
  'io.k8s.api.coordination.v1.Lease',
  'io.k8s.api.discovery.v1.EndpointSlice',
  'io.k8s.api.events.v1.Event',
  'io.k8s.api.authorization.v1.SelfSubjectAccessReview',
  'io.k8s.api.autoscaling.v1.Scale',
  'io.k8s.api.policy.v1.Eviction',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
];

/** Wrappers the decoder reads itself. */
const WELL_KNOWN = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
]);

/** The JSON names a message's table covers, following inline embeddings. */
function tableNames(message: string): string[] {
  const fields = messageFields(message);
  assert.ok(fields, `no field table for ${message}`);
  return [...fields.values()].flatMap((f) => (f.inline ? tableNames(f.inline) : [f.name]));
}

/** Every named object definition reachable from a schema node. */
function reachable(roots: string[]): Map<string, SchemaNode> {
  const out = new Map<string, SchemaNode>();
  const work = roots.map((r) => schemaNode(r));
  while (work.length) {
    const node = work.pop()!;
    if (node.kind === 'list' || node.kind === 'map') {
      const elem = node.elem();
      if (elem) work.push(elem);
      continue;
    }
    if (node.kind !== 'object' || !node.name || out.has(node.name) || WELL_KNOWN.has(node.name)) continue;
    out.set(node.name, node);
    for (const f of node.fieldNames()) work.push(node.field(f)!);
  }
  return out;
}

test('every message reachable from the served kinds has a field table covering all its schema fields', () => {
  for (const [name, node] of reachable(ROOTS)) {
    const covered = new Set(tableNames(name));
    // apiVersion and kind of a top-level kind travel in the envelope, not in the message.
    // (DeleteOptions is such a kind though its definition carries no group-version-kind.)
    const topLevel = definitions()[name]?.['x-kubernetes-group-version-kind'] !== undefined || name.endsWith('.DeleteOptions');
    const typeMeta = topLevel ? ['apiVersion', 'kind'] : [];
    const missing = node.fieldNames().filter((f) => !covered.has(f) && !typeMeta.includes(f));
    assert.deepEqual(missing, [], `${name}: schema fields without a field number`);
  }
});

test('every table field name is in the schema, or a field newer than berth`s OpenAPI', () => {
  // Fields Kubernetes 1.31/1.32 added that the generated definitions (kubernetes-types 1.30) lack:
  // they decode to unknown fields, reported by field validation like unknown JSON fields.
  const newer = new Set([
    'DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential',
    'LeaseSpec.strategy',
    'LeaseSpec.preferredHolder',
    'NodeStatus.features',
    'PodSpec.resources',
    'ResourceAttributes.fieldSelector',
    'ResourceAttributes.labelSelector',
    'PodSecurityContext.supplementalGroupsPolicy',
    'PodSecurityContext.seLinuxChangePolicy',
    'PodResourceClaim.resourceClaimName',
    'PodResourceClaim.resourceClaimTemplateName',
    'ContainerStatus.user',
    'ContainerStatus.allocatedResourcesStatus',
    'NodeRuntimeHandlerFeatures.userNamespaces',
    'ResourceClaim.request',
    'VolumeSource.image',
  ]);
  for (const [name, node] of reachable(ROOTS)) {
    const schemaFields = new Set(node.fieldNames());
    const check = (message: string) => {
      const fields = messageFields(message);
      assert.ok(fields, `no field table for ${message}`);
      for (const f of fields.values()) {
        if (f.inline) check(f.inline);
        else if (!schemaFields.has(f.name)) assert.ok(newer.has(`${message.slice(message.lastIndexOf('.') + 1)}.${f.name}`), `${message}.${f.name} is not in the schema of ${name}`);
      }
    };
    check(name);
  }
});

test('messageFields() parses the zero-value and inline markers', () => {
  const spec = messageFields('io.k8s.api.apps.v1.DeploymentSpec')!;
  assert.deepEqual(spec.get(1), { name: 'replicas', showsZero: true });
  assert.deepEqual(spec.get(5), { name: 'minReadySeconds', showsZero: false });
  assert.deepEqual(messageFields('io.k8s.api.core.v1.Volume')!.get(2), {
    name: 'VolumeSource',
    showsZero: false,
    inline: 'io.k8s.api.core.v1.VolumeSource',
  });
  assert.equal(messageFields('io.k8s.api.batch.v1.Job'), undefined);
  assert.equal(messageFields('io.k8s.api.core.v1.toString'), undefined);
});
