#!/usr/bin/env node
// The berth command: runs the compiled CLI (npm install builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('berth: dist/ is missing because the build has not run; run `npm install` (or `npm run build`) in the berth checkout');
  process.exit(1);
}
await import(main.href);
