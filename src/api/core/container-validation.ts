// Validation of a pod spec's containers and init containers (Kubernetes' validateContainers,
// validateInitContainers, validateContainerCommon): names, image, ports, env, mounts, pull policy,
// resources, probes and hooks, the restartPolicy rules for sidecars, and host port conflicts.
// Deliberately absent: ephemeral containers (rejected on create by the pod strategy), volumeDevices
// beyond their volume reference, and most of securityContext (only user and group IDs).

import type { FieldError } from '../errors.js';
import { duplicate, forbiddenField, invalid, notFoundField, notSupported, required } from '../errors.js';
import { validateEnv, validateEnvFrom } from './env-validation.js';
import { isValidPortName, validateDNS1123Label, validatePortNum, validateProtocol } from './field-validators.js';
import { validateLifecycle, validateProbe } from './probe-validation.js';
import { validateResourceRequirements } from './resource-requirements.js';
import { validateLocalDescendingPath } from './volume-validation.js';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];
const MAX_ID = 2147483647;

export function validateContainerPorts(ports: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port?.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...msgs.map((m) => invalid(`${p}.name`, port.name, m)));
      else if (names.has(port.name)) errs.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port?.containerPort) errs.push(required(`${p}.containerPort`));
    else errs.push(...validatePortNum(port.containerPort, `${p}.containerPort`));
    if (port?.hostPort) errs.push(...validatePortNum(port.hostPort, `${p}.hostPort`));
    errs.push(...validateProtocol(port?.protocol, `${p}.protocol`));
  });
  return errs;
}

