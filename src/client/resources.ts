// The API resources controllers, provisioners and agents address, as client ResourceRefs, so
// every component names a resource the same way.

import type { ResourceRef } from './client.js';

const core = (plural: string, namespaced: boolean): ResourceRef => ({ group: '', version: 'v1', plural, namespaced });

export const NAMESPACES = core('namespaces', false);
export const NODES = core('nodes', false);
export const PODS = core('pods', true);
export const EVENTS = core('events', true);
export const PERSISTENT_VOLUMES = core('persistentvolumes', false);
export const PERSISTENT_VOLUME_CLAIMS = core('persistentvolumeclaims', true);
export const STORAGE_CLASSES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', namespaced: false };
