/** The push store and queue contracts on SQLite and, when it answers, PostgreSQL. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenStorage } from '../store/contract/harness.js';
import { DATABASE_URL, harnessFor, unreachableReason } from '../store/postgres/test-support.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import type { Storage } from '../store/stores.js';
import { requireServices } from '../testing/services.js';
import { describePushQueue } from './queue/contract.js';
import { describePushStore } from './store/contract.js';

const sqlite: OpenStorage = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat-push-'));
  const path = join(dir, 'chat.db');
  let storage: Storage = await openSqliteStorage({ path });
  return {
    get storage() {
      return storage;
    },
    reopen: async () => {
      await storage.close();
      storage = await openSqliteStorage({ path });
      return storage;
    },
    cleanup: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

describePushStore('sqlite', sqlite);
describePushQueue('sqlite', sqlite);

requireServices('push storage on PostgreSQL', { postgres: await unreachableReason(DATABASE_URL) }, () => {
  describePushStore('postgres', harnessFor(DATABASE_URL));
  describePushQueue('postgres', harnessFor(DATABASE_URL));
});
