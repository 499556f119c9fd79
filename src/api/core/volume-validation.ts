// Validation of a pod's volumes (Kubernetes' ValidateVolumes / validateVolumeSource): names are unique
// DNS-1123 labels, exactly one volume source each, and the sources berth serves (emptyDir, hostPath,
// secret, configMap, persistentVolumeClaim, nfs, downwardAPI, projected, csi, ephemeral) checked
// field by field with Kubernetes' messages. Returns the valid volumes by name so container mounts
// can be checked against them.
// Deliberately absent: field-level checks of cloud and legacy plugin sources (gcePersistentDisk, rbd,
// iscsi, ...), which are only counted for the "one source" rule.

import type { FieldError } from '../errors.js';
import { duplicate, forbiddenField, invalid, notSupported, required } from '../errors.js';
import { parseQuantity } from '../quantity.js';
import { validateObjectFieldSelector } from './env-validation.js';
import { FILE_MODE_ERROR, validateDNS1123Label } from './field-validators.js';

/** Volume source keys in the order Kubernetes checks them. */
const SOURCE_KEYS = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap',
  'azureFile', 'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO',
  'csi', 'ephemeral', 'image',
];

/** validVolumeDownwardAPIFieldPathExpressions. */
const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function validatePathNoBacksteps(target: string, path: string): FieldError[] {
  return target.split('/').includes('..') ? [invalid(path, target, "must not contain '..'")] : [];
}

export function validateLocalDescendingPath(target: string, path: string): FieldError[] {
  const errs = target.startsWith('/') ? [invalid(path, target, 'must be a relative path')] : [];
  return [...errs, ...validatePathNoBacksteps(target, path)];
}

function validateLocalNonReservedPath(target: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateMode(mode: unknown, path: string): FieldError[] {
  return typeof mode === 'number' && (mode < 0 || mode > 0o777) ? [invalid(path, mode, FILE_MODE_ERROR)] : [];
}

function validateKeyToPath(item: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!item?.key) errs.push(required(`${path}.key`));
  if (!item?.path) errs.push(required(`${path}.path`));
  errs.push(...validateLocalNonReservedPath(item?.path ?? '', `${path}.path`));
  errs.push(...validateMode(item?.mode, `${path}.mode`));
  return errs;
}

function validateItems(items: any[] | undefined, path: string): FieldError[] {
  return (items ?? []).flatMap((kp, i) => validateKeyToPath(kp, `${path}.items[${i}]`));
}

function validateDownwardAPIItems(items: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const file of items ?? []) {
    if (!file?.path) errs.push(required(`${path}.path`));
    errs.push(...validateLocalNonReservedPath(file?.path ?? '', `${path}.path`));
    if (file?.fieldRef) {
      errs.push(...validateObjectFieldSelector(file.fieldRef, `${path}.fieldRef`, { expressions: VOLUME_FIELD_PATHS }));
      if (file.resourceFieldRef) errs.push(invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    } else if (!file?.fieldRef && !file?.resourceFieldRef) {
      errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
    }
    errs.push(...validateMode(file?.mode, `${path}.mode`));
  }
  return errs;
}

