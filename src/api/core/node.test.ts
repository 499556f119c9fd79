import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldError } from '../errors.js';
import { fieldErrorBody } from '../errors.js';
import type { KObject } from '../resource.js';
import { nodeResource } from './node.js';

const texts = (errs: FieldError[]) => errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
const NOW = Date.parse('2024-05-01T12:00:00Z');

function node(extra: Partial<KObject> = {}, labels: Record<string, string> = {}): KObject {
  return Object.freeze({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node1', creationTimestamp: '2024-04-29T12:00:00Z', labels },
    spec: {},
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: 'node1' },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'berth://0.1.0' },
    },
    ...extra,
  });
}

const row = (n: KObject) => nodeResource.printer.row(n, { now: NOW });

test('nodeResource is cluster-scoped with status and the no short name', () => {
  assert.deepEqual([nodeResource.namespaced, nodeResource.shortNames, nodeResource.singular, nodeResource.hasStatus], [false, ['no'], 'node', true]);
  assert.deepEqual(
    nodeResource.printer.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Status', 0], ['Roles', 0], ['Age', 0], ['Version', 0], ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1]],
  );
});

test('nodeResource.printer prints a ready node', () => {
  assert.deepEqual(row(node()), ['node1', 'Ready', '<none>', '2d', 'v1.32.0', '10.0.0.1', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'berth://0.1.0']);
});

test('nodeResource.printer prints NotReady, Unknown and SchedulingDisabled', () => {
  const notReady = node({ status: { conditions: [{ type: 'Ready', status: 'False' }] } });
  assert.equal(row(notReady)[1], 'NotReady');
  assert.equal(row(node({ status: {} }))[1], 'Unknown');
  assert.equal(row(node({ spec: { unschedulable: true } }))[1], 'Ready,SchedulingDisabled');
  assert.deepEqual(row(node({ status: {} })).slice(7), ['<unknown>', '<unknown>', '<unknown>']);
});

test('nodeResource.printer prints roles from node-role labels, sorted', () => {
  const n = node({}, { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'infra', 'node-role.kubernetes.io/': '' });
  assert.equal(row(n)[2], 'control-plane,infra,worker');
});

test('nodeResource.defaults() sets allocatable from capacity', () => {
  const n: KObject = { metadata: { name: 'n' }, status: { capacity: { cpu: '4', memory: '8Gi' } } };
  nodeResource.defaults!(n);
  assert.deepEqual(n.status.allocatable, { cpu: '4', memory: '8Gi' });
});

test('nodeResource.validate() checks name, taints and quantities', () => {
  const n = node({
    metadata: { name: 'Node_1', namespace: 'x' },
    spec: { taints: [{ key: 'a', effect: 'NoSchedule' }, { key: 'a', effect: 'NoSchedule' }, { key: 'b', effect: 'Sometimes' }] },
    status: { capacity: { cpu: '-1' } },
  });
  const errs = texts(nodeResource.validate!(n));
  assert.match(errs[0], /^metadata\.name: Invalid value: "Node_1"/);
  assert.equal(errs[1], 'metadata.namespace: Forbidden: not allowed on this type');
  assert.deepEqual(errs.slice(2), [
    'metadata.taints[1]: Duplicate value: {"key":"a","effect":"NoSchedule"}: taints must be unique by key and effect pair',
    'metadata.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    'status.capacity.cpu: Invalid value: "-1": must be greater than or equal to 0',
  ]);
});

test('nodeResource.validateUpdate() keeps podCIDRs and providerID once set', () => {
  const old = node({ spec: { podCIDRs: ['10.244.0.0/24'], providerID: 'berth://node1' } });
  const next = structuredClone(old);
  next.spec = { podCIDRs: ['10.244.1.0/24'], providerID: 'other' };
  assert.deepEqual(texts(nodeResource.validateUpdate!(next, old)), [
    'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    'spec.providerID: Forbidden: node updates may not change providerID except from "" to valid',
  ]);
  const unset = node();
  const assigned = structuredClone(unset);
  assigned.spec = { podCIDRs: ['10.244.0.0/24'] };
  assert.deepEqual(texts(nodeResource.validateUpdate!(assigned, unset)), []);
});

test('nodeResource.prepareForUpdate() keeps the stored status', () => {
  const old = node();
  const next = structuredClone(old);
  next.status = {};
  nodeResource.prepareForUpdate!(next, old, { now: '' });
  assert.deepEqual(next.status, old.status);
});

test('nodeResource.fieldSelectors select by spec.unschedulable', () => {
  assert.equal(nodeResource.fieldSelectors!['spec.unschedulable'](node()), 'false');
  assert.equal(nodeResource.fieldSelectors!['spec.unschedulable'](node({ spec: { unschedulable: true } })), 'true');
});
