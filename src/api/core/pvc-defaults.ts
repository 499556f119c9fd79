// Defaulting of a PersistentVolumeClaim or of a claim template (StatefulSet volumeClaimTemplates
// get the same defaults in Kubernetes): volumeMode Filesystem, status.phase Pending, quantities in
// canonical form. Plus NormalizeDataSources and the drop of fields whose feature gates are off in
// 1.32 (volumeAttributesClassName, dataSourceRef.namespace), used by the PVC strategy.
// Deliberately absent: the default StorageClass (admission needs the StorageClass list).

import type { KObject } from '../resource.js';
import { defaultResourceList } from './resource-list.js';

/** SetObjectDefaults_PersistentVolumeClaim on a claim or claim template. */
export function defaultPersistentVolumeClaim(claim: KObject): void {
  claim.spec ??= {};
  if (claim.spec.volumeMode == null || claim.spec.volumeMode === '') claim.spec.volumeMode = 'Filesystem';
  defaultResourceList(claim.spec.resources?.requests);
  defaultResourceList(claim.spec.resources?.limits);
  claim.status ??= {};
  if (!claim.status.phase) claim.status.phase = 'Pending';
  defaultResourceList(claim.status.capacity);
}

/** NormalizeDataSources: dataSource and dataSourceRef mirror each other unless a namespace is set. */
export function normalizeDataSources(spec: Record<string, any>): void {
  const ds = spec.dataSource;
  const ref = spec.dataSourceRef;
  if (ds && !ref) {
    spec.dataSourceRef = { ...(ds.apiGroup != null ? { apiGroup: ds.apiGroup } : {}), kind: ds.kind, name: ds.name };
  } else if (ref && !ds && !ref.namespace) {
    spec.dataSource = { ...(ref.apiGroup != null ? { apiGroup: ref.apiGroup } : {}), kind: ref.kind, name: ref.name };
  }
}

/** DropDisabledFields for the 1.32 defaults: alpha/beta-off fields vanish unless already in use. */
export function dropDisabledClaimFields(spec: Record<string, any> | undefined, oldSpec?: Record<string, any>): void {
  if (!spec) return;
  if (oldSpec?.volumeAttributesClassName == null) delete spec.volumeAttributesClassName;
  if (spec.dataSourceRef?.namespace && !oldSpec?.dataSourceRef?.namespace) {
    spec.dataSourceRef = { ...spec.dataSourceRef };
    delete spec.dataSourceRef.namespace;
  }
}
