// The layering rules of ARCHITECTURE.md, checked on the source: only the API server reaches the
// store, and src/api stays pure (no I/O modules).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/src/architecture.test.js; the sources are in <repo>/src either way.
const here = dirname(fileURLToPath(import.meta.url));
const SRC = here.includes(`${join('dist', 'src')}`) ? resolve(here, '../../src') : here;

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (e.endsWith('.ts') && !e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
}

test('only src/apiserver (and the store itself) imports src/store', () => {
  const offenders: string[] = [];
  for (const f of sources(SRC)) {
    const rel = relative(SRC, f);
    if (rel.startsWith('store/') || rel.startsWith('apiserver/')) continue;
    for (const spec of imports(f)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(f), spec));
      if (target.startsWith('store/')) offenders.push(`${rel} -> ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

/** The documented exceptions: a pure helper from an I/O module, and the one build artifact read. */
const ALLOWED = new Set([
  'api/core/field-validators.ts -> node:net', // isIP only
  'api/schema/schemas.ts -> node:fs', // reads dist/openapi/definitions.json once
]);

test('src/api imports no I/O modules', () => {
  const io = /^(node:)?(fs|net|http|https|child_process|worker_threads|dgram|dns)(\/|$)/;
  const offenders: string[] = [];
  for (const f of sources(join(SRC, 'api'))) {
    for (const spec of imports(f)) {
      const edge = `${relative(SRC, f)} -> ${spec}`;
      if (io.test(spec) && !ALLOWED.has(edge)) offenders.push(edge);
    }
  }
  assert.deepEqual(offenders, []);
});
