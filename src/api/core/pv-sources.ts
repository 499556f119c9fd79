// The volume source of a PersistentVolume: exactly one of the in-tree sources (hostPath, local, nfs,
// rbd, csi, iscsi, ...), each checked with the rules and messages of Kubernetes'
// ValidatePersistentVolumeSpec, including its quirks (gcePersistentDisk errors are reported under
// `persistentDisk`, a second cephfs source under `cephFS`, flexVolume is never "more than 1").
// Deliberately absent: whether a plugin exists or can recycle; the PV controller finds that out.

import { posix } from 'node:path';
import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, notSupported, required, tooLong } from '../errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';

type Check = (src: any, path: string, ctx: { pvName: string }) => FieldError[];

const req = (value: unknown, path: string): FieldError[] =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0) ? [required(path)] : [];
const label = (v: string, path: string) => isDNS1123Label(v).map((m) => invalid(path, v, m));
const subdomain = (v: string, path: string) => isDNS1123Subdomain(v).map((m) => invalid(path, v, m));
const range = (lo: number, hi: number) => `must be between ${lo} and ${hi}, inclusive`;

function noBacksteps(p: string, path: string): FieldError[] {
  return p.split('/').includes('..') ? [invalid(path, p, "must not contain '..'")] : [];
}

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

const hostPath: Check = (s, path) => {
  if (!s?.path) return [required(`${path}.path`)];
  const errs = noBacksteps(s.path, `${path}.path`);
  if (s.type !== undefined && s.type !== null && !HOST_PATH_TYPES.includes(s.type)) {
    errs.push(notSupported(`${path}.type`, s.type, HOST_PATH_TYPES));
  }
  return errs;
};

const local: Check = (s, path) => (!s?.path ? [required(`${path}.path`)] : noBacksteps(s.path, `${path}.path`));

const nfs: Check = (s, path) => {
  const errs = [...req(s?.server, `${path}.server`), ...req(s?.path, `${path}.path`)];
  if (!String(s?.path ?? '').startsWith('/')) errs.push(invalid(`${path}.path`, s?.path ?? '', 'must be an absolute path'));
  return errs;
};

const partition = (s: any, path: string): FieldError[] =>
  typeof s?.partition === 'number' && (s.partition < 0 || s.partition > 255) ? [invalid(`${path}.partition`, s.partition, range(1, 255))] : [];

const secretRefNameNamespace = (ref: any, path: string): FieldError[] =>
  ref ? [...req(ref.name, `${path}.name`), ...req(ref.namespace, `${path}.namespace`)] : [];

/** validatePVSecretReference: a name that is a subdomain and a namespace that is a label. */
function pvSecretReference(ref: any, path: string): FieldError[] {
  if (!ref) return [];
  const errs: FieldError[] = [];
  if (!ref.name) errs.push(required(`${path}.name`));
  else errs.push(...subdomain(ref.name, `${path}.name`));
  if (!ref.namespace) errs.push(required(`${path}.namespace`));
  else errs.push(...label(ref.namespace, `${path}.namespace`));
  return errs;
}

/** ValidateCSIDriverName. */
export function validateCSIDriverName(driver: unknown, path: string): FieldError[] {
  const name = typeof driver === 'string' ? driver : '';
  const errs: FieldError[] = [];
  if (name.length === 0) errs.push(required(path));
  if (name.length > 63) errs.push(tooLong(path, 63));
  for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(invalid(path, name, m));
  return errs;
}

const IQN = /iqn\.\d{4}-\d{2}\.([A-Za-z0-9.-]+)(:[^,;*&$|\s]+)$/;
const EUI = /^eui.[A-Za-z0-9]{16}$/;
const NAA = /^naa.[A-Za-z0-9]{32}$/;

function iscsiName(v: string, path: string): FieldError[] {
  if (!v.startsWith('iqn') && !v.startsWith('eui') && !v.startsWith('naa')) return [invalid(path, v, 'must be valid format')];
  const re = v.startsWith('iqn') ? IQN : v.startsWith('eui') ? EUI : NAA;
  return re.test(v) ? [] : [invalid(path, v, 'must be valid format')];
}

const iscsi: Check = (s, path, ctx) => {
  const errs = req(s?.targetPortal, `${path}.targetPortal`);
  if (typeof s?.initiatorName === 'string' && `${ctx.pvName}:${s.targetPortal ?? ''}`.length > 64) {
    errs.push(
      invalid(
        `${path}.targetportal`,
        s.targetPortal ?? '',
        'Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.',
      ),
    );
  }
  if (!s?.iqn) errs.push(required(`${path}.iqn`));
  else errs.push(...iscsiName(s.iqn, `${path}.iqn`));
  const lun = s?.lun ?? 0;
  if (typeof lun === 'number' && (lun < 0 || lun > 255)) errs.push(invalid(`${path}.lun`, lun, range(0, 255)));
  if ((s?.chapAuthDiscovery || s?.chapAuthSession) && !s?.secretRef) errs.push(required(`${path}.secretRef`));
  if (s?.secretRef) errs.push(...req(s.secretRef.name, `${path}.secretRef.name`));
  if (typeof s?.initiatorName === 'string') errs.push(...iscsiName(s.initiatorName, `${path}.initiatorname`));
  return errs;
};

