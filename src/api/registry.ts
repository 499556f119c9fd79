// The served resources, in discovery order. Adding a kind means writing its ResourceDef under
// src/api/<group>/ and listing it here.

import type { ResourceDef } from './resource.js';
import { podResource } from './core/pod.js';
import { nodeResource } from './core/node.js';
import { namespaceResource } from './core/namespace.js';
import { serviceResource } from './core/service.js';
import { endpointsResource } from './core/endpoints.js';
import { configMapResource } from './core/configmap.js';
import { secretResource } from './core/secret.js';
import { serviceAccountResource } from './core/service-account.js';
import { eventResource } from './core/event.js';
import { persistentVolumeResource } from './core/persistent-volume.js';
import { persistentVolumeClaimResource } from './core/persistent-volume-claim.js';
import { eventsV1EventResource } from './events/event.js';
import { storageClassResource } from './storage/storage-class.js';
import { volumeAttachmentResource } from './storage/volume-attachment.js';
import { csiDriverResource } from './storage/csi-driver.js';
import { statefulSetResource } from './apps/stateful-set.js';
import { deploymentResource } from './apps/deployment.js';
import { replicaSetResource } from './apps/replica-set.js';
import { controllerRevisionResource } from './apps/controller-revision.js';
import { roleResource } from './rbac/role.js';
import { roleBindingResource } from './rbac/role-binding.js';
import { clusterRoleResource } from './rbac/cluster-role.js';
import { clusterRoleBindingResource } from './rbac/cluster-role-binding.js';
import { leaseResource } from './coordination/lease.js';
import { endpointSliceResource } from './discovery/endpoint-slice.js';
import { selfSubjectAccessReviewResource } from './authorization/self-subject-access-review.js';

export const ALL_RESOURCES: ResourceDef[] = [
  podResource,
  nodeResource,
  namespaceResource,
  serviceResource,
  endpointsResource,
  persistentVolumeResource,
  persistentVolumeClaimResource,
  eventResource,
  configMapResource,
  secretResource,
  serviceAccountResource,
  statefulSetResource,
  deploymentResource,
  replicaSetResource,
  controllerRevisionResource,
  storageClassResource,
  volumeAttachmentResource,
  csiDriverResource,
  roleResource,
  roleBindingResource,
  clusterRoleResource,
  clusterRoleBindingResource,
  leaseResource,
  endpointSliceResource,
  eventsV1EventResource,
  selfSubjectAccessReviewResource,
] as ResourceDef[];
