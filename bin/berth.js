#!/usr/bin/env -S node --max-semi-space-size=64
// The berth command: runs the compiled CLI (npm install builds it). The young generation's
// semi-spaces go to 64 MiB (V8's default is 16): a control plane keeps most of what it allocates
// for a while (cached object versions), and with the default it spent about a fifth of a busy
// minute in scavenges; measured in bench/ (package.json's start script passes the same flag).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('berth: dist/ is missing because the build has not run; run `npm install` (or `npm run build`) in the berth checkout');
  process.exit(1);
}
await import(main.href);
