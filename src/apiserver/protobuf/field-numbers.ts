// Protobuf field number → JSON field name, per Kubernetes message, for every message reachable from
// the kinds berth serves (plus DeleteOptions, Scale, Binding and Eviction), keyed by OpenAPI
// definition name. Field types are not recorded: the OpenAPI schema already knows them. Two markers
// carry what the schema cannot:
//   '&name'   Go's JSON shows this field's zero value (a pointer, or no `omitempty`), so a written
//             zero ("" / 0 / false) is kept; without it a zero is dropped, as omitempty would.
//   '...Msg'  the field embeds message Msg (same package) inline (`json:",inline"`): its fields
//             belong to the enclosing object.
// Facts taken from k8s.io/api and k8s.io/apimachinery v0.32 (generated.proto for numbers and names,
// types.go for pointers, omitempty and inline). Deliberately absent: the well-known wrappers (Time,
// MicroTime, Quantity, IntOrString, RawExtension, FieldsV1), which decode-protobuf.ts reads itself,
// and decoding of any kind.

import { CORE_V1 } from './field-numbers-core.js';

type Tables = Record<string, Record<number, string>>;

const META_V1: Tables = {
  Condition: { 1: '&type', 2: '&status', 3: 'observedGeneration', 4: 'lastTransitionTime', 5: '&reason', 6: '&message' },
  DeleteOptions: {
    1: '&gracePeriodSeconds', 2: 'preconditions', 3: '&orphanDependents', 4: '&propagationPolicy', 5: 'dryRun',
    6: '&ignoreStoreReadErrorWithClusterBreakingPotential',
  },
  LabelSelector: { 1: 'matchLabels', 2: 'matchExpressions' },
  LabelSelectorRequirement: { 1: '&key', 2: '&operator', 3: 'values' },
  ManagedFieldsEntry: { 1: 'manager', 2: 'operation', 3: 'apiVersion', 4: 'time', 6: 'fieldsType', 7: 'fieldsV1', 8: 'subresource' },
  ObjectMeta: {
    1: 'name', 2: 'generateName', 3: 'namespace', 4: 'selfLink', 5: 'uid', 6: 'resourceVersion', 7: 'generation', 8: 'creationTimestamp',
    9: 'deletionTimestamp', 10: '&deletionGracePeriodSeconds', 11: 'labels', 12: 'annotations', 13: 'ownerReferences', 14: 'finalizers',
    17: 'managedFields',
  },
  OwnerReference: { 1: '&kind', 3: '&name', 4: '&uid', 5: '&apiVersion', 6: '&controller', 7: '&blockOwnerDeletion' },
  Preconditions: { 1: '&uid', 2: '&resourceVersion' },
};

const APPS_V1: Tables = {
  ControllerRevision: { 1: 'metadata', 2: 'data', 3: '&revision' },
  Deployment: { 1: 'metadata', 2: 'spec', 3: 'status' },
  DeploymentCondition: { 1: '&type', 2: '&status', 4: 'reason', 5: 'message', 6: 'lastUpdateTime', 7: 'lastTransitionTime' },
  DeploymentSpec: {
    1: '&replicas', 2: 'selector', 3: 'template', 4: 'strategy', 5: 'minReadySeconds', 6: '&revisionHistoryLimit', 7: 'paused',
    9: '&progressDeadlineSeconds',
  },
  DeploymentStatus: {
    1: 'observedGeneration', 2: 'replicas', 3: 'updatedReplicas', 4: 'availableReplicas', 5: 'unavailableReplicas', 6: 'conditions',
    7: 'readyReplicas', 8: '&collisionCount',
  },
  DeploymentStrategy: { 1: 'type', 2: 'rollingUpdate' },
  ReplicaSet: { 1: 'metadata', 2: 'spec', 3: 'status' },
  ReplicaSetCondition: { 1: '&type', 2: '&status', 3: 'lastTransitionTime', 4: 'reason', 5: 'message' },
  ReplicaSetSpec: { 1: '&replicas', 2: 'selector', 3: 'template', 4: 'minReadySeconds' },
  ReplicaSetStatus: {
    1: '&replicas', 2: 'fullyLabeledReplicas', 3: 'observedGeneration', 4: 'readyReplicas', 5: 'availableReplicas', 6: 'conditions',
  },
  RollingUpdateDeployment: { 1: 'maxUnavailable', 2: 'maxSurge' },
  RollingUpdateStatefulSetStrategy: { 1: '&partition', 2: 'maxUnavailable' },
  StatefulSet: { 1: 'metadata', 2: 'spec', 3: 'status' },
  StatefulSetCondition: { 1: '&type', 2: '&status', 3: 'lastTransitionTime', 4: 'reason', 5: 'message' },
  StatefulSetOrdinals: { 1: '&start' },
  StatefulSetPersistentVolumeClaimRetentionPolicy: { 1: 'whenDeleted', 2: 'whenScaled' },
  StatefulSetSpec: {
    1: '&replicas', 2: 'selector', 3: 'template', 4: 'volumeClaimTemplates', 5: '&serviceName', 6: 'podManagementPolicy', 7: 'updateStrategy',
    8: '&revisionHistoryLimit', 9: 'minReadySeconds', 10: 'persistentVolumeClaimRetentionPolicy', 11: 'ordinals',
  },
  StatefulSetStatus: {
    1: 'observedGeneration', 2: '&replicas', 3: 'readyReplicas', 4: 'currentReplicas', 5: 'updatedReplicas', 6: 'currentRevision',
    7: 'updateRevision', 9: '&collisionCount', 10: 'conditions', 11: '&availableReplicas',
  },
  StatefulSetUpdateStrategy: { 1: 'type', 2: 'rollingUpdate' },
};

