import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerConfigError, containerEnv, expandAll } from './container-env.js';

const pod = {
  metadata: { name: 'web-0', namespace: 'prod', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'hi' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'sa', containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '250m' } } }] },
  status: { hostIP: '10.0.0.1' },
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const lookup = {
  configMap: async (_ns: string, name: string) => (name === 'cfg' ? { data: { mode: 'fast', 'bad key': 'x', level: '3' } } : undefined),
  secret: async (_ns: string, name: string) => (name === 'sec' ? { data: { token: b64('s3cret') } } : undefined),
};

test('env and envFrom as the kubelet computes them', async () => {
  const container = {
    ...pod.spec.containers[0],
    envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'sec' } }, { configMapRef: { name: 'absent', optional: true } }],
    env: [
      { name: 'mode', value: 'slow-$(mode)' },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'LABELS', valueFrom: { fieldRef: { fieldPath: 'metadata.labels' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'CPU_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
    ],
  };
  const env = await containerEnv({ pod, container, podIP: '10.244.1.5', lookup });
  assert.deepEqual(Object.fromEntries(env), {
    mode: 'slow-fast',
    level: '3',
    S_token: 's3cret',
    POD: 'web-0',
    APP: 'web',
    LABELS: 'app="web"\ntier="front"',
    IP: '10.244.1.5',
    HOST: '10.0.0.1',
    NODE: 'node-1',
    CPU: '1',
    CPU_M: '250',
    MEM_MI: '64',
    LEVEL: '3',
  });
  assert.deepEqual(expandAll(['echo', '$(POD)', '$$(POD)'], env), ['echo', 'web-0', '$(POD)']);
});

test('missing references fail with the kubelet texts', async () => {
  const run = (env: any[]) => containerEnv({ pod, container: { name: 'c', env }, podIP: '1.2.3.4', lookup });
  await assert.rejects(run([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }]), new ContainerConfigError('configmap "gone" not found'));
  await assert.rejects(run([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }]), { message: "couldn't find key k in ConfigMap prod/cfg", reason: 'CreateContainerConfigError' });
  await assert.rejects(run([{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }]), { message: 'secret "gone" not found' });
  await assert.rejects(containerEnv({ pod, container: { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] }, podIP: '', lookup }), { message: 'secret "gone" not found' });
});
