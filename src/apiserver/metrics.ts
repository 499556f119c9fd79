// Prometheus metrics of the API server (prom-client), served at /metrics: requests by verb,
// resource and code, request latency, and open watches. Names follow kube-apiserver's.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'apiserver_request_total',
    help: 'Counter of apiserver requests broken out for each verb, resource and HTTP response code.',
    labelNames: ['verb', 'resource', 'code'],
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'Response latency distribution in seconds for each verb and resource (watches excluded).',
    labelNames: ['verb', 'resource'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly watches = new Gauge({
    name: 'apiserver_longrunning_requests',
    help: 'Number of open watch and streaming requests.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observe(verb: string, resource: string, code: number, seconds: number): void {
    this.requests.inc({ verb, resource, code: String(code) });
    if (verb !== 'WATCH') this.latency.observe({ verb, resource }, seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The resource segment of an API path, for metric labels: /api/v1/namespaces/x/pods/y -> pods. */
export function resourceLabel(path: string): string {
  const segs = path.split('/').filter(Boolean);
  const start = segs[0] === 'api' ? 2 : segs[0] === 'apis' ? 3 : -1;
  if (start < 0 || segs.length <= start) return '';
  let rest = segs.slice(start);
  if (rest[0] === 'watch') rest = rest.slice(1);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  return rest.length >= 3 ? `${rest[0]}/${rest[2]}` : rest[0] ?? '';
}
