// Test support shared by the Endpoints and EndpointSlice controllers' tests: the pods of the
// Services under test, and the kubelet's part played by hand (there is none in these tests). Not
// used outside tests.

import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import { PODS } from '../client/resources.js';

/** A pod in default labelled app=web on node-1, with a container port named http (8080). */
export const webPod = (name: string, spec: Record<string, any> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'web' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }], ...spec },
});

export const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Creates the pod and reports it Running (or opts.phase) with an IP, Ready or not. */
export async function runPod(client: Client, p: KObject, opts: { ip: string; ready: boolean; phase?: string }): Promise<KObject> {
  const created = await client.create(PODS, 'default', p);
  return client.update(
    PODS,
    {
      ...created,
      status: {
        ...created.status,
        phase: opts.phase ?? 'Running',
        podIP: opts.ip,
        podIPs: [{ ip: opts.ip }],
        conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: rfc3339(new Date()) }],
      },
    },
    'status',
  );
}
