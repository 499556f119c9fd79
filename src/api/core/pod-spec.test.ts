import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import { defaultPodSpec, validatePodSpec, validatePodTemplateSpec } from './pod-spec.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A defaulted, valid spec with one container. */
function spec(extra: Record<string, any> = {}): any {
  const s = { containers: [{ name: 'app', image: 'nginx:1.25' }], ...extra };
  defaultPodSpec(s);
  return s;
}

const validate = (s: any) => texts(validatePodSpec(deepFreeze(s), 'spec'));

test('defaultPodSpec() fills the PodSpec defaults', () => {
  const s = spec();
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.enableServiceLinks, undefined, 'enableServiceLinks is a Pod-only default');
  const c = s.containers[0];
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
});

test('defaultPodSpec() keeps values that are set', () => {
  const s = spec({ restartPolicy: 'Never', terminationGracePeriodSeconds: 0, dnsPolicy: 'Default' });
  assert.equal(s.restartPolicy, 'Never');
  assert.equal(s.terminationGracePeriodSeconds, 0);
  assert.equal(s.dnsPolicy, 'Default');
});

test('defaultPodSpec() pulls :latest and untagged images Always, others IfNotPresent', () => {
  const policy = (image: string) => spec({ containers: [{ name: 'a', image }] }).containers[0].imagePullPolicy;
  assert.equal(policy('nginx'), 'Always');
  assert.equal(policy('nginx:latest'), 'Always');
  assert.equal(policy('localhost:5000/team/app'), 'Always');
  assert.equal(policy('registry.k8s.io/pause:3.10'), 'IfNotPresent');
  assert.equal(policy('nginx@sha256:' + 'a'.repeat(64)), 'IfNotPresent');
  assert.equal(policy('Not A Valid Image'), 'IfNotPresent');
});

test('defaultPodSpec() defaults ports, probes, env field refs and handlers', () => {
  const s = spec({
    containers: [
      {
        name: 'a',
        image: 'x:1',
        ports: [{ containerPort: 80 }],
        env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        livenessProbe: { httpGet: { port: 80 } },
        readinessProbe: { grpc: { port: 9000 } },
        lifecycle: { preStop: { httpGet: { port: 8080 } } },
      },
    ],
  });
  const c = s.containers[0];
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.readinessProbe.grpc.service, '');
  assert.deepEqual(c.lifecycle.preStop.httpGet, { port: 8080, path: '/', scheme: 'HTTP' });
});

test('defaultPodSpec() defaults volume sources', () => {
  const s = spec({
    volumes: [
      { name: 'scratch' },
      { name: 'host', hostPath: { path: '/data' } },
      { name: 'sec', secret: { secretName: 's' } },
      { name: 'cm', configMap: { name: 'c' } },
      { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      { name: 'eph', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } } },
    ],
  });
  const [scratch, host, sec, cm, proj, eph] = s.volumes;
  assert.deepEqual(scratch.emptyDir, {});
  assert.equal(host.hostPath.type, '');
  assert.equal(sec.secret.defaultMode, 420);
  assert.equal(cm.configMap.defaultMode, 420);
  assert.equal(proj.projected.defaultMode, 420);
  assert.equal(proj.projected.sources[0].serviceAccountToken.expirationSeconds, 3600);
  assert.equal(eph.ephemeral.volumeClaimTemplate.spec.volumeMode, 'Filesystem');
});

test('defaultPodSpec() applies the Pod-only defaults when asked', () => {
  const s: any = {
    hostNetwork: true,
    containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 8080 }], resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } } }],
  };
  defaultPodSpec(s, { pod: true });
  assert.equal(s.enableServiceLinks, true);
  assert.deepEqual(s.containers[0].resources.requests, { cpu: '500m', memory: '1Gi' });
  assert.equal(s.containers[0].ports[0].hostPort, 8080);
});

test('validatePodSpec() accepts a defaulted spec', () => {
  assert.deepEqual(validate(spec()), []);
});

test('validatePodSpec() requires containers', () => {
  assert.deepEqual(validate(spec({ containers: [] })), ['spec.containers: Required value']);
});

test('validatePodSpec() requires an image', () => {
  assert.deepEqual(validate(spec({ containers: [{ name: 'app' }] })), ['spec.containers[0].image: Required value']);
});

test('validatePodSpec() requires DNS-1123 label container names, unique across init containers', () => {
  const s = spec({ containers: [{ name: 'App', image: 'x:1' }, { name: 'b', image: 'x:1' }], initContainers: [{ name: 'b', image: 'x:1' }] });
  const errs = validate(s);
  assert.match(errs[0], /^spec\.containers\[0\]\.name: Invalid value: "App": a lowercase RFC 1123 label must consist of/);
  assert.ok(errs.includes('spec.initContainers[0].name: Duplicate value: "b"'));
  assert.deepEqual(validate(spec({ containers: [{ image: 'x:1' }] })), ['spec.containers[0].name: Required value']);
});

