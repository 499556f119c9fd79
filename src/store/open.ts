// The one place that turns a store choice (`--store memory|sqlite`, `--data-dir`) into a Store.
// Deliberately absent: the etcd driver (not built yet) and any flag parsing; callers pass plain options.

import { MemoryStore } from './memory.js';
import { SqliteStore } from './sqlite.js';
import type { Store } from './store.js';
import type { CompactionPolicy } from './watch-hub.js';

export interface OpenStoreOptions extends CompactionPolicy {
  kind: 'memory' | 'sqlite';
  /** Required for sqlite: the database is `<dataDir>/state.db` (the directory is created). */
  dataDir?: string;
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const { kind, dataDir, ...policy } = opts;
  switch (kind) {
    case 'memory':
      return new MemoryStore(policy);
    case 'sqlite':
      if (!dataDir) throw new Error('the sqlite store needs a data directory (dataDir)');
      return SqliteStore.open(dataDir, policy);
    default:
      throw new Error(`unknown store kind ${JSON.stringify(kind)}: expected memory or sqlite`);
  }
}
