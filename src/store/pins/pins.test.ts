/** The PinStore contract on SQLite and, when it answers, PostgreSQL. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireServices } from '../../testing/services.js';
import { describePinStore } from '../contract/pins.contract.js';
import { DATABASE_URL, harnessFor, unreachableReason } from '../postgres/test-support.js';
import { openSqliteStorage } from '../sqlite/index.js';

describePinStore('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat-pins-'));
  const storage = await openSqliteStorage({ path: join(dir, 'chat.db') });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

requireServices('pins on PostgreSQL', { postgres: await unreachableReason(DATABASE_URL) }, () => {
  describePinStore('postgres', harnessFor(DATABASE_URL));
});
