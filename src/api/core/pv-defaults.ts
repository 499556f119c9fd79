// Defaulting of a PersistentVolume's sources, as the generated defaulters do it: hostPath.type "",
// rbd pool/user/keyring, iscsi interface, azureDisk and scaleIO settings, and capacity quantities
// in canonical form. Shared by PersistentVolume and the inline specs of VolumeAttachments.
// Deliberately absent: spec-level defaults (reclaim policy, volume mode), which only a PV gets.

import { defaultResourceList } from './resource-list.js';

/** Fills each field that is missing, null or empty with its default. */
export function setDefaults(obj: Record<string, any>, defaults: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(defaults)) {
    if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
  }
}

/** The per-source defaults of the generated defaulters (also applied to VolumeAttachment inline specs). */
export function defaultPersistentVolumeSources(spec: Record<string, any>): void {
  defaultResourceList(spec.capacity);
  if (spec.hostPath && typeof spec.hostPath === 'object' && spec.hostPath.type == null) spec.hostPath.type = '';
  if (spec.rbd && typeof spec.rbd === 'object') setDefaults(spec.rbd, { pool: 'rbd', user: 'admin', keyring: '/etc/ceph/keyring' });
  if (spec.iscsi && typeof spec.iscsi === 'object') setDefaults(spec.iscsi, { iscsiInterface: 'default' });
  if (spec.azureDisk && typeof spec.azureDisk === 'object') {
    setDefaults(spec.azureDisk, { cachingMode: 'ReadWrite', fsType: 'ext4', kind: 'Shared' });
    if (spec.azureDisk.readOnly == null) spec.azureDisk.readOnly = false;
  }
  if (spec.scaleIO && typeof spec.scaleIO === 'object') setDefaults(spec.scaleIO, { storageMode: 'ThinProvisioned', fsType: 'xfs' });
}

