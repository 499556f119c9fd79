import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageMap, imageRepository, processImageID } from './image-map.js';

test('image references normalise to one repository', () => {
  for (const ref of ['nginx', 'nginx:1.25', 'docker.io/library/nginx:1.25', 'library/nginx', 'docker.io/nginx@sha256:abc']) assert.equal(imageRepository(ref), 'nginx', ref);
  assert.equal(imageRepository('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause');
  assert.equal(imageRepository('localhost:5000/app:v1'), 'localhost:5000/app');
  assert.match(processImageID('nginx:1.25'), /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.match(processImageID('registry.k8s.io/pause:3.10'), /^registry\.k8s\.io\/pause@sha256:/);
});

test('command and args follow Kubernetes against the entrypoint; the map file extends the built-ins', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-images-'));
  try {
    const file = join(dir, 'images.yaml');
    await writeFile(file, 'myorg/app:\n  command: [/opt/app/run]\n  args: [--serve]\n  workingDir: /opt/app\n  env: { MODE: prod }\n');
    const m = new ImageMap(file);
    assert.deepEqual(m.resolve({ image: 'busybox:1.36' }).argv, ['sh']);
    assert.deepEqual(m.resolve({ image: 'nginx', args: ['nginx', '-T'] }).argv, ['nginx', '-T']);
    assert.deepEqual(m.resolve({ image: 'nginx', command: ['sleep'], args: ['1'] }).argv, ['sleep', '1']);
    assert.equal(m.resolve({ image: 'nginx', command: ['sleep'] }).builtIn, 'nginx', "the image's files come with any command");
    const app = m.resolve({ image: 'docker.io/myorg/app:2' });
    assert.deepEqual(app, { argv: ['/opt/app/run', '--serve'], workingDir: '/opt/app', env: { MODE: 'prod' }, builtIn: undefined });
    assert.deepEqual(m.resolve({ image: 'myorg/app', args: ['--check'] }).argv, ['/opt/app/run', '--check']);
    assert.throws(() => m.resolve({ image: 'quay.io/x/y' }), { reason: 'CreateContainerError', message: `image "quay.io/x/y" is not in berth's image map (${file}); give the container a command` });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
