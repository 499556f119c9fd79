// PodSpec defaulting and validation, shared by Pods and every workload that embeds a pod template
// (StatefulSet, Deployment, ReplicaSet): Kubernetes' SetDefaults_PodSpec (+ the Pod-only defaults on
// request), ValidatePodSpec and ValidatePodTemplateSpec with their messages. Containers, volumes, env
// and probes live in their own modules; this file owns the spec-level fields and the orchestration.
// Deliberately absent: affinity, topologySpreadConstraints, sysctls, seccomp/AppArmor, resource
// claims and pod-level resources (accepted as given, not checked).

import type { FieldError } from '../errors.js';
import { duplicate, forbiddenField, invalid, notSupported, required } from '../errors.js';
import { validateAnnotations, validateLabels } from '../validation/meta.js';
import { isQualifiedName, isValidLabelValue } from '../validation/names.js';
import { validateContainerImagesForPod, validateContainers, validateInitContainers } from './container-validation.js';
import { IS_NEGATIVE, validateDNS1123Label, validateDNS1123Subdomain, validateIP } from './field-validators.js';
import { defaultContainer, defaultVolume } from './pod-spec-defaults.js';
import { validateVolumes } from './volume-validation.js';

const MAX_INT32 = 2147483647;

export interface PodSpecDefaultOptions {
  /** Also apply the defaults Kubernetes gives a Pod but not a pod template (SetDefaults_Pod). */
  pod?: boolean;
}

/** Fills Kubernetes' defaults into a PodSpec, in place. */
export function defaultPodSpec(spec: any, opts: PodSpecDefaultOptions = {}): void {
  if (!spec || typeof spec !== 'object') return;
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.restartPolicy ||= 'Always';
  if (!spec.securityContext) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) spec.terminationGracePeriodSeconds = 30;
  spec.schedulerName ||= 'default-scheduler';
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) defaultVolume(v);
  if (opts.pod) defaultPodOnly(spec);
}

