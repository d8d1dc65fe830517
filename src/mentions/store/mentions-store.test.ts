/** The mentions and forwarding store contract on SQLite and on PostgreSQL. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { describeMentionStore } from '../../store/contract/mentions.contract.js';
import { DATABASE_URL, harnessFor, unreachableReason } from '../../store/postgres/test-support.js';
import { openSqliteStorage } from '../../store/sqlite/index.js';

describeMentionStore('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chat-mentions-'));
  const storage = await openSqliteStorage({ path: join(dir, 'chat.db') });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const unreachable = await unreachableReason(DATABASE_URL);
if (unreachable === null) {
  describeMentionStore('postgres', harnessFor(DATABASE_URL));
} else if (process.env.CI) {
  it('reaches PostgreSQL (required under CI)', () => {
    throw new Error(`PostgreSQL is unreachable (${unreachable})`);
  });
} else {
  it('PostgreSQL mention store', { skip: `PostgreSQL is unreachable (${unreachable})` }, () => {});
}
