// VolumeAttachment (storage.k8s.io/v1, cluster-scoped): validation of attacher (a CSI driver
// name), source (exactly one of persistentVolumeName and an inline CSI spec) and nodeName, status
// limits (metadata size, error messages), an immutable spec, and the kubectl table
// (NAME, ATTACHER, PV, NODE, ATTACHED, AGE).
// Deliberately absent: attaching and detaching (the attach-detach controller and CSI attacher).

import type { FieldError } from '../errors.js';
import { forbiddenField, invalid, required, tooLong } from '../errors.js';
import type { KObject, ResourceDef, TableCell, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { validateCoreObjectMeta, validateCoreObjectMetaUpdate, validateSemanticImmutable } from '../core/field-validators.js';
import { defaultPersistentVolumeSources } from '../core/pv-defaults.js';
import { validateCSIDriverName } from '../core/pv-sources.js';
import { validatePersistentVolumeSpec } from '../core/pv-validation.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../validation/names.js';

const META = { namespaced: false, nameValidator: nameIsDNSSubdomain };
const MAX_METADATA_SIZE = 256 * 1024;
const MAX_ERROR_MESSAGE = 1024;
const MAX_INT32 = 2147483647;

function validateSource(source: any): FieldError[] {
  const path = 'spec.source';
  const hasPV = source?.persistentVolumeName != null;
  const hasInline = source?.inlineVolumeSpec != null;
  if (!hasPV && !hasInline) return [required(path, 'must specify exactly one of inlineVolumeSpec and persistentVolumeName')];
  if (hasPV && hasInline) return [forbiddenField(path, 'must specify exactly one of inlineVolumeSpec and persistentVolumeName')];
  if (hasPV) {
    return source.persistentVolumeName === '' ? [required(`${path}.persistentVolumeName`, 'must specify non empty persistentVolumeName')] : [];
  }
  return validatePersistentVolumeSpec(source.inlineVolumeSpec, `${path}.inlineVolumeSpec`, { pvName: '', inline: true });
}

function validateVolumeError(e: any, path: string): FieldError[] {
  if (!e) return [];
  const errs: FieldError[] = [];
  // Kubernetes reports the metadata limit here, not the message limit.
  if (typeof e.message === 'string' && e.message.length > MAX_ERROR_MESSAGE) errs.push(tooLong(`${path}.message`, MAX_METADATA_SIZE));
  if (typeof e.errorCode === 'number' && e.errorCode < 0) {
    errs.push(invalid(`${path}.errorCode`, e.errorCode, `must be between 0 and ${MAX_INT32}, inclusive`));
  }
  return errs;
}

/** ValidateVolumeAttachment plus ValidateVolumeAttachmentV1, as the v1 strategy runs both. */
function validateFields(obj: KObject): FieldError[] {
  const spec = obj.spec ?? {};
  const errs: FieldError[] = [];
  if (!spec.attacher) errs.push(required('spec.attacher'));
  errs.push(...validateSource(spec.source));
  const nodeName = typeof spec.nodeName === 'string' ? spec.nodeName : '';
  for (const m of isDNS1123Subdomain(nodeName)) errs.push(invalid('spec.nodeName', nodeName, m));
  let size = 0;
  for (const [k, v] of Object.entries<unknown>(obj.status?.attachmentMetadata ?? {})) size += k.length + String(v ?? '').length;
  if (size > MAX_METADATA_SIZE) errs.push(tooLong('status.attachmentMetadata', MAX_METADATA_SIZE));
  errs.push(...validateVolumeError(obj.status?.attachError, 'status.attachError'));
  errs.push(...validateVolumeError(obj.status?.detachError, 'status.detachError'));
  errs.push(...validateCSIDriverName(spec.attacher, 'spec.attacher'));
  const pvName = spec.source?.persistentVolumeName;
  if (typeof pvName === 'string') for (const m of isDNS1123Subdomain(pvName)) errs.push(invalid('spec.source.persistentVolumeName', pvName, m));
  return errs;
}

const columns: TableColumn[] = [
  NAME_COLUMN,
  { ...column('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().'), format: 'name' },
  column('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
  column('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
  column('Attached', 'boolean', 'attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.'),
  AGE_COLUMN,
];

function row(obj: KObject, ctx: { now: number }): TableCell[] {
  return [
    obj.metadata?.name ?? '',
    obj.spec?.attacher ?? '',
    obj.spec?.source?.persistentVolumeName ?? '',
    obj.spec?.nodeName ?? '',
    obj.status?.attached === true,
    ageCell(obj, ctx.now),
  ];
}

export const volumeAttachmentResource: ResourceDef = {
  group: 'storage.k8s.io',
  version: 'v1',
  kind: 'VolumeAttachment',
  plural: 'volumeattachments',
  singular: 'volumeattachment',
  namespaced: false,
  schemaName: 'io.k8s.api.storage.v1.VolumeAttachment',
  hasStatus: true,
  defaults(obj) {
    const inline = obj.spec?.source?.inlineVolumeSpec;
    if (inline && typeof inline === 'object') defaultPersistentVolumeSources(inline);
  },
  prepareForCreate(obj) {
    // Status is written through /status only (`attached` is always serialized); VolumeAttachments
    // carry no generation in Kubernetes.
    obj.status = { attached: false };
    if (obj.metadata) delete obj.metadata.generation;
  },
  validate: (obj) => [...validateCoreObjectMeta(obj, META), ...validateFields(obj)],
  validateUpdate: (obj, old) => [
    ...validateCoreObjectMetaUpdate(obj, old, META),
    ...validateFields(obj),
    // If this ever relaxes, the generation has to start moving too.
    ...validateSemanticImmutable('spec', { next: obj.spec, old: old.spec }),
  ],
  validateStatusUpdate(obj, old) {
    return [...validateCoreObjectMetaUpdate(obj, old, META), ...validateFields(obj)];
  },
  printer: { columns, row },
};
