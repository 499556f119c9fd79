// Objects the API server itself guarantees exist, as kube-apiserver's bootstrap controllers do:
// the system namespaces and the `kubernetes` Service in `default`. Idempotent across restarts.

import type { KObject } from '../api/resource.js';
import type { ApiServer } from './api-server.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(api: ApiServer, plural: string, namespace: string | undefined, obj: KObject): Promise<void> {
  const rs = api.registry('', plural)!;
  if (rs.tryGet(namespace, obj.metadata!.name!)) return;
  await rs.create(obj, namespace, { fieldManager: 'kube-apiserver' });
}

export async function bootstrap(api: ApiServer): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(api, 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  await ensure(api, 'services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.1',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
      sessionAffinity: 'None',
    },
  });
}