const RBAC_V1: Tables = {
  AggregationRule: { 1: 'clusterRoleSelectors' },
  ClusterRole: { 1: 'metadata', 2: 'rules', 3: 'aggregationRule' },
  ClusterRoleBinding: { 1: 'metadata', 2: 'subjects', 3: 'roleRef' },
  PolicyRule: { 1: 'verbs', 2: 'apiGroups', 3: 'resources', 4: 'resourceNames', 5: 'nonResourceURLs' },
  Role: { 1: 'metadata', 2: 'rules' },
  RoleBinding: { 1: 'metadata', 2: 'subjects', 3: 'roleRef' },
  RoleRef: { 1: '&apiGroup', 2: '&kind', 3: '&name' },
  Subject: { 1: '&kind', 2: 'apiGroup', 3: '&name', 4: 'namespace' },
};

const STORAGE_V1: Tables = {
  CSIDriver: { 1: 'metadata', 2: 'spec' },
  CSIDriverSpec: {
    1: '&attachRequired', 2: '&podInfoOnMount', 3: 'volumeLifecycleModes', 4: '&storageCapacity', 5: '&fsGroupPolicy', 6: 'tokenRequests',
    7: '&requiresRepublish', 8: '&seLinuxMount',
  },
  StorageClass: {
    1: 'metadata', 2: '&provisioner', 3: 'parameters', 4: '&reclaimPolicy', 5: 'mountOptions', 6: '&allowVolumeExpansion', 7: '&volumeBindingMode',
    8: 'allowedTopologies',
  },
  TokenRequest: { 1: '&audience', 2: '&expirationSeconds' },
  VolumeAttachment: { 1: 'metadata', 2: 'spec', 3: 'status' },
  VolumeAttachmentSource: { 1: '&persistentVolumeName', 2: 'inlineVolumeSpec' },
  VolumeAttachmentSpec: { 1: '&attacher', 2: 'source', 3: '&nodeName' },
  VolumeAttachmentStatus: { 1: '&attached', 2: 'attachmentMetadata', 3: 'attachError', 4: 'detachError' },
  VolumeError: { 1: 'time', 2: 'message' },
};

const COORDINATION_V1: Tables = {
  Lease: { 1: 'metadata', 2: 'spec' },
  LeaseSpec: {
    1: '&holderIdentity', 2: '&leaseDurationSeconds', 3: 'acquireTime', 4: 'renewTime', 5: '&leaseTransitions', 6: '&strategy',
    7: '&preferredHolder',
  },
};

