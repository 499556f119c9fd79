// coordination.k8s.io/v1 Lease: leader election and node heartbeats. Validation as
// pkg/apis/coordination/validation (DNS-subdomain names, leaseDurationSeconds > 0,
// leaseTransitions >= 0, coordinated-election strategy), the strategy's dropping of the
// CoordinatedLeaderElection fields (alpha, off by default in v1.32: strategy and preferredHolder are
// kept only if the stored object already had them), and the table NAME, HOLDER, AGE.
// Deliberately absent: any meaning of holderIdentity or renewTime (that is the clients' protocol).

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, notSupported } from '../errors.js';
import type { KObject, ResourceDef } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../validation/names.js';

export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
  strategy?: string | null;
  preferredHolder?: string | null;
}

export interface LeaseObject extends KObject {
  spec?: LeaseSpec;
}

const VALID_STRATEGIES = ['OldestEmulationVersion'];
const present = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/** ValidateCoordinatedLeaseStrategy; Kubernetes reports a bad built-in name at <path>.strategy. */
function validateStrategy(strategy: string, path: string): FieldError[] {
  if (!strategy.includes('/')) {
    return VALID_STRATEGIES.includes(strategy) ? [] : [notSupported(`${path}.strategy`, strategy, VALID_STRATEGIES)];
  }
  return isQualifiedName(strategy).map((m) => invalid(`${path}.strategy`, strategy, m));
}

export function validateLeaseSpec(spec: LeaseSpec | undefined): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (present(s.leaseDurationSeconds) && s.leaseDurationSeconds <= 0) {
    errs.push(invalid('spec.leaseDurationSeconds', s.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (present(s.leaseTransitions) && s.leaseTransitions < 0) {
    errs.push(invalid('spec.leaseTransitions', s.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (present(s.strategy)) errs.push(...validateStrategy(s.strategy, 'spec.strategy'));
  if (s.preferredHolder && !s.strategy) {
    errs.push(forbiddenField('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

/** dropDisabledFields: CoordinatedLeaderElection is off, so new uses of its fields are dropped. */
function dropDisabledFields(obj: LeaseObject, old?: LeaseObject): void {
  if (!obj.spec) return;
  if (!present(old?.spec?.preferredHolder)) delete obj.spec.preferredHolder;
  if (!present(old?.spec?.strategy)) delete obj.spec.strategy;
}

const metaOpts = { namespaced: true, nameValidator: nameIsDNSSubdomain };

export const leaseResource: ResourceDef<LeaseObject> = {
  group: 'coordination.k8s.io',
  version: 'v1',
  kind: 'Lease',
  plural: 'leases',
  singular: 'lease',
  namespaced: true,
  schemaName: 'io.k8s.api.coordination.v1.Lease',
  prepareForCreate: (obj) => dropDisabledFields(obj),
  prepareForUpdate: (obj, old) => dropDisabledFields(obj, old),
  validate: (obj) => [...validateObjectMeta(obj, metaOpts), ...validateLeaseSpec(obj.spec)],
  validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj, old, metaOpts), ...validateLeaseSpec(obj.spec)],
  printer: {
    columns: [
      NAME_COLUMN,
      column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.'),
      AGE_COLUMN,
    ],
    row: (obj, ctx) => [obj.metadata?.name ?? '', obj.spec?.holderIdentity ?? '', ageCell(obj, ctx.now)],
  },
};
