// Kubernetes' defaulting of everything inside a PodSpec below the spec level
// (pkg/apis/core/v1/defaults.go: SetDefaults_Container, _ContainerPort, _Probe, _HTTPGetAction,
// _GRPCAction, _ObjectFieldSelector, _Volume and the volume-source defaults), applied in place.
// Used by pod-spec.ts; exported for it only. Deliberately absent: ResourceList rounding and the
// defaults of cloud volume plugins berth does not run (azureDisk, scaleIO, ...).

const DEFAULT_MODE = 0o644; // 420

/** The tag of an image reference, '' when it has none, or null when the reference does not parse. */
export function imageTag(image: string): { tag: string; digest: string } | null {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/.test(digest)) return null;
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) return null;
  }
  const parts = rest.split('/');
  const hasDomain = parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || /[A-Z]/.test(parts[0]));
  if (hasDomain && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]+)?$/.test(parts[0])) return null;
  const path = hasDomain ? parts.slice(1) : parts;
  const component = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
  if (path.length === 0 || !path.every((c) => component.test(c))) return null;
  return { tag, digest };
}

/** Always for `:latest` or an untagged, undigested image; IfNotPresent otherwise (and for unparsable ones). */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  const ref = typeof image === 'string' ? imageTag(image) : null;
  if (!ref) return 'IfNotPresent';
  return ref.tag === 'latest' || (ref.tag === '' && ref.digest === '') ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(action: any): void {
  if (!action) return;
  action.path ||= '/';
  action.scheme ||= 'HTTP';
}

function defaultHandler(handler: any): void {
  if (!handler) return;
  defaultHTTPGet(handler.httpGet);
  if (handler.grpc && (handler.grpc.service === undefined || handler.grpc.service === null)) handler.grpc.service = '';
}

function defaultProbe(probe: any): void {
  if (!probe) return;
  probe.timeoutSeconds ||= 1;
  probe.periodSeconds ||= 10;
  probe.successThreshold ||= 1;
  probe.failureThreshold ||= 3;
  defaultHandler(probe);
}

function defaultFieldRef(ref: any): void {
  if (ref && !ref.apiVersion) ref.apiVersion = 'v1';
}

export function defaultContainer(c: any): void {
  if (!c || typeof c !== 'object') return;
  if (!c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  for (const p of c.ports ?? []) if (p && !p.protocol) p.protocol = 'TCP';
  for (const e of c.env ?? []) defaultFieldRef(e?.valueFrom?.fieldRef);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos',
  'csi', 'ephemeral', 'image',
];

export function defaultVolume(v: any): void {
  if (!v || typeof v !== 'object') return;
  if (!VOLUME_SOURCES.some((k) => v[k] !== undefined && v[k] !== null)) v.emptyDir = {};
  if (v.hostPath && (v.hostPath.type === undefined || v.hostPath.type === null)) v.hostPath.type = '';
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    if (v[k] && (v[k].defaultMode === undefined || v[k].defaultMode === null)) v[k].defaultMode = DEFAULT_MODE;
  }
  for (const item of v.downwardAPI?.items ?? []) defaultFieldRef(item?.fieldRef);
  for (const src of v.projected?.sources ?? []) {
    const sat = src?.serviceAccountToken;
    if (sat && !sat.expirationSeconds) sat.expirationSeconds = 3600;
    for (const item of src?.downwardAPI?.items ?? []) defaultFieldRef(item?.fieldRef);
  }
  if (v.iscsi) v.iscsi.iscsiInterface ||= 'default';
  if (v.rbd) {
    v.rbd.pool ||= 'rbd';
    v.rbd.user ||= 'admin';
    v.rbd.keyring ||= '/etc/ceph/keyring';
  }
  const pvcSpec = v.ephemeral?.volumeClaimTemplate?.spec;
  if (pvcSpec && !pvcSpec.volumeMode) pvcSpec.volumeMode = 'Filesystem';
}
