import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigText } from '../server/cluster.js';
import { loadKubeconfig } from './kubeconfig.js';

test('loadKubeconfig() reads the server of the current context from the kubeconfig berth writes', () => {
  const f = join(mkdtempSync(join(tmpdir(), 'kc-')), 'kubeconfig');
  writeFileSync(f, kubeconfigText('http://127.0.0.1:6443/'));
  assert.deepEqual(loadKubeconfig(f), { server: 'http://127.0.0.1:6443', namespace: 'default' });
});

test('loadKubeconfig() names what is missing', () => {
  const f = join(mkdtempSync(join(tmpdir(), 'kc-')), 'kubeconfig');
  writeFileSync(f, 'apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: []\n');
  assert.throws(() => loadKubeconfig(f), /has no current context named "x"/);
});