function validateProjected(src: any, path: string): FieldError[] {
  const errs = validateMode(src.defaultMode, `${path}.defaultMode`);
  (src.sources ?? []).forEach((source: any, i: number) => {
    const p = `${path}.sources[${i}]`;
    const kinds = ['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle'].filter((k) => source?.[k]);
    if (kinds.length > 1) errs.push(forbiddenField(p, 'may not specify more than 1 volume type per source'));
    if (source?.secret) {
      if (!source.secret.name) errs.push(required(`${p}.secret.name`));
      errs.push(...validateItems(source.secret.items, `${p}.secret`));
    }
    if (source?.configMap) {
      if (!source.configMap.name) errs.push(required(`${p}.configMap.name`));
      errs.push(...validateItems(source.configMap.items, `${p}.configMap`));
    }
    if (source?.downwardAPI) errs.push(...validateDownwardAPIItems(source.downwardAPI.items, `${p}.downwardAPI`));
    const sat = source?.serviceAccountToken;
    if (sat) {
      const sp = `${p}.serviceAccountToken`;
      if (typeof sat.expirationSeconds === 'number' && sat.expirationSeconds < 600) {
        errs.push(invalid(`${sp}.expirationSeconds`, sat.expirationSeconds, 'may not specify a duration less than 10 minutes'));
      } else if (typeof sat.expirationSeconds === 'number' && sat.expirationSeconds > 2 ** 32) {
        errs.push(invalid(`${sp}.expirationSeconds`, sat.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
      }
      if (!sat.path) errs.push(required(`${sp}.path`));
      else errs.push(...validateLocalNonReservedPath(sat.path, `${sp}.path`));
    }
  });
  return errs;
}

/** Field checks of one source at `p`; `key` is the source's JSON name. */
function validateSource(src: any, p: string, opts: { key: string }): FieldError[] {
  switch (opts.key) {
    case 'emptyDir': {
      const q = src.sizeLimit === undefined ? null : parseQuantity(String(src.sizeLimit));
      if (src.sizeLimit !== undefined && (!q || q.unscaled < 0n)) return [forbiddenField(`${p}.sizeLimit`, 'SizeLimit field must be a valid resource quantity')];
      return [];
    }
    case 'hostPath': {
      if (!src.path) return [required(`${p}.path`)];
      const errs = validatePathNoBacksteps(src.path, `${p}.path`);
      if (src.type !== undefined && src.type !== null && !HOST_PATH_TYPES.includes(src.type)) errs.push(notSupported(`${p}.type`, src.type, HOST_PATH_TYPES));
      return errs;
    }
    case 'secret':
      return [
        ...(src.secretName ? [] : [required(`${p}.secretName`)]),
        ...validateMode(src.defaultMode, `${p}.defaultMode`),
        ...validateItems(src.items, p),
      ];
    case 'configMap':
      return [...(src.name ? [] : [required(`${p}.name`)]), ...validateMode(src.defaultMode, `${p}.defaultMode`), ...validateItems(src.items, p)];
    case 'persistentVolumeClaim':
      return src.claimName ? [] : [required(`${p}.claimName`)];
    case 'nfs': {
      const errs: FieldError[] = [];
      if (!src.server) errs.push(required(`${p}.server`));
      if (!src.path) errs.push(required(`${p}.path`));
      if (!String(src.path ?? '').startsWith('/')) errs.push(invalid(`${p}.path`, src.path ?? '', 'must be an absolute path'));
      return errs;
    }
    case 'downwardAPI':
      return [...validateMode(src.defaultMode, `${p}.defaultMode`), ...validateDownwardAPIItems(src.items, p)];
    case 'projected':
      return validateProjected(src, p);
    case 'csi':
      return src.driver ? [] : [required(`${p}.driver`)];
    case 'ephemeral':
      return src.volumeClaimTemplate ? [] : [required(`${p}.volumeClaimTemplate`)];
    default:
      return [];
  }
}

function validateVolumeSource(vol: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const key of SOURCE_KEYS) {
    const src = vol[key];
    if (src === undefined || src === null) continue;
    if (count > 0) {
      errs.push(forbiddenField(`${path}.${key}`, 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    errs.push(...validateSource(src, `${path}.${key}`, { key }));
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: errors, and the valid volumes by name. */
export function validateVolumes(volumes: any[] | undefined, path: string): { volumes: Map<string, any>; errs: FieldError[] } {
  const valid = new Map<string, any>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((vol, i) => {
    const p = `${path}[${i}]`;
    const el = validateVolumeSource(vol ?? {}, p);
    if (!vol?.name) el.push(required(`${p}.name`));
    else el.push(...validateDNS1123Label(vol.name, `${p}.name`));
    if (vol?.name && valid.has(vol.name)) el.push(duplicate(`${p}.name`, vol.name));
    if (el.length === 0) valid.set(vol.name, vol);
    else errs.push(...el);
  });
  return { volumes: valid, errs };
}
