/** The ChangeStore contract on SQLite and, when it answers, PostgreSQL. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenStorage } from '../store/contract/harness.js';
import { DATABASE_URL, harnessFor, unreachableReason } from '../store/postgres/test-support.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import type { Storage } from '../store/stores.js';
import { requireServices } from '../testing/services.js';
import { describeChangeStore } from './store/contract.js';

const sqlite: OpenStorage = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat-changes-'));
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

describeChangeStore('sqlite', sqlite);

requireServices('change store on PostgreSQL', { postgres: await unreachableReason(DATABASE_URL) }, () => {
  describeChangeStore('postgres', harnessFor(DATABASE_URL));
});
