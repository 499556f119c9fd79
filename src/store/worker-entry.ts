// Starting one of the store's worker threads from its module beside this file: the compiled `.js`
// file, or under tsx (tests from source) the `.ts` file loaded through tsx's API, because on Node 20
// `--import tsx` in a worker's execArgv does not apply to the worker's entry module.

import { Worker } from 'node:worker_threads';

/** `name` is the module's base name, e.g. 'sqlite-writer'. */
export function startWorker(name: string, workerData: unknown): Worker {
  // Loaded through tsx's API (a worker starting another), the URL carries a query after `.ts`.
  if (!new URL(import.meta.url).pathname.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  const entry = new URL(`./${name}.ts`, import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData });
}