test('validatePodSpec() checks container ports', () => {
  const s = spec({
    containers: [
      {
        name: 'a',
        image: 'x:1',
        ports: [
          { name: 'http', containerPort: 70000 },
          { name: 'http', containerPort: 81, protocol: 'ICMP' },
          { containerPort: 82, name: 'Bad_Name' },
        ],
      },
    ],
  });
  s.containers[0].ports[1].protocol = 'ICMP';
  const errs = validate(s);
  assert.ok(errs.includes('spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'));
  assert.ok(errs.includes('spec.containers[0].ports[1].name: Duplicate value: "http"'));
  assert.ok(errs.includes('spec.containers[0].ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'));
  assert.ok(errs.includes('spec.containers[0].ports[2].name: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
});

test('validatePodSpec() checks env var names and sources', () => {
  const s = spec({
    containers: [
      {
        name: 'a',
        image: 'x:1',
        env: [{ name: '1BAD' }, { name: 'OK.name-1', value: 'v' }, { name: 'FROM', valueFrom: {} }, { name: '' }],
      },
    ],
  });
  assert.deepEqual(validate(s), [
    'spec.containers[0].env[0].name: Invalid value: "1BAD": a valid environment variable name must consist of alphabetic characters, digits, \'_\', \'-\', or \'.\', and must not start with a digit (e.g. \'my.env-name\',  or \'MY_ENV.NAME\',  or \'MyEnvName1\', regex used for validation is \'[-._a-zA-Z][-._a-zA-Z0-9]*\')',
    'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    'spec.containers[0].env[3].name: Required value',
  ]);
});

test('validatePodSpec() checks downward API env field paths', () => {
  const s = spec({ containers: [{ name: 'a', image: 'x:1', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }] }] });
  assert.deepEqual(validate(s), [
    'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.hostname": error converting fieldPath: field label not supported: spec.hostname',
  ]);
});

test('validatePodSpec() requires unique volume names and known mounts', () => {
  const s = spec({
    volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }],
    containers: [{ name: 'a', image: 'x:1', volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'missing', mountPath: '/m' }, { name: 'data' }] }],
  });
  assert.deepEqual(validate(s), [
    'spec.volumes[1].name: Duplicate value: "data"',
    'spec.containers[0].volumeMounts[1].name: Not found: "missing"',
    'spec.containers[0].volumeMounts[2].mountPath: Required value',
  ]);
});

test('validatePodSpec() checks volume sources', () => {
  const s = spec({
    volumes: [
      { name: 'two', emptyDir: {}, hostPath: { path: '/x' } },
      { name: 'sec', secret: { defaultMode: 0o1000 } },
      { name: 'hp', hostPath: { path: '/a/../b', type: 'Weird' } },
      { name: 'claim', persistentVolumeClaim: {} },
    ],
  });
  assert.deepEqual(validate(s), [
    'spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type',
    'spec.volumes[1].secret.secretName: Required value',
    'spec.volumes[1].secret.defaultMode: Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive',
    'spec.volumes[2].hostPath.path: Invalid value: "/a/../b": must not contain \'..\'',
    'spec.volumes[2].hostPath.type: Unsupported value: "Weird": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
    'spec.volumes[3].persistentVolumeClaim.claimName: Required value',
  ]);
});

test('validatePodSpec() checks downward API volume field paths', () => {
  const s = spec({
    volumes: [{ name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'node', fieldRef: { fieldPath: 'spec.nodeName' } }] } }],
  });
  assert.deepEqual(validate(s), [
    'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
  ]);
});

test('validatePodSpec() rejects an unsupported restartPolicy and dnsPolicy', () => {
  assert.deepEqual(validate(spec({ restartPolicy: 'Sometimes', dnsPolicy: 'Cluster' })), [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Cluster": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
  ]);
});

test('validatePodSpec() requires requests to be at most limits', () => {
  const s = spec({ containers: [{ name: 'a', image: 'x:1', resources: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '500m', memory: '1024Mi' } } }] });
  assert.deepEqual(validate(s), ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 500m']);
});

test('validatePodSpec() checks resource names and quantities', () => {
  const s = spec({ containers: [{ name: 'a', image: 'x:1', resources: { requests: { cpu: '-1', gpu: '1', memory: 'lots' } } }] });
  assert.deepEqual(validate(s), [
    'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0',
    'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
    "spec.containers[0].resources.requests[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
  ]);
  const ext = spec({ containers: [{ name: 'a', image: 'x:1', resources: { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } } }] });
  assert.deepEqual(validate(ext), ['spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2']);
});

