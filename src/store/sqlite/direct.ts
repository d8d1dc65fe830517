/**
 * The SQLite stores over one connection, all in the calling thread. Used as is
 * inside the writer thread, and read-only beside it (see index.ts).
 */
import { SqliteChangeStore } from '../../changes/store/sqlite.js';
import { SqliteMentionStore } from '../../mentions/store/sqlite.js';
import { SqlitePreviewStore } from '../../previews/store/sqlite.js';
import { SqlitePushQueue } from '../../push/queue/sqlite.js';
import { SqlitePushStore } from '../../push/store/sqlite.js';
import { SqlitePinStore } from '../pins/sqlite.js';
import type { Storage } from '../stores.js';
import { SqliteAdminStore } from './admin.js';
import { DraftWriter } from './append.js';
import { SqliteChannelStore } from './channels.js';
import { SqliteConversationStore } from './conversations.js';
import { type Observe, openDatabase, timed } from './database.js';
import { SqliteDeliveryStore } from './delivery.js';
import { GroupCommitter } from './group-commit.js';
import { SqliteMediaStore } from './media.js';
import { SqliteMessageStore } from './messages.js';
import { SearchIndexer } from './search-index.js';
import { SqliteUserStore } from './users.js';

export interface SqliteStorageOptions {
  /** The database file; its folder is created when missing. */
  path: string;
  /** Called with the duration of each store operation, e.g. `messages.append`. */
  observe?: Observe;
  /** Most appends (and, separately, delivery writes) committed in one transaction (default 512). */
  maxBatch?: number;
  /** Another connection checkpoints the write-ahead log (see checkpoint-thread.ts). */
  checkpointsElsewhere?: boolean;
}

export function openDirectStorage(options: SqliteStorageOptions & { readOnly?: boolean }): Storage {
  const db = openDatabase({
    path: options.path,
    readOnly: options.readOnly ?? false,
    checkpointsElsewhere: options.checkpointsElsewhere ?? false,
  });
  const observe = options.observe;
  const writer = new DraftWriter(db);
  if (!options.readOnly) new SearchIndexer(db).catchUpInChunks();
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
    media: new SqliteMediaStore(db, observe),
    admin: new SqliteAdminStore(db, observe),
    push: new SqlitePushStore(db, observe),
    pushQueue: new SqlitePushQueue(db, observe),
    channels: new SqliteChannelStore(db, writer, queued, observe),
    changes: new SqliteChangeStore(db, observe),
    mentions: new SqliteMentionStore(db, observe),
    previews: new SqlitePreviewStore(db, observe),
    pins: new SqlitePinStore(db, observe),
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
