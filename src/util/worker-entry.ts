// Starting a worker thread from a module of this source tree: the compiled `.js` file, or under tsx
// (tests from source) the `.ts` file loaded through tsx's API, because on Node 20 `--import tsx` in a
// worker's execArgv does not apply to the worker's entry module. Used by the sqlite store (writer,
// checkpointer) and by the simulated node agents' thread.

import { Worker } from 'node:worker_threads';

/** `module` is the worker's compiled file, e.g. new URL('./sqlite-writer.js', import.meta.url). */
export function startWorker(module: URL, workerData: unknown): Worker {
  // Loaded through tsx's API (a worker starting another), the URL carries a query after `.ts`.
  if (!new URL(import.meta.url).pathname.endsWith('.ts')) return new Worker(module, { workerData });
  const entry = new URL(module.pathname.replace(/\.js$/, '.ts'), module).href;
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData });
}