const fc: Check = (s, path) => {
  const wwns: unknown[] = s?.targetWWNs ?? [];
  const wwids: unknown[] = s?.wwids ?? [];
  const errs: FieldError[] = [];
  if (wwns.length < 1 && wwids.length < 1) errs.push(required(`${path}.targetWWNs`, 'must specify either targetWWNs or wwids, but not both'));
  if (wwns.length && wwids.length) errs.push(invalid(`${path}.targetWWNs`, wwns, 'targetWWNs and wwids can not be specified simultaneously'));
  if (wwns.length) {
    if (s?.lun === undefined || s?.lun === null) errs.push(required(`${path}.lun`, 'lun is required if targetWWNs is specified'));
    else if (s.lun < 0 || s.lun > 255) errs.push(invalid(`${path}.lun`, s.lun, range(0, 255)));
  }
  return errs;
};

const flex: Check = (s, path) => {
  const errs = req(s?.driver, `${path}.driver`);
  for (const k of Object.keys(s?.options ?? {})) {
    const ns = k.includes('/') ? k.slice(0, k.indexOf('/')) : k;
    const normalized = `.${ns.toLowerCase()}`;
    if (normalized.endsWith('.kubernetes.io') || normalized.endsWith('.k8s.io')) {
      errs.push(invalid(`${path}.options[${k}]`, k, 'kubernetes.io and k8s.io namespaces are reserved'));
    }
  }
  return errs;
};

const quobyte: Check = (s, path) => {
  const msg = 'must be a host:port pair or multiple pairs separated by commas';
  const errs: FieldError[] = [];
  if (!s?.registry) errs.push(required(`${path}.registry`, msg));
  else if (String(s.tenant ?? '').length >= 65) errs.push(required(`${path}.tenant`, 'must be a UUID and may not exceed a length of 64 characters'));
  else {
    for (const pair of String(s.registry).split(',')) {
      if (!/^(\[[^\]]*\]|[^:]*):[^:]*$/.test(pair)) errs.push(invalid(`${path}.registry`, s.registry, msg));
    }
  }
  return [...errs, ...req(s?.volume, `${path}.volume`)];
};

const glusterfs: Check = (s, path) => {
  const errs = [...req(s?.endpoints, `${path}.endpoints`), ...req(s?.path, `${path}.path`)];
  if (typeof s?.endpointsNamespace === 'string') {
    if (s.endpointsNamespace === '') {
      errs.push(invalid(`${path}.endpointsNamespace`, '', 'if the endpointnamespace is set, it must be a valid namespace name'));
    } else errs.push(...label(s.endpointsNamespace, `${path}.endpointsNamespace`));
  }
  return errs;
};

const flocker: Check = (s, path) => {
  const errs: FieldError[] = [];
  if (!s?.datasetName && !s?.datasetUUID) errs.push(required(path, 'one of datasetName and datasetUUID is required'));
  if (s?.datasetName && s?.datasetUUID) errs.push(invalid(path, 'resource', 'datasetName and datasetUUID can not be specified simultaneously'));
  if (String(s?.datasetName ?? '').includes('/')) errs.push(invalid(`${path}.datasetName`, s.datasetName, "must not contain '/'"));
  return errs;
};

const azureDisk: Check = (s, path) => {
  const errs = [...req(s?.diskName, `${path}.diskName`), ...req(s?.diskURI, `${path}.diskURI`)];
  if (s?.cachingMode != null && !['None', 'ReadOnly', 'ReadWrite'].includes(s.cachingMode)) {
    errs.push(notSupported(`${path}.cachingMode`, s.cachingMode, ['None', 'ReadOnly', 'ReadWrite']));
  }
  if (s?.kind != null && !['Dedicated', 'Managed', 'Shared'].includes(s.kind)) {
    errs.push(notSupported(`${path}.kind`, s.kind, ['Dedicated', 'Managed', 'Shared']));
  }
  const uri = String(s?.diskURI ?? '');
  if (s?.kind === 'Managed' && !uri.startsWith('/subscriptions/')) {
    errs.push(notSupported(`${path}.diskURI`, uri, ['/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}']));
  }
  if (s?.kind != null && s.kind !== 'Managed' && !uri.startsWith('https://')) {
    errs.push(notSupported(`${path}.diskURI`, uri, ['https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd']));
  }
  return errs;
};

