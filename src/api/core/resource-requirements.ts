// Validation of a container's resources (requests and limits) as Kubernetes' validateResourceRequirements
// does it: resource names (standard, hugepages, or fully-qualified extended resources), quantities that
// parse and are not negative, integer-only extended resources, and requests ≤ limits (= limits for
// resources that cannot be overcommitted). Quantities come from ../quantity.ts.
// Deliberately absent: pod-level resources, resource claims and hugepage divisibility.

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, keyPath, required } from '../errors.js';
import type { Quantity } from '../quantity.js';
import { compareQuantity, formatQuantity, parseQuantity, quantityError } from '../quantity.js';
import { isQualifiedName } from '../validation/names.js';
import { IS_NEGATIVE } from './field-validators.js';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'services.nodeports',
  'services.loadbalancers',
]);

const isHugePages = (name: string) => name.startsWith('hugepages-');
/** IsNativeResource: unprefixed, or in the kubernetes.io/ domain. */
export const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isExtendedResource = (name: string) =>
  !isNativeResource(name) && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
const isOvercommitAllowed = (name: string) => isNativeResource(name) && !isHugePages(name);

function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_RESOURCES.has(name) && !isHugePages(name)) return [invalid(path, name, 'must be a standard resource type or fully qualified')];
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) return [invalid(path, name, 'must be a standard resource for containers')];
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    return [invalid(path, name, "doesn't follow extended resource name standard")];
  }
  return [];
}

type Parsed = { q: Quantity | null; errs: FieldError[] };

/** Parses one quantity and checks it is a valid, non-negative (and, for extended resources, whole) value. */
function checkQuantity(value: unknown, path: string, opts: { name: string }): Parsed {
  const { name } = opts;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return { q: null, errs: [invalid(path, value ?? null, 'must be a quantity')] };
  const q = parseQuantity(text.trim());
  if (!q) return { q: null, errs: [invalid(path, value, quantityError(text.trim()) ?? 'must be a quantity')] };
  const errs: FieldError[] = [];
  if (q.unscaled < 0n) errs.push(invalid(path, formatQuantity(q), IS_NEGATIVE));
  const whole = q.scale >= 0 || q.unscaled % 10n ** BigInt(-q.scale) === 0n;
  if (isExtendedResource(name) && !whole) errs.push(invalid(path, formatQuantity(q), 'must be an integer'));
  return { q, errs };
}

export interface ResourceRequirementsLike {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
  claims?: unknown[];
}

export function validateResourceRequirements(res: ResourceRequirementsLike | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!res) return errs;
  const limPath = `${path}.limits`;
  const reqPath = `${path}.requests`;
  const limits = new Map<string, Quantity>();
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, value] of Object.entries(res.limits ?? {})) {
    const p = keyPath(limPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const { q, errs: qErrs } = checkQuantity(value, p, { name });
    errs.push(...qErrs);
    if (q) limits.set(name, q);
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePages(name)) hugePages = true;
  }
  for (const [name, value] of Object.entries(res.requests ?? {})) {
    const p = keyPath(reqPath, name);
    errs.push(...validateContainerResourceName(name, p));
    const { q, errs: qErrs } = checkQuantity(value, p, { name });
    errs.push(...qErrs);
    const limit = limits.get(name);
    if (q && limit) {
      const cmp = compareQuantity(q, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      } else if (cmp > 0) {
        errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
      }
    } else if (!(name in (res.limits ?? {})) && !isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
    if (isHugePages(name)) hugePages = true;
  }
  if (hugePages && !cpuOrMemory) errs.push(forbiddenField(path, 'HugePages require cpu or memory'));
  return errs;
}
