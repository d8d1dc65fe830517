/** The ChannelStore contract on SQLite and, when it answers, PostgreSQL. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireServices } from '../testing/services.js';
import { describeChannelStore } from './contract/channel-store.contract.js';
import { DATABASE_URL, harnessFor, unreachableReason } from './postgres/test-support.js';
import { openSqliteStorage } from './sqlite/index.js';

describeChannelStore('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat-channels-'));
  const storage = await openSqliteStorage({ path: join(dir, 'chat.db') });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

requireServices('channels on PostgreSQL', { postgres: await unreachableReason(DATABASE_URL) }, () => {
  describeChannelStore('postgres', harnessFor(DATABASE_URL));
});
