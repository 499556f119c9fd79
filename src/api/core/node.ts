// core/v1 Node: cluster-scoped with a status subresource. Defaulting (allocatable from capacity), the
// pkg/registry/core/node strategy (status kept on main-resource updates), ValidateNode /
// ValidateNodeUpdate (taints, resource quantities, podCIDRs and providerID set once), the
// spec.unschedulable field selector and the nodes table (STATUS, ROLES, VERSION, wide addresses and
// system info).
// Deliberately absent: the proxy subresource, configSource validation and node-restriction admission.

import type { FieldError } from '../errors.js';
import { duplicate, forbiddenField, invalid, notSupported, required } from '../errors.js';
import { parseQuantity, quantityError } from '../quantity.js';
import type { KObject, Printer, ResourceDef } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { isQualifiedName, isValidLabelValue, nameIsDNSSubdomain } from '../validation/names.js';
import { IS_NEGATIVE, parseIPFamily, validateCoreObjectMeta, validateCoreObjectMetaUpdate } from './field-validators.js';
import { syncSingularPlural } from './singular-plural.js';

const META = { namespaced: false, nameValidator: nameIsDNSSubdomain };
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** validateNodeTaints (Kubernetes reports them under metadata.taints). */
function validateTaints(taints: any[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    errs.push(...isQualifiedName(t?.key ?? '').map((m) => invalid(`${p}.key`, t?.key ?? '', m)));
    const valueErrs = isValidLabelValue(t?.value ?? '');
    if (valueErrs.length) errs.push(invalid(`${p}.value`, t?.value ?? '', valueErrs.join(';')));
    if (!t?.effect) errs.push(required(`${p}.effect`));
    else if (!TAINT_EFFECTS.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
    const key = `${t?.effect ?? ''}\u0000${t?.key ?? ''}`;
    if (seen.has(key)) {
      errs.push({ ...duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    seen.add(key);
  });
  return errs;
}

function validateNodeResources(node: KObject): FieldError[] {
  const errs: FieldError[] = [];
  for (const part of ['capacity', 'allocatable']) {
    for (const [name, raw] of Object.entries<any>(node.status?.[part] ?? {})) {
      const path = `status.${part}.${name}`;
      const text = String(raw ?? '').trim();
      const q = parseQuantity(text);
      if (!q) errs.push(invalid(path, raw ?? '', quantityError(text) ?? 'must be a quantity'));
      else if (q.unscaled < 0n) errs.push(invalid(path, text, IS_NEGATIVE));
    }
  }
  return errs;
}

function isValidCIDR(v: string): boolean {
  const m = /^(.+)\/(\d{1,3})$/.exec(v ?? '');
  if (!m) return false;
  const family = parseIPFamily(m[1]);
  return family !== 0 && Number(m[2]) <= (family === 4 ? 32 : 128);
}

function validatePodCIDRs(node: KObject): FieldError[] {
  const cidrs: string[] = node.spec?.podCIDRs ?? [];
  const errs = cidrs.flatMap((c, i) =>
    isValidCIDR(c) ? [] : [invalid(`spec.podCIDRs[${i}]`, c, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')],
  );
  if (cidrs.length > 1 && errs.length === 0) {
    const families = new Set(cidrs.map((c) => parseIPFamily(c.split('/')[0])));
    if (cidrs.length > 2 || families.size !== 2) errs.push(invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
    cidrs.forEach((c, i) => {
      if (cidrs.indexOf(c) !== i) errs.push(duplicate(`spec.podCIDRs[${i}]`, c));
    });
  }
  return errs;
}

function validateNodeUpdate(node: KObject, old: KObject): FieldError[] {
  const errs = [...validateCoreObjectMetaUpdate(node, old, META), ...validateNodeResources(node)];
  const seen = new Set<string>();
  (node.status?.addresses ?? []).forEach((a: any, i: number) => {
    const key = `${a?.type}\u0000${a?.address}`;
    if (seen.has(key)) errs.push(duplicate(`status.addresses[${i}]`, a));
    seen.add(key);
  });
  const oldCIDRs: string[] = old.spec?.podCIDRs ?? [];
  const cidrs: string[] = node.spec?.podCIDRs ?? [];
  if (oldCIDRs.length > 0 && (oldCIDRs.length !== cidrs.length || oldCIDRs.some((c, i) => c !== cidrs[i]))) {
    errs.push(forbiddenField('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(forbiddenField('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateTaints(node.spec?.taints, 'metadata.taints'));
  if ((node.spec?.externalID ?? '') !== (old.spec?.externalID ?? '')) errs.push(forbiddenField('spec.externalID', 'may not be updated'));
  return errs;
}

const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** ROLES: node-role.kubernetes.io/<role> labels and the kubernetes.io/role label, sorted. */
export function nodeRoles(node: KObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) roles.add(k.slice(ROLE_PREFIX.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

/** STATUS: Ready / NotReady / Unknown from the Ready condition, plus SchedulingDisabled. */
export function nodeStatus(node: KObject): string {
  const ready = (node.status?.conditions ?? []).find((c: any) => c?.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const address = (node: KObject, type: string) => (node.status?.addresses ?? []).find((a: any) => a?.type === type)?.address || '<none>';

const ADDRESSES_DOC =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/concepts/nodes/node/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

export const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', ADDRESSES_DOC, 1),
    column('External-IP', 'string', ADDRESSES_DOC, 1),
    column('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    column('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    column('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  row(node, ctx) {
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata?.name ?? '',
      nodeStatus(node),
      nodeRoles(node).join(',') || '<none>',
      ageCell(node, ctx.now),
      info.kubeletVersion ?? '',
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

export const nodeResource: ResourceDef = {
  group: '',
  version: 'v1',
  kind: 'Node',
  plural: 'nodes',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  schemaName: 'io.k8s.api.core.v1.Node',
  hasStatus: true,

  defaults(node) {
    syncSingularPlural<string>(node.spec, 'podCIDR', 'podCIDRs', (c) => c, (c) => c);
    const status = node.status;
    if (status?.capacity && !status.allocatable) status.allocatable = { ...status.capacity };
  },

  prepareForCreate(node) {
    // Nodes carry no metadata.generation in Kubernetes; the kubelet registers with its status.
    if (node.metadata) delete node.metadata.generation;
  },

  prepareForUpdate(node, old) {
    if (old.status === undefined) delete node.status;
    else node.status = structuredClone(old.status);
  },

  validate(node) {
    return [
      ...validateCoreObjectMeta(node, META),
      ...validateTaints(node.spec?.taints, 'metadata.taints'),
      ...validateNodeResources(node),
      ...validatePodCIDRs(node),
    ];
  },

  validateUpdate: validateNodeUpdate,
  validateStatusUpdate: validateNodeUpdate,

  fieldSelectors: {
    'spec.unschedulable': (n) => String(n.spec?.unschedulable === true),
  },

  printer: nodePrinter,
};