const storageos: Check = (s, path) => {
  const errs: FieldError[] = [];
  if (!s?.volumeName) errs.push(required(`${path}.volumeName`));
  else errs.push(...label(s.volumeName, `${path}.volumeName`));
  if (s?.volumeNamespace) errs.push(...label(s.volumeNamespace, `${path}.volumeNamespace`));
  return [...errs, ...secretRefNameNamespace(s?.secretRef, `${path}.secretRef`)];
};

const csi: Check = (s, path) => [
  ...validateCSIDriverName(s?.driver, `${path}.driver`),
  ...req(s?.volumeHandle, `${path}.volumeHandle`),
  ...['controllerPublishSecretRef', 'controllerExpandSecretRef', 'nodePublishSecretRef', 'nodeExpandSecretRef'].flatMap((k) =>
    pvSecretReference(s?.[k], `${path}.${k}`),
  ),
];

interface SourceRule {
  key: string;
  /** Where "may not specify more than 1 volume type" is reported (differs from key for cephfs). */
  forbiddenAt?: string;
  /** Where the source's own errors are reported (differs from key for gcePersistentDisk and cephfs). */
  validateAt?: string;
  check: Check;
}

/** In Kubernetes' order: the first source set counts, each later one is "more than 1". */
const SOURCES: SourceRule[] = [
  { key: 'hostPath', check: hostPath },
  {
    key: 'gcePersistentDisk',
    validateAt: 'persistentDisk',
    check: (s, p) => [...req(s?.pdName, `${p}.pdName`), ...partition(s, p)],
  },
  { key: 'awsElasticBlockStore', check: (s, p) => [...req(s?.volumeID, `${p}.volumeID`), ...partition(s, p)] },
  { key: 'glusterfs', check: glusterfs },
  { key: 'flocker', check: flocker },
  { key: 'nfs', check: nfs },
  { key: 'rbd', check: (s, p) => [...req(s?.monitors, `${p}.monitors`), ...req(s?.image, `${p}.image`)] },
  { key: 'quobyte', check: quobyte },
  { key: 'cephfs', forbiddenAt: 'cephFS', check: (s, p) => req(s?.monitors, `${p}.monitors`) },
  { key: 'iscsi', check: iscsi },
  {
    key: 'cinder',
    check: (s, p) => [...req(s?.volumeID, `${p}.volumeID`), ...secretRefNameNamespace(s?.secretRef, `${p}.secretRef`)],
  },
  { key: 'fc', check: fc },
  { key: 'flexVolume', check: flex },
  {
    key: 'azureFile',
    check: (s, p) => [
      ...req(s?.secretName, `${p}.secretName`),
      ...req(s?.shareName, `${p}.shareName`),
      ...(s?.secretNamespace === '' ? [required(`${p}.secretNamespace`)] : []),
    ],
  },
  { key: 'vsphereVolume', check: (s, p) => req(s?.volumePath, `${p}.volumePath`) },
  { key: 'photonPersistentDisk', check: (s, p) => req(s?.pdID, `${p}.pdID`) },
  { key: 'portworxVolume', check: (s, p) => req(s?.volumeID, `${p}.volumeID`) },
  { key: 'azureDisk', check: azureDisk },
  {
    key: 'scaleIO',
    check: (s, p) => [...req(s?.gateway, `${p}.gateway`), ...req(s?.system, `${p}.system`), ...req(s?.volumeName, `${p}.volumeName`)],
  },
  { key: 'local', check: local },
  { key: 'storageos', check: storageos },
  { key: 'csi', check: csi },
];

export const PERSISTENT_VOLUME_SOURCE_KEYS: readonly string[] = SOURCES.map((s) => s.key);

export interface SourceOptions {
  /** The PV's name, for the iSCSI initiator length rule. */
  pvName: string;
  /** Whether spec.nodeAffinity is set (a local volume requires it). */
  nodeAffinitySpecified: boolean;
}

/** Exactly one volume source, each valid; `path` is the spec path, e.g. `spec`. */
export function validatePersistentVolumeSource(spec: any, path: string, opts: SourceOptions): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const rule of SOURCES) {
    const src = spec?.[rule.key];
    if (src === undefined || src === null) continue;
    if (count > 0 && rule.key !== 'flexVolume') {
      errs.push(forbiddenField(`${path}.${rule.forbiddenAt ?? rule.key}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...rule.check(src, `${path}.${rule.validateAt ?? rule.key}`, { pvName: opts.pvName }));
    if (rule.key === 'local' && !opts.nodeAffinitySpecified) {
      errs.push(required(`${path}.nodeAffinity`, 'Local volume requires node affinity'));
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  if (spec?.hostPath && posix.normalize(String(spec.hostPath.path ?? '')).replace(/(.)\/+$/, '$1') === '/' && spec.persistentVolumeReclaimPolicy === 'Recycle') {
    errs.push(forbiddenField(`${path}.persistentVolumeReclaimPolicy`, "may not be 'recycle' for a hostPath mount of '/'"));
  }
  return errs;
}