test('validatePodSpec() validates nodeSelector labels', () => {
  assert.deepEqual(validate(spec({ nodeSelector: { disk: 'fast ssd' } })).length, 1);
  assert.match(validate(spec({ nodeSelector: { disk: 'fast ssd' } }))[0], /^spec\.nodeSelector\[disk\]: Invalid value: "fast ssd": a valid label must be/);
});

test('validatePodSpec() checks toleration operators and effects', () => {
  const s = spec({
    tolerations: [
      { key: 'a', operator: 'Maybe' },
      { key: 'b', operator: 'Exists', value: 'x' },
      { operator: 'Equal', value: 'x' },
      { key: 'c', effect: 'NoRun' },
      { key: 'd', effect: 'NoSchedule', tolerationSeconds: 5 },
    ],
  });
  assert.deepEqual(validate(s), [
    'spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"',
    "spec.tolerations[1].operator: Invalid value: \"x\": value must be empty when `operator` is 'Exists'",
    'spec.tolerations[2].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    'spec.tolerations[3].effect: Unsupported value: "NoRun": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    "spec.tolerations[4].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
  ]);
});

test('validatePodSpec() requires a non-negative terminationGracePeriodSeconds', () => {
  assert.deepEqual(validate(spec({ terminationGracePeriodSeconds: -5 })), ['spec.terminationGracePeriodSeconds: Invalid value: -5: must be greater than or equal to 0']);
  const s = spec();
  delete s.terminationGracePeriodSeconds;
  assert.deepEqual(validate(s), ['spec.terminationGracePeriodSeconds: Required value']);
});

test('validatePodSpec() requires DNS label hostname and subdomain', () => {
  const errs = validate(spec({ hostname: 'web.0', subdomain: 'Nginx' }));
  assert.equal(errs.length, 2);
  assert.match(errs[0], /^spec\.hostname: Invalid value: "web\.0": a lowercase RFC 1123 label/);
  assert.match(errs[1], /^spec\.subdomain: Invalid value: "Nginx": a lowercase RFC 1123 label/);
});

test('validatePodSpec() checks probes and init container rules', () => {
  const s = spec({
    containers: [{ name: 'a', image: 'x:1', livenessProbe: { exec: {}, successThreshold: 2 }, restartPolicy: 'Always' }],
    initContainers: [
      { name: 'i', image: 'x:1', readinessProbe: { tcpSocket: { port: 80 } } },
      { name: 'side', image: 'x:1', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 80 } } },
    ],
  });
  s.containers[0].livenessProbe.successThreshold = 2;
  assert.deepEqual(validate(s), [
    'spec.containers[0].livenessProbe.exec.command: Required value',
    'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
    'spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
    'spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
  ]);
});

test('validatePodSpec() requires matching host ports under hostNetwork for pods', () => {
  const s = spec({ hostNetwork: true, containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 80 }] }] });
  assert.deepEqual(texts(validatePodSpec(s, 'spec')), []);
  assert.deepEqual(texts(validatePodSpec(s, 'spec', { isPod: true })), [
    'spec.containers[0].ports[0].hostPort: Invalid value: 0: must match `containerPort` when `hostNetwork` is true',
  ]);
});

test('validatePodSpec() flags duplicate host ports', () => {
  const s = spec({ containers: [{ name: 'a', image: 'x:1', ports: [{ containerPort: 80, hostPort: 8080 }] }, { name: 'b', image: 'x:1', ports: [{ containerPort: 81, hostPort: 8080 }] }] });
  assert.deepEqual(validate(s), ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']);
});

test('validatePodTemplateSpec() validates template labels and the spec under the given path', () => {
  const template = deepFreeze({ metadata: { labels: { app: 'bad value' } }, spec: spec({ containers: [{ name: 'a' }] }) });
  const errs = texts(validatePodTemplateSpec(template, 'spec.template'));
  assert.equal(errs.length, 2);
  assert.match(errs[0], /^spec\.template\.labels\[app\]: Invalid value: "bad value"/);
  assert.equal(errs[1], 'spec.template.spec.containers[0].image: Required value');
});

test('validatePodTemplateSpec() forbids ephemeral containers', () => {
  const template = { spec: { ...spec(), ephemeralContainers: [{ name: 'debug', image: 'busybox' }] } };
  assert.deepEqual(texts(validatePodTemplateSpec(template, 'spec.template')), [
    'spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template',
  ]);
});
