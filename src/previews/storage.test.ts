/** The link preview store contract on SQLite and, when it answers, PostgreSQL. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenStorage } from '../store/contract/harness.js';
import { describePreviewStore } from '../store/contract/previews.contract.js';
import { DATABASE_URL, harnessFor, unreachableReason } from '../store/postgres/test-support.js';
import { openSqliteStorage } from '../store/sqlite/index.js';
import type { Storage } from '../store/stores.js';
import { requireServices } from '../testing/services.js';

const sqlite: OpenStorage = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat-previews-'));
  const storage: Storage = await openSqliteStorage({ path: join(dir, 'chat.db') });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

describePreviewStore('sqlite', sqlite);

requireServices('link preview storage on PostgreSQL', { postgres: await unreachableReason(DATABASE_URL) }, () => {
  describePreviewStore('postgres', harnessFor(DATABASE_URL));
});
