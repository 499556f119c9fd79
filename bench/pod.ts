// The object the API benchmarks write: a realistic Pod (one container with ports, env, resources,
// a probe and a volume mount; labels and annotations; an emptyDir and a configMap volume), about
// 1 KB of JSON. Deliberately absent: anything the server would reject or ignore (status, nodeName).

export function benchPod(name: string, opts: { namespace: string; run?: string }): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: opts.namespace,
      labels: { app: 'bench-web', tier: 'frontend', 'bench.berth.dev/run': opts.run ?? 'r1' },
      annotations: { 'bench.berth.dev/purpose': 'api-load' },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/team/web-frontend:1.27.3',
          command: ['/bin/server'],
          args: ['--listen=:8080', '--log-level=info'],
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [
            { name: 'MODE', value: 'production' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
          volumeMounts: [
            { name: 'cache', mountPath: '/var/cache/web' },
            { name: 'config', mountPath: '/etc/web', readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
        { name: 'config', configMap: { name: 'web-config' } },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
    },
  };
}
