// Validation of a container's env and envFrom (Kubernetes' ValidateEnv, validateEnvVarValueFrom,
// ValidateEnvFrom): variable names, exactly one valueFrom source, downward API field paths,
// config map / secret key selectors.
// Deliberately absent: the RelaxedEnvironmentVariableValidation feature (names follow isEnvVarName).

import type { FieldError } from '../errors.js';
import { invalid, notSupported, required } from '../errors.js';
import { nameIsDNSSubdomain, isQualifiedName } from '../validation/names.js';
import { isConfigMapKey, isEnvVarName } from './field-validators.js';

/** Field paths the downward API accepts in env (validEnvDownwardAPIFieldPathExpressions). */
const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
/** Field paths pods/v1 converts at all (ConvertDownwardAPIFieldLabel). */
const CONVERTIBLE = new Set([...ENV_FIELD_PATHS, 'metadata.labels', 'metadata.annotations']);
const RESOURCE_FIELDS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

/** validateObjectFieldSelector, shared with downward API volumes. */
export function validateObjectFieldSelector(fs: any, path: string, opts: { expressions: string[] }): FieldError[] {
  const { expressions } = opts;
  if (!fs?.apiVersion) return [required(`${path}.apiVersion`)];
  if (!fs?.fieldPath) return [required(`${path}.fieldPath`)];
  const fp: string = fs.fieldPath;
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fp);
  if (sub) {
    const key = sub[1] === 'metadata.annotations' ? sub[2].toLowerCase() : sub[2];
    return isQualifiedName(key).map((m) => invalid(path, key, m));
  }
  if (!CONVERTIBLE.has(fp)) return [invalid(`${path}.fieldPath`, fp, `error converting fieldPath: field label not supported: ${fp}`)];
  if (!expressions.includes(fp)) return [notSupported(`${path}.fieldPath`, fp, expressions)];
  return [];
}

function validateResourceFieldRef(ref: any, path: string): FieldError[] {
  if (!ref?.resource) return [required(`${path}.resource`)];
  if (RESOURCE_FIELDS.includes(ref.resource) || /^(requests|limits)\.hugepages-/.test(ref.resource)) return [];
  return [notSupported(`${path}.resource`, ref.resource, RESOURCE_FIELDS)];
}

function validateKeySelector(sel: any, path: string): FieldError[] {
  const errs = nameIsDNSSubdomain(sel?.name ?? '', false).map((m) => invalid(`${path}.name`, sel?.name ?? '', m));
  if (!sel?.key) errs.push(required(`${path}.key`));
  else errs.push(...isConfigMapKey(sel.key).map((m) => invalid(`${path}.key`, sel.key, m)));
  return errs;
}

function validateValueFrom(ev: any, path: string): FieldError[] {
  const vf = ev.valueFrom;
  if (!vf) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  if (vf.fieldRef) {
    sources++;
    errs.push(...validateObjectFieldSelector(vf.fieldRef, `${path}.fieldRef`, { expressions: ENV_FIELD_PATHS }));
  }
  if (vf.resourceFieldRef) {
    sources++;
    errs.push(...validateResourceFieldRef(vf.resourceFieldRef, `${path}.resourceFieldRef`));
  }
  if (vf.configMapKeyRef) {
    sources++;
    errs.push(...validateKeySelector(vf.configMapKeyRef, `${path}.configMapKeyRef`));
  }
  if (vf.secretKeyRef) {
    sources++;
    errs.push(...validateKeySelector(vf.secretKeyRef, `${path}.secretKeyRef`));
  }
  if (sources === 0) {
    errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (ev.value) {
    errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

export function validateEnv(vars: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const p = `${path}[${i}]`;
    if (!ev?.name) errs.push(required(`${p}.name`));
    else errs.push(...isEnvVarName(ev.name).map((m) => invalid(`${p}.name`, ev.name, m)));
    errs.push(...validateValueFrom(ev ?? {}, `${p}.valueFrom`));
  });
  return errs;
}

function validateEnvSourceRef(ref: any, path: string): FieldError[] {
  if (!ref?.name) return [required(`${path}.name`)];
  return nameIsDNSSubdomain(ref.name, true).map((m) => invalid(`${path}.name`, ref.name, m));
}

export function validateEnvFrom(sources: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (sources ?? []).forEach((src, i) => {
    const p = `${path}[${i}]`;
    if (src?.prefix) errs.push(...isEnvVarName(src.prefix).map((m) => invalid(`${p}.prefix`, src.prefix, m)));
    let n = 0;
    if (src?.configMapRef) {
      n++;
      errs.push(...validateEnvSourceRef(src.configMapRef, `${p}.configMapRef`));
    }
    if (src?.secretRef) {
      n++;
      errs.push(...validateEnvSourceRef(src.secretRef, `${p}.secretRef`));
    }
    if (n === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}