const DISCOVERY_V1: Tables = {
  Endpoint: { 1: 'addresses', 2: 'conditions', 3: '&hostname', 4: 'targetRef', 5: 'deprecatedTopology', 6: '&nodeName', 7: '&zone', 8: 'hints' },
  EndpointConditions: { 1: '&ready', 2: '&serving', 3: '&terminating' },
  EndpointHints: { 1: 'forZones' },
  EndpointPort: { 1: '&name', 2: '&protocol', 3: '&port', 4: '&appProtocol' },
  EndpointSlice: { 1: 'metadata', 2: 'endpoints', 3: 'ports', 4: '&addressType' },
  ForZone: { 1: '&name' },
};

const EVENTS_V1: Tables = {
  Event: {
    1: 'metadata', 2: 'eventTime', 3: 'series', 4: 'reportingController', 5: 'reportingInstance', 6: 'action', 7: 'reason', 8: 'regarding',
    9: 'related', 10: 'note', 11: 'type', 12: 'deprecatedSource', 13: 'deprecatedFirstTimestamp', 14: 'deprecatedLastTimestamp',
    15: 'deprecatedCount',
  },
  EventSeries: { 1: '&count', 2: 'lastObservedTime' },
};

const AUTHORIZATION_V1: Tables = {
  NonResourceAttributes: { 1: 'path', 2: 'verb' },
  ResourceAttributes: {
    1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name', 8: 'fieldSelector', 9: 'labelSelector',
  },
  SelfSubjectAccessReview: { 1: 'metadata', 2: 'spec', 3: 'status' },
  SelfSubjectAccessReviewSpec: { 1: 'resourceAttributes', 2: 'nonResourceAttributes' },
  SubjectAccessReviewStatus: { 1: '&allowed', 2: 'reason', 3: 'evaluationError', 4: 'denied' },
};

const AUTOSCALING_V1: Tables = {
  Scale: { 1: 'metadata', 2: 'spec', 3: 'status' },
  ScaleSpec: { 1: 'replicas' },
  ScaleStatus: { 1: '&replicas', 2: 'selector' },
};

const POLICY_V1: Tables = {
  Eviction: { 1: 'metadata', 2: 'deleteOptions' },
};

const PACKAGES: [string, Tables][] = [
  ['io.k8s.apimachinery.pkg.apis.meta.v1', META_V1],
  ['io.k8s.api.core.v1', CORE_V1],
  ['io.k8s.api.apps.v1', APPS_V1],
  ['io.k8s.api.rbac.v1', RBAC_V1],
  ['io.k8s.api.storage.v1', STORAGE_V1],
  ['io.k8s.api.coordination.v1', COORDINATION_V1],
  ['io.k8s.api.discovery.v1', DISCOVERY_V1],
  ['io.k8s.api.events.v1', EVENTS_V1],
  ['io.k8s.api.authorization.v1', AUTHORIZATION_V1],
  ['io.k8s.api.autoscaling.v1', AUTOSCALING_V1],
  ['io.k8s.api.policy.v1', POLICY_V1],
];

export interface FieldSpec {
  /** The JSON field name (for inline fields, the embedded message's short name). */
  name: string;
  /** Keep a written zero scalar: Go's JSON would show it. */
  showsZero: boolean;
  /** Set for inline embeddings: the embedded message's full name. */
  inline?: string;
}

const parsed = new Map<string, Map<number, FieldSpec>>();

/** The fields of a message (io.k8s.api.core.v1.Container) by number, or undefined for one not in the table. */
export function messageFields(message: string): ReadonlyMap<number, FieldSpec> | undefined {
  let fields = parsed.get(message);
  if (fields) return fields;
  const dot = message.lastIndexOf('.');
  const pkg = message.slice(0, dot);
  const table = PACKAGES.find(([p]) => p === pkg)?.[1];
  const raw = table && Object.prototype.hasOwnProperty.call(table, message.slice(dot + 1)) ? table[message.slice(dot + 1)] : undefined;
  if (!raw) return undefined;
  fields = new Map();
  for (const [num, text] of Object.entries(raw)) fields.set(Number(num), parseSpec(text, pkg));
  parsed.set(message, fields);
  return fields;
}

function parseSpec(text: string, pkg: string): FieldSpec {
  if (text.startsWith('...')) return { name: text.slice(3), showsZero: false, inline: `${pkg}.${text.slice(3)}` };
  if (text.startsWith('&')) return { name: text.slice(1), showsZero: true };
  return { name: text, showsZero: false };
}