function validateVolumeMounts(mounts: any[] | undefined, path: string, opts: { volumes: Map<string, any> }): FieldError[] {
  const { volumes } = opts;
  const errs: FieldError[] = [];
  const mountPaths = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const p = `${path}[${i}]`;
    if (!m?.name) errs.push(required(`${p}.name`));
    if (!volumes.has(m?.name)) errs.push(notFoundField(`${p}.name`, m?.name ?? ''));
    if (!m?.mountPath) errs.push(required(`${p}.mountPath`));
    if (mountPaths.has(m?.mountPath)) errs.push(invalid(`${p}.mountPath`, m.mountPath, 'must be unique'));
    mountPaths.add(m?.mountPath);
    // Kubernetes reports subPath problems at the list path, not the item.
    if (m?.subPath) errs.push(...validateLocalDescendingPath(m.subPath, `${path}.subPath`));
    if (m?.subPathExpr) {
      if (m.subPath) errs.push(invalid(`${p}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, `${path}.subPathExpr`));
    }
    if (m?.mountPropagation !== undefined && m.mountPropagation !== null && !MOUNT_PROPAGATIONS.includes(m.mountPropagation)) {
      errs.push(notSupported(`${path}.mountPropagation`, m.mountPropagation, MOUNT_PROPAGATIONS));
    }
  });
  return errs;
}

function validateVolumeDevices(devices: any[] | undefined, path: string, opts: { volumes: Map<string, any> }): FieldError[] {
  const { volumes } = opts;
  const errs: FieldError[] = [];
  (devices ?? []).forEach((d, i) => {
    const p = `${path}[${i}]`;
    if (!d?.name) errs.push(required(`${p}.name`));
    const vol = volumes.get(d?.name);
    if (!vol) errs.push(notFoundField(`${p}.name`, d?.name ?? ''));
    else if (!vol.persistentVolumeClaim && !vol.ephemeral) {
      errs.push(invalid(`${p}.name`, d.name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!d?.devicePath) errs.push(required(`${p}.devicePath`));
  });
  return errs;
}

function validateSecurityContext(sc: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['runAsUser', 'runAsGroup']) {
    const v = sc?.[f];
    if (typeof v === 'number' && (v < 0 || v > MAX_ID)) errs.push(invalid(`${path}.${f}`, v, `must be between 0 and ${MAX_ID}, inclusive`));
  }
  return errs;
}

function validateContainerCommon(ctr: any, path: string, opts: { volumes: Map<string, any> }): FieldError[] {
  const { volumes } = opts;
  const errs: FieldError[] = [];
  if (!ctr?.name) errs.push(required(`${path}.name`));
  else errs.push(...validateDNS1123Label(ctr.name, `${path}.name`));
  if (!ctr?.image) errs.push(required(`${path}.image`));
  const tmp = ctr?.terminationMessagePolicy;
  if (!tmp) errs.push(required(`${path}.terminationMessagePolicy`));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(notSupported(`${path}.terminationMessagePolicy`, tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validateContainerPorts(ctr?.ports, `${path}.ports`));
  errs.push(...validateEnv(ctr?.env, `${path}.env`));
  errs.push(...validateEnvFrom(ctr?.envFrom, `${path}.envFrom`));
  errs.push(...validateVolumeMounts(ctr?.volumeMounts, `${path}.volumeMounts`, { volumes }));
  errs.push(...validateVolumeDevices(ctr?.volumeDevices, `${path}.volumeDevices`, { volumes }));
  const pull = ctr?.imagePullPolicy;
  if (!pull) errs.push(required(`${path}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(pull)) errs.push(notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  errs.push(...validateResourceRequirements(ctr?.resources, `${path}.resources`));
  errs.push(...validateSecurityContext(ctr?.securityContext, `${path}.securityContext`));
  return errs;
}

/** checkHostPortConflicts: the same protocol/hostIP/hostPort may be used once. */
function checkHostPortConflicts(containers: any[], path: string, opts: { offset?: number } = {}): FieldError[] {
  const offset = opts.offset ?? 0;
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((ctr, ci) => {
    (ctr?.ports ?? []).forEach((port: any, pi: number) => {
      if (!port?.hostPort) return;
      const key = `${port.protocol ?? ''}/${port.hostIP ?? ''}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(`${path}[${ci + offset}].ports[${pi}].hostPort`, key));
      else seen.add(key);
    });
  });
  return errs;
}

export interface ContainerValidationOptions {
  volumes: Map<string, any>;
  gracePeriod?: number;
  /** For init containers: the regular containers, whose names they may not reuse. */
  regular?: any[];
}

export function validateContainers(containers: any[] | undefined, path: string, opts: ContainerValidationOptions): FieldError[] {
  if (!containers?.length) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((ctr, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(ctr, p, opts));
    if (names.has(ctr?.name)) errs.push(duplicate(`${p}.name`, ctr.name));
    else names.add(ctr?.name);
    if (ctr?.lifecycle) errs.push(...validateLifecycle(ctr.lifecycle, `${p}.lifecycle`, opts));
    errs.push(...validateProbe(ctr?.livenessProbe, `${p}.livenessProbe`, { kind: 'livenessProbe', gracePeriod: opts.gracePeriod }));
    errs.push(...validateProbe(ctr?.readinessProbe, `${p}.readinessProbe`, { kind: 'readinessProbe', gracePeriod: opts.gracePeriod }));
    errs.push(...validateProbe(ctr?.startupProbe, `${p}.startupProbe`, { kind: 'startupProbe', gracePeriod: opts.gracePeriod }));
    if (ctr?.restartPolicy !== undefined && ctr?.restartPolicy !== null) {
      errs.push(forbiddenField(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    }
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

const NOT_SIDECAR = 'may not be set for init containers without restartPolicy=Always';

export function validateInitContainers(inits: any[] | undefined, path: string, opts: ContainerValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>((opts.regular ?? []).map((c) => c?.name));
  (inits ?? []).forEach((ctr, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateContainerCommon(ctr, p, opts));
    const policy = ctr?.restartPolicy;
    if (policy !== undefined && policy !== null && policy !== 'Always') errs.push(notSupported(`${p}.restartPolicy`, policy, ['Always']));
    if (names.has(ctr?.name)) errs.push(duplicate(`${p}.name`, ctr.name));
    else if (ctr?.name) names.add(ctr.name);
    errs.push(...checkHostPortConflicts([ctr], path, { offset: i }));
    if (policy === 'Always') {
      if (ctr.lifecycle) errs.push(...validateLifecycle(ctr.lifecycle, `${p}.lifecycle`, opts));
      errs.push(...validateProbe(ctr.livenessProbe, `${p}.livenessProbe`, { kind: 'livenessProbe', gracePeriod: opts.gracePeriod }));
      errs.push(...validateProbe(ctr.readinessProbe, `${p}.readinessProbe`, { kind: 'readinessProbe', gracePeriod: opts.gracePeriod }));
      errs.push(...validateProbe(ctr.startupProbe, `${p}.startupProbe`, { kind: 'startupProbe', gracePeriod: opts.gracePeriod }));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (ctr?.[f]) errs.push(forbiddenField(`${p}.${f}`, NOT_SIDECAR));
      }
    }
  });
  return errs;
}

/** validateContainerOnlyForPod: checks a pod makes that a pod template does not. */
export function validateContainerImagesForPod(containers: any[] | undefined, path: string): FieldError[] {
  return (containers ?? []).flatMap((c, i) =>
    typeof c?.image === 'string' && c.image.trim() !== c.image ? [invalid(`${path}[${i}].image`, c.image, 'must not have leading or trailing whitespace')] : [],
  );
}
