// Patch metadata of the served types: the Go struct tags `patchStrategy`/`patchMergeKey` and the
// `+listType`/`+listMapKey`/`+mapType` markers of k8s.io/api v0.32 (and apimachinery's meta/v1), keyed
// by OpenAPI definition name and json field name. The strategic-merge patcher, server-side apply and
// the OpenAPI generator (x-kubernetes-patch-strategy, x-kubernetes-list-type, ...) all read this table.
// A list field absent here is atomic for apply and replaced by strategic merge; a map field absent here
// is granular. Inlined Go structs (VolumeSource, EphemeralContainerCommon) appear under the definition
// they are inlined into. Deliberately absent: `*List.items`, option and discovery types, and the
// type-level `+structType=atomic` markers, which cannot be keyed by field: those are ATOMIC_STRUCTS.

export interface PatchMetaEntry {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

// Each helper returns a fresh object so that no consumer can alter another field's entry.
const atomic = (): PatchMetaEntry => ({ listType: 'atomic' });
const set = (): PatchMetaEntry => ({ listType: 'set' });
/** A primitive list with `patchStrategy:"merge"` and no merge key (finalizers, podCIDRs). */
const mergeSet = (): PatchMetaEntry => ({ patchStrategy: 'merge', listType: 'set' });
const listMap = (keys: string[]): PatchMetaEntry => ({ listType: 'map', listMapKeys: keys });
/** A list merged by `key` under strategic merge and keyed by `keys` (default [key]) under apply. */
const mergeByKey = (key: string, keys: string[] = [key], strategy = 'merge'): PatchMetaEntry => ({
  patchStrategy: strategy,
  patchMergeKey: key,
  listType: 'map',
  listMapKeys: keys,
});

export const PATCH_META: Record<string, Record<string, PatchMetaEntry>> = {
  'io.k8s.api.core.v1.PersistentVolumeSpec': { accessModes: atomic(), mountOptions: atomic() },
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': { accessModes: atomic() },
  'io.k8s.api.core.v1.PersistentVolumeClaimStatus': {
    accessModes: atomic(),
    conditions: mergeByKey('type'),
    allocatedResourceStatuses: { mapType: 'granular' },
  },
  'io.k8s.api.core.v1.RBDVolumeSource': { monitors: atomic() },
  'io.k8s.api.core.v1.RBDPersistentVolumeSource': { monitors: atomic() },
  'io.k8s.api.core.v1.CephFSVolumeSource': { monitors: atomic() },
  'io.k8s.api.core.v1.CephFSPersistentVolumeSource': { monitors: atomic() },
  'io.k8s.api.core.v1.SecretVolumeSource': { items: atomic() },
  'io.k8s.api.core.v1.SecretProjection': { items: atomic() },
  'io.k8s.api.core.v1.ISCSIVolumeSource': { portals: atomic() },
  'io.k8s.api.core.v1.ISCSIPersistentVolumeSource': { portals: atomic() },
  'io.k8s.api.core.v1.FCVolumeSource': { targetWWNs: atomic(), wwids: atomic() },
  'io.k8s.api.core.v1.ConfigMapVolumeSource': { items: atomic() },
  'io.k8s.api.core.v1.ConfigMapProjection': { items: atomic() },
  'io.k8s.api.core.v1.ProjectedVolumeSource': { sources: atomic() },
  'io.k8s.api.core.v1.HTTPGetAction': { httpHeaders: atomic() },
  'io.k8s.api.core.v1.ExecAction': { command: atomic() },
  'io.k8s.api.core.v1.Capabilities': { add: atomic(), drop: atomic() },
  'io.k8s.api.core.v1.ResourceRequirements': { claims: listMap(['name']) },
  'io.k8s.api.core.v1.Container': {
    command: atomic(),
    args: atomic(),
    ports: mergeByKey('containerPort', ['containerPort', 'protocol']),
    envFrom: atomic(),
    env: mergeByKey('name'),
    resizePolicy: atomic(),
    volumeMounts: mergeByKey('mountPath'),
    volumeDevices: mergeByKey('devicePath'),
  },
  'io.k8s.api.core.v1.ContainerStatus': {
    volumeMounts: mergeByKey('mountPath'),
    allocatedResourcesStatus: mergeByKey('name'),
  },
  'io.k8s.api.core.v1.ResourceStatus': { resources: listMap(['resourceID']) },
  'io.k8s.api.core.v1.LinuxContainerUser': { supplementalGroups: atomic() },
  'io.k8s.api.core.v1.NodeSelector': { nodeSelectorTerms: atomic() },
  'io.k8s.api.core.v1.NodeSelectorTerm': { matchExpressions: atomic(), matchFields: atomic() },
  'io.k8s.api.core.v1.NodeSelectorRequirement': { values: atomic() },
  'io.k8s.api.core.v1.TopologySelectorTerm': { matchLabelExpressions: atomic() },
  'io.k8s.api.core.v1.TopologySelectorLabelRequirement': { values: atomic() },
  'io.k8s.api.core.v1.PodAffinity': {
    requiredDuringSchedulingIgnoredDuringExecution: atomic(),
    preferredDuringSchedulingIgnoredDuringExecution: atomic(),
  },
  'io.k8s.api.core.v1.PodAntiAffinity': {
    requiredDuringSchedulingIgnoredDuringExecution: atomic(),
    preferredDuringSchedulingIgnoredDuringExecution: atomic(),
  },
  'io.k8s.api.core.v1.PodAffinityTerm': { namespaces: atomic(), matchLabelKeys: atomic(), mismatchLabelKeys: atomic() },
  'io.k8s.api.core.v1.NodeAffinity': { preferredDuringSchedulingIgnoredDuringExecution: atomic() },
  'io.k8s.api.core.v1.PodSpec': {
    volumes: mergeByKey('name', ['name'], 'merge,retainKeys'),
    initContainers: mergeByKey('name'),
    containers: mergeByKey('name'),
    ephemeralContainers: mergeByKey('name'),
    nodeSelector: { mapType: 'atomic' },
    imagePullSecrets: mergeByKey('name'),
    tolerations: atomic(),
    hostAliases: mergeByKey('ip'),
    readinessGates: atomic(),
    topologySpreadConstraints: mergeByKey('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: mergeByKey('name'),
    resourceClaims: mergeByKey('name', ['name'], 'merge,retainKeys'),
  },
  'io.k8s.api.core.v1.TopologySpreadConstraint': { matchLabelKeys: atomic() },
  'io.k8s.api.core.v1.HostAlias': { hostnames: atomic() },
  'io.k8s.api.core.v1.PodSecurityContext': { supplementalGroups: atomic(), sysctls: atomic() },
  'io.k8s.api.core.v1.PodDNSConfig': { nameservers: atomic(), searches: atomic(), options: atomic() },
  'io.k8s.api.core.v1.EphemeralContainer': {
    command: atomic(),
    args: atomic(),
    ports: mergeByKey('containerPort', ['containerPort', 'protocol']),
    envFrom: atomic(),
    env: mergeByKey('name'),
    resizePolicy: atomic(),
    volumeMounts: mergeByKey('mountPath'),
    volumeDevices: mergeByKey('devicePath'),
  },
  'io.k8s.api.core.v1.PodStatus': {
    conditions: mergeByKey('type'),
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    podIPs: mergeByKey('ip'),
    initContainerStatuses: atomic(),
    containerStatuses: atomic(),
    ephemeralContainerStatuses: atomic(),
    resourceClaimStatuses: mergeByKey('name', ['name'], 'merge,retainKeys'),
  },
  'io.k8s.api.core.v1.ReplicationControllerSpec': { selector: { mapType: 'atomic' } },
  'io.k8s.api.core.v1.ReplicationControllerStatus': { conditions: mergeByKey('type') },
  'io.k8s.api.core.v1.ServiceStatus': { conditions: mergeByKey('type') },
  'io.k8s.api.core.v1.LoadBalancerStatus': { ingress: atomic() },
  'io.k8s.api.core.v1.LoadBalancerIngress': { ports: atomic() },
  'io.k8s.api.core.v1.ServiceSpec': {
    ports: mergeByKey('port', ['port', 'protocol']),
    selector: { mapType: 'atomic' },
    clusterIPs: atomic(),
    externalIPs: atomic(),
    loadBalancerSourceRanges: atomic(),
    ipFamilies: atomic(),
  },
  'io.k8s.api.core.v1.ServiceAccount': { secrets: mergeByKey('name'), imagePullSecrets: atomic() },
  'io.k8s.api.core.v1.Endpoints': { subsets: atomic() },
  'io.k8s.api.core.v1.EndpointSubset': { addresses: atomic(), notReadyAddresses: atomic(), ports: atomic() },
  'io.k8s.api.core.v1.NodeSpec': { podCIDRs: mergeSet(), taints: atomic() },
  'io.k8s.api.core.v1.NodeStatus': {
    conditions: mergeByKey('type'),
    addresses: mergeByKey('type'),
    images: atomic(),
    volumesInUse: atomic(),
    volumesAttached: atomic(),
    runtimeHandlers: atomic(),
  },
  'io.k8s.api.core.v1.AvoidPods': { preferAvoidPods: atomic() },
  'io.k8s.api.core.v1.ContainerImage': { names: atomic() },
  'io.k8s.api.core.v1.NamespaceSpec': { finalizers: atomic() },
  'io.k8s.api.core.v1.NamespaceStatus': { conditions: mergeByKey('type') },
  'io.k8s.api.core.v1.LimitRangeSpec': { limits: atomic() },
  'io.k8s.api.core.v1.ResourceQuotaSpec': { scopes: atomic() },
  'io.k8s.api.core.v1.ScopeSelector': { matchExpressions: atomic() },
  'io.k8s.api.core.v1.ScopedResourceSelectorRequirement': { values: atomic() },
  'io.k8s.api.core.v1.ComponentStatus': { conditions: mergeByKey('type') },
  'io.k8s.api.core.v1.DownwardAPIVolumeSource': { items: atomic() },
  'io.k8s.api.core.v1.DownwardAPIProjection': { items: atomic() },
  'io.k8s.api.apps.v1.StatefulSetSpec': { volumeClaimTemplates: atomic() },
  'io.k8s.api.apps.v1.StatefulSetStatus': { conditions: mergeByKey('type') },
  'io.k8s.api.apps.v1.DeploymentSpec': { strategy: { patchStrategy: 'retainKeys' } },
  'io.k8s.api.apps.v1.DeploymentStatus': { conditions: mergeByKey('type') },
  'io.k8s.api.apps.v1.DaemonSetStatus': { conditions: mergeByKey('type') },
  'io.k8s.api.apps.v1.ReplicaSetStatus': { conditions: mergeByKey('type') },
  'io.k8s.api.storage.v1.StorageClass': { mountOptions: atomic(), allowedTopologies: atomic() },
  'io.k8s.api.storage.v1.CSIDriverSpec': { volumeLifecycleModes: set(), tokenRequests: atomic() },
  'io.k8s.api.storage.v1.CSINodeSpec': { drivers: mergeByKey('name') },
  'io.k8s.api.storage.v1.CSINodeDriver': { topologyKeys: atomic() },
  'io.k8s.api.rbac.v1.PolicyRule': {
    verbs: atomic(),
    apiGroups: atomic(),
    resources: atomic(),
    resourceNames: atomic(),
    nonResourceURLs: atomic(),
  },
  'io.k8s.api.rbac.v1.Role': { rules: atomic() },
  'io.k8s.api.rbac.v1.RoleBinding': { subjects: atomic() },
  'io.k8s.api.rbac.v1.ClusterRole': { rules: atomic() },
  'io.k8s.api.rbac.v1.AggregationRule': { clusterRoleSelectors: atomic() },
  'io.k8s.api.rbac.v1.ClusterRoleBinding': { subjects: atomic() },
  'io.k8s.api.discovery.v1.EndpointSlice': { endpoints: atomic(), ports: atomic() },
  'io.k8s.api.discovery.v1.Endpoint': { addresses: set() },
  'io.k8s.api.discovery.v1.EndpointHints': { forZones: atomic() },
  'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': { selector: { patchStrategy: 'replace' } },
  'io.k8s.api.policy.v1.PodDisruptionBudgetStatus': { conditions: mergeByKey('type') },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    ownerReferences: mergeByKey('uid'),
    finalizers: mergeSet(),
    managedFields: atomic(),
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': { matchExpressions: atomic() },
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': { values: atomic() },

};

/** Definitions marked `+structType=atomic` (or `+mapType=atomic`): x-kubernetes-map-type "atomic" on the definition. */
export const ATOMIC_STRUCTS: readonly string[] = [
  'io.k8s.api.core.v1.SecretReference',
  'io.k8s.api.core.v1.ObjectFieldSelector',
  'io.k8s.api.core.v1.ResourceFieldSelector',
  'io.k8s.api.core.v1.ConfigMapKeySelector',
  'io.k8s.api.core.v1.SecretKeySelector',
  'io.k8s.api.core.v1.NodeSelector',
  'io.k8s.api.core.v1.NodeSelectorTerm',
  'io.k8s.api.core.v1.TopologySelectorTerm',
  'io.k8s.api.core.v1.EndpointAddress',
  'io.k8s.api.core.v1.EndpointPort',
  'io.k8s.api.core.v1.ObjectReference',
  'io.k8s.api.core.v1.LocalObjectReference',
  'io.k8s.api.core.v1.TypedLocalObjectReference',
  'io.k8s.api.core.v1.ScopeSelector',
  'io.k8s.api.rbac.v1.Subject',
  'io.k8s.api.rbac.v1.RoleRef',
  'io.k8s.api.discovery.v1.EndpointPort',
  'io.k8s.api.autoscaling.v1.CrossVersionObjectReference',
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
];
