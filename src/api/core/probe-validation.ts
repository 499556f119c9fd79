// Validation of container probes and lifecycle hooks (Kubernetes' validateLivenessProbe,
// validateReadinessProbe, validateStartupProbe, validateHandler, validateLifecycle): exactly one
// handler, its fields, non-negative timings, and the per-probe-kind rules.
// Deliberately absent: HTTP header name syntax checks.

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, notSupported, required } from '../errors.js';
import { validateNonnegative, validatePortNum, validatePortNumOrName } from './field-validators.js';

const HANDLER_KINDS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'] as const;

type HandlerKind = (typeof HANDLER_KINDS)[number];

function validateHandlerAction(action: any, path: string, opts: { kind: HandlerKind; gracePeriod?: number }): FieldError[] {
  const { gracePeriod } = opts;
  switch (opts.kind) {
    case 'exec':
      return action.command?.length ? [] : [required(`${path}.command`)];
    case 'httpGet': {
      const errs: FieldError[] = [];
      if (!action.path) errs.push(required(`${path}.path`));
      errs.push(...validatePortNumOrName(action.port, `${path}.port`));
      if (action.scheme !== 'HTTP' && action.scheme !== 'HTTPS') errs.push(notSupported(`${path}.scheme`, action.scheme ?? '', ['HTTP', 'HTTPS']));
      return errs;
    }
    case 'tcpSocket':
      return validatePortNumOrName(action.port, `${path}.port`);
    case 'grpc':
      return validatePortNum(action.port, `${path}.port`);
    case 'sleep': {
      const s = action.seconds ?? 0;
      if (gracePeriod !== undefined && (s <= 0 || s > gracePeriod)) {
        const msg = `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`;
        return [invalid(path, s, msg)];
      }
      return [];
    }
  }
}

/** validateHandler: `allowed` are the handler kinds this context knows (probes have grpc, hooks have sleep). */
function validateHandler(handler: any, path: string, opts: { allowed: readonly string[]; gracePeriod?: number }): FieldError[] {
  const { allowed, gracePeriod } = opts;
  const errs: FieldError[] = [];
  let n = 0;
  for (const kind of HANDLER_KINDS) {
    if (!allowed.includes(kind) || handler?.[kind] === undefined || handler?.[kind] === null) continue;
    if (n > 0) {
      errs.push(forbiddenField(`${path}.${kind}`, 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    errs.push(...validateHandlerAction(handler[kind], `${path}.${kind}`, { kind, gracePeriod }));
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

export function validateProbe(probe: any, path: string, opts: { kind: ProbeKind; gracePeriod?: number }): FieldError[] {
  if (!probe) return [];
  const { kind, gracePeriod } = opts;
  const errs = validateHandler(probe, path, { allowed: ['exec', 'httpGet', 'tcpSocket', 'grpc'], gracePeriod });
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegative(probe[f], `${path}.${f}`));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps <= 0) errs.push(invalid(`${path}.terminationGracePeriodSeconds`, tgps, 'must be greater than 0'));
  if (kind !== 'readinessProbe' && (probe.successThreshold ?? 0) !== 1) {
    errs.push(invalid(`${path}.successThreshold`, probe.successThreshold ?? 0, 'must be 1'));
  }
  if (kind === 'readinessProbe' && tgps !== undefined && tgps !== null) {
    errs.push(invalid(`${path}.terminationGracePeriodSeconds`, tgps, 'must not be set for readinessProbes'));
  }
  return errs;
}

export function validateLifecycle(lifecycle: any, path: string, opts: { gracePeriod?: number }): FieldError[] {
  const { gracePeriod } = opts;
  const errs: FieldError[] = [];
  for (const hook of ['postStart', 'preStop']) {
    if (lifecycle?.[hook]) errs.push(...validateHandler(lifecycle[hook], `${path}.${hook}`, { allowed: ['exec', 'httpGet', 'tcpSocket', 'sleep'], gracePeriod }));
  }
  return errs;
}
