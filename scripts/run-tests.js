#!/usr/bin/env node
// Runs the compiled test files with node's test runner: `node scripts/run-tests.js [unit|e2e]`.
// Unit tests live beside the code (dist/src/**/*.test.js); e2e tests in dist/test/e2e.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) find(p, out);
    else if (e.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const which = process.argv[2] ?? 'all';
const files = [];
if (which !== 'e2e') files.push(...find('dist/src'), ...find('dist/scripts'));
if (which !== 'unit') files.push(...find('dist/test'));
files.sort();
if (files.length === 0) {
  console.error('run-tests: no compiled test files found under dist/; run `npm run build` first');
  process.exit(1);
}
const res = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