/** SetDefaults_Pod: requests default to limits, service links on, host ports under hostNetwork. */
function defaultPodOnly(spec: any): void {
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c?.resources?.limits;
    if (!limits) continue;
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(limits)) if (!(k in c.resources.requests)) c.resources.requests[k] = v;
  }
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c?.ports ?? []) if (p && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

export function validateTolerations(tolerations: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    const key: string = t?.key ?? '';
    const op: string = t?.operator ?? '';
    const effect: string = t?.effect ?? '';
    if (key) errs.push(...isQualifiedName(key).map((m) => invalid(`${p}.key`, key, m)));
    if (!key && op !== 'Exists') {
      errs.push(invalid(`${p}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t?.tolerationSeconds !== undefined && t?.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(t?.value ?? '');
      if (msgs.length) errs.push(invalid(`${p}.operator`, t?.value ?? '', msgs.join(';')));
    } else if (op === 'Exists') {
      if (t?.value) errs.push(invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(`${p}.operator`, op, ['Equal', 'Exists']));
    }
    if (effect && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      errs.push(notSupported(`${p}.effect`, effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

function validateDNSConfig(spec: any, path: string): FieldError[] {
  const cfg = spec.dnsConfig;
  if (spec.dnsPolicy === 'None') {
    if (!cfg) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (!cfg.nameservers?.length) return [required(`${path}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!cfg) return [];
  const errs: FieldError[] = [];
  const ns: string[] = cfg.nameservers ?? [];
  if (ns.length > 3) errs.push(invalid(`${path}.nameservers`, ns, 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => errs.push(...validateIP(n, `${path}.nameservers[${i}]`)));
  const searches: string[] = cfg.searches ?? [];
  if (searches.length > 32) errs.push(invalid(`${path}.searches`, searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(invalid(`${path}.searches`, searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  }
  searches.forEach((s, i) => errs.push(...validateDNS1123Subdomain(s.replace(/\.$/, ''), `${path}.searches[${i}]`)));
  (cfg.options ?? []).forEach((o: any, i: number) => {
    if (!o?.name) errs.push(required(`${path}.options[${i}]`, 'must not be empty'));
  });
  return errs;
}

function validatePodSecurityContext(spec: any, path: string): FieldError[] {
  const sc = spec.securityContext;
  if (!sc) return [];
  const errs: FieldError[] = [];
  const idRange = `must be between 0 and ${MAX_INT32}, inclusive`;
  for (const f of ['fsGroup', 'runAsUser', 'runAsGroup']) {
    if (typeof sc[f] === 'number' && (sc[f] < 0 || sc[f] > MAX_INT32)) errs.push(invalid(`${path}.${f}`, sc[f], idRange));
  }
  (sc.supplementalGroups ?? []).forEach((g: number, i: number) => {
    if (g < 0 || g > MAX_INT32) errs.push(invalid(`${path}.supplementalGroups[${i}]`, g, idRange));
  });
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(invalid(`${path}.shareProcessNamespace`, true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  return errs;
}

export interface PodSpecValidationOptions {
  /** The spec belongs to a Pod (not a template): host ports must be set under hostNetwork. */
  isPod?: boolean;
}

/** ValidatePodSpec: `path` is the spec's field path ('spec', 'spec.template.spec'). */
export function validatePodSpec(spec: any, path: string, opts: PodSpecValidationOptions = {}): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  const grace = s.terminationGracePeriodSeconds;
  if (grace === undefined || grace === null) errs.push(required(`${path}.terminationGracePeriodSeconds`));
  else if (grace < 0) errs.push(invalid(`${path}.terminationGracePeriodSeconds`, grace, IS_NEGATIVE));
  const { volumes, errs: volErrs } = validateVolumes(s.volumes, `${path}.volumes`);
  errs.push(...volErrs);
  const copts = { volumes, gracePeriod: typeof grace === 'number' ? grace : undefined };
  errs.push(...validateContainers(s.containers, `${path}.containers`, copts));
  errs.push(...validateInitContainers(s.initContainers, `${path}.initContainers`, { ...copts, regular: s.containers }));
  if (s.hostNetwork) {
    (s.containers ?? []).forEach((c: any, i: number) =>
      (c?.ports ?? []).forEach((p: any, j: number) => {
        const hp = p?.hostPort ?? 0;
        if ((opts.isPod || hp !== 0) && hp !== p?.containerPort) {
          errs.push(invalid(`${path}.containers[${i}].ports[${j}].hostPort`, hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  const rp = s.restartPolicy ?? '';
  if (!rp) errs.push(required(`${path}.restartPolicy`));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp)) errs.push(notSupported(`${path}.restartPolicy`, rp, ['Always', 'OnFailure', 'Never']));
  const dp = s.dnsPolicy ?? '';
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (!dp) errs.push(required(`${path}.dnsPolicy`));
  else if (!dnsPolicies.includes(dp)) errs.push(notSupported(`${path}.dnsPolicy`, dp, dnsPolicies));
  errs.push(...validateLabels(s.nodeSelector, `${path}.nodeSelector`));
  errs.push(...validatePodSecurityContext(s, `${path}.securityContext`));
  (s.imagePullSecrets ?? []).forEach((ref: any, i: number) => {
    if (ref && Object.keys(ref).some((k) => k !== 'name')) errs.push(invalid(`${path}.imagePullSecrets[${i}]`, ref, 'only name may be set'));
  });
  errs.push(...validateDNSConfig(s, `${path}.dnsConfig`));
  (s.readinessGates ?? []).forEach((g: any, i: number) => {
    const t = g?.conditionType ?? '';
    errs.push(...isQualifiedName(t).map((m) => invalid(`${path}.readinessGates[${i}].conditionType`, t, m)));
  });
  const gates = new Set<string>();
  (s.schedulingGates ?? []).forEach((g: any, i: number) => {
    const n = g?.name ?? '';
    errs.push(...isQualifiedName(n).map((m) => invalid(`${path}.schedulingGates[${i}]`, n, m)));
    if (gates.has(n)) errs.push(duplicate(`${path}.schedulingGates[${i}]`, n));
    gates.add(n);
  });
  if (s.serviceAccountName) errs.push(...validateDNS1123Subdomain(s.serviceAccountName, `${path}.serviceAccountName`));
  if (s.nodeName) errs.push(...validateDNS1123Subdomain(s.nodeName, `${path}.nodeName`));
  const ads = s.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (ads < 1 || ads > MAX_INT32)) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, ads, `must be between 1 and ${MAX_INT32}, inclusive`));
  }
  if (s.hostname) errs.push(...validateDNS1123Label(s.hostname, `${path}.hostname`));
  if (s.subdomain) errs.push(...validateDNS1123Label(s.subdomain, `${path}.subdomain`));
  errs.push(...validateTolerations(s.tolerations, `${path}.tolerations`));
  (s.hostAliases ?? []).forEach((a: any, i: number) => {
    errs.push(...validateIP(a?.ip ?? '', `${path}.hostAliases[${i}].ip`));
    (a?.hostnames ?? []).forEach((h: string, j: number) => errs.push(...validateDNS1123Subdomain(h, `${path}.hostAliases[${i}].hostnames[${j}]`)));
  });
  if (s.priorityClassName) errs.push(...validateDNS1123Subdomain(s.priorityClassName, `${path}.priorityClassName`));
  if (s.runtimeClassName !== undefined && s.runtimeClassName !== null) errs.push(...validateDNS1123Subdomain(s.runtimeClassName, `${path}.runtimeClassName`));
  if (s.preemptionPolicy !== undefined && s.preemptionPolicy !== null) {
    if (!s.preemptionPolicy) errs.push(required(`${path}.preemptionPolicy`));
    else if (!['PreemptLowerPriority', 'Never'].includes(s.preemptionPolicy)) {
      errs.push(notSupported(`${path}.preemptionPolicy`, s.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
    }
  }
  if (s.os) {
    if (!s.os.name) errs.push(required(`${path}.os.name`, 'cannot be empty'));
    else if (!['linux', 'windows'].includes(s.os.name)) errs.push(notSupported(`${path}.os`, s.os.name, ['linux', 'windows']));
  }
  if (opts.isPod) {
    errs.push(...validateContainerImagesForPod(s.containers, `${path}.containers`));
    errs.push(...validateContainerImagesForPod(s.initContainers, `${path}.initContainers`));
  }
  return errs;
}

/** ValidatePodTemplateSpec: template labels and annotations, then its spec. `path` is e.g. 'spec.template'. */
export function validatePodTemplateSpec(template: any, path: string): FieldError[] {
  const t = template ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabels(t.metadata?.labels, `${path}.labels`));
  errs.push(...validateAnnotations(t.metadata?.annotations, `${path}.annotations`));
  errs.push(...validatePodSpec(t.spec, `${path}.spec`));
  if (t.spec?.ephemeralContainers?.length) {
    errs.push(forbiddenField(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return errs;
}
