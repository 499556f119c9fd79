// How the API server reaches a pod's node agent for exec and logs (Kubernetes' ConnectionInfoGetter
// plus the container defaulting of pkg/registry/core/pod/strategy.go validateContainer): the
// container a request means, and the agent server's address (the Node's InternalIP and
// status.daemonEndpoints.kubeletEndpoint.Port) with the bearer token from the agent credentials
// Secret, both read from the watch cache at each request (a restarted agent's new port counts at once).
// Deliberately absent: TLS to the agent and --kubelet-preferred-address-types (InternalIP, then
// ExternalIP: berth's Hostname addresses are node names, not resolvable host names).

import type { KObject } from '../../api/resource.js';
import { badRequest, notFound, serviceUnavailable } from '../../api/errors.js';
import { AGENT_CREDENTIALS_SECRET, tokenOf } from '../../agent/agent-auth.js';
import type { ServerParts } from './context.js';

/** The container a request means: the named one, or the pod's only container (strategy.go validateContainer). */
export function chooseContainer(pod: KObject, requested: string | null): string {
  const spec = pod.spec ?? {};
  const names: string[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])].map((c: any) => c?.name);
  const name = pod.metadata?.name;
  if (!requested) {
    const regular = spec.containers ?? [];
    if (regular.length === 1) return regular[0].name;
    if (regular.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
  }
  if (!names.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return requested;
}

export interface AgentConnection {
  /** host:port of the agent server (IPv6 in brackets). */
  hostPort: string;
  token: string;
}

/** Where the agent of `nodeName` listens and the token it wants. */
export function agentConnection(parts: ServerParts, nodeName: string): AgentConnection {
  const node = parts.registry('', 'nodes')?.tryGet(undefined, nodeName)?.obj;
  if (!node) throw notFound({ group: '', resource: 'nodes' }, nodeName);
  const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
  const addresses: any[] = node.status?.addresses ?? [];
  const ip = (addresses.find((a) => a?.type === 'InternalIP') ?? addresses.find((a) => a?.type === 'ExternalIP'))?.address;
  if (!port || !ip) {
    throw badRequest(
      `node ${JSON.stringify(nodeName)} serves no exec or logs: its agent publishes ${port ? 'no InternalIP address' : 'no server port (status.daemonEndpoints.kubeletEndpoint.Port is 0)'}`,
    );
  }
  const { namespace, name } = AGENT_CREDENTIALS_SECRET;
  const token = tokenOf(parts.registry('', 'secrets')?.tryGet(namespace, name)?.obj);
  if (!token) throw serviceUnavailable(`cannot reach node agents: the Secret ${namespace}/${name} holding their credentials is missing`);
  return { hostPort: String(ip).includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`, token };
}
