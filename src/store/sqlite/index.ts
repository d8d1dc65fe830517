/**
 * Embedded SQLite storage: one file, one process. For a single node only;
 * several nodes need the PostgreSQL storage.
 */
import type { Storage } from '../stores.js';
import { DraftWriter } from './append.js';
import { SqliteConversationStore } from './conversations.js';
import { type Observe, openDatabase, timed } from './database.js';
import { SqliteDeliveryStore } from './delivery.js';
import { GroupCommitter } from './group-commit.js';
import { SqliteMessageStore } from './messages.js';
import { SqliteUserStore } from './users.js';

export interface SqliteStorageOptions {
  /** The database file; its folder is created when missing. */
  path: string;
  /** Called with the duration of each store operation, e.g. `messages.append`. */
  observe?: Observe;
  /** Most appends (and, separately, delivery writes) committed in one transaction (default 512). */
  maxBatch?: number;
}

export async function openSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  const db = openDatabase({ path: options.path });
  const observe = options.observe;
  const writer = new DraftWriter(db);
  const batchOptions = {
    ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
    ...(observe ? { observe } : {}),
  };
  const committer = new GroupCommitter(db, writer, batchOptions);
  const delivery = new SqliteDeliveryStore(db, batchOptions, observe);
  // Membership changes and watermark writes commit what was queued before them first.
  const queued = {
    flushAll: () => {
      committer.flushAll();
      delivery.flushAll();
    },
  };
  const ping = db.prepare('SELECT 1');
  let closed = false;

  return {
    users: new SqliteUserStore(db, observe),
    conversations: new SqliteConversationStore(db, writer, queued, observe),
    messages: new SqliteMessageStore(db, committer, observe),
    delivery,
    ping: () =>
      timed(observe, 'storage.ping', () => {
        ping.get();
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        committer.close();
        delivery.close();
      } finally {
        db.close();
      }
    },
  };
}

export { toFtsQuery } from './search-query.js';
