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
export const SERVICES = core('services', true);
export const ENDPOINTS = core('endpoints', true);
export const CONFIG_MAPS = core('configmaps', true);
export const SECRETS = core('secrets', true);
const apps = (plural: string): ResourceRef => ({ group: 'apps', version: 'v1', plural, namespaced: true });
export const STATEFUL_SETS = apps('statefulsets');
export const DEPLOYMENTS = apps('deployments');
export const REPLICA_SETS = apps('replicasets');
export const CONTROLLER_REVISIONS = apps('controllerrevisions');
export const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true };
export const VOLUME_ATTACHMENTS: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'volumeattachments', namespaced: false };
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true };
