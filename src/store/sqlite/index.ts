/**
 * Embedded SQLite storage: one file, one process — for a single node only;
 * several nodes need the PostgreSQL storage.
 *
 * Writes run on a writer thread (writer-thread.ts) with synchronous=FULL, so a
 * write resolves only once it is on disk, and the main thread keeps serving
 * sockets while the disk syncs. Reads run here, on a read-only connection: in
 * WAL mode a reader sees a transaction only after its commit (and sync)
 * finished, so nothing not yet durable is ever read, and a write that resolved
 * is visible to the next read.
 */
import type { Worker } from 'node:worker_threads';
import type { MessageDraft } from '../records.js';
import type { Storage } from '../stores.js';
import { type PackedAppend, unpackAppend } from './append-codec.js';
import { openDirectStorage, type SqliteStorageOptions } from './direct.js';
import { GRANT_CHANGES, SendGrantCache } from './grant-cache.js';
import { startThread, threadReady } from './threads.js';
import { WriterThread } from './writer-client.js';
import { type StoreName, WRITE_METHODS } from './writer-protocol.js';

/** How often the checkpoint thread folds the write-ahead log into the database file. */
const CHECKPOINT_INTERVAL_MS = 200;

export type { SqliteStorageOptions };

export async function openSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  const writer = await WriterThread.start(options);
  let reader: Storage;
  let checkpointer: Worker;
  try {
    reader = openDirectStorage({
      path: options.path,
      readOnly: true,
      ...(options.observe ? { observe: options.observe } : {}),
    });
    checkpointer = startThread('checkpoint-thread', { path: options.path, intervalMs: CHECKPOINT_INTERVAL_MS });
    await threadReady(checkpointer);
  } catch (error) {
    await writer.stop();
    throw error;
  }
  const grants = new SendGrantCache((conversationId, userId) => reader.conversations.sendGrant(conversationId, userId));
  const route = <T extends object>(store: Exclude<StoreName, 'storage'>, local: T): T => {
    const writes = new Set(WRITE_METHODS[store]);
    const grantChanges = new Set(GRANT_CHANGES[store] ?? []);
    return new Proxy(local, {
      get(target, property, receiver) {
        if (store === 'conversations' && property === 'sendGrant' && !Object.hasOwn(target, property)) {
          return (conversationId: string, userId: string) => grants.get(conversationId, userId);
        }
        if (store === 'messages' && property === 'append' && !Object.hasOwn(target, property)) {
          return async (draft: MessageDraft) =>
            unpackAppend(draft, (await writer.call(store, property, [draft])) as PackedAppend);
        }
        // An own property is an override set on this object (tests wrap methods): it wins.
        if (typeof property === 'string' && writes.has(property) && !Object.hasOwn(target, property)) {
          if (!grantChanges.has(property)) return (...args: unknown[]) => writer.call(store, property, args);
          return (...args: unknown[]) => {
            grants.invalidate();
            return writer.call(store, property, args).finally(() => grants.invalidate());
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  let closing: Promise<void> | undefined;
  return {
    users: route('users', reader.users),
    conversations: route('conversations', reader.conversations),
    messages: route('messages', reader.messages),
    delivery: route('delivery', reader.delivery),
    media: route('media', reader.media),
    admin: route('admin', reader.admin),
    push: route('push', reader.push),
    pushQueue: route('pushQueue', reader.pushQueue),
    channels: route('channels', reader.channels),
    changes: route('changes', reader.changes),
    // Reads only (the append's trigger writes the mention index): served by the reader.
    mentions: reader.mentions,
    previews: route('previews', reader.previews),
    pins: route('pins', reader.pins),
    ping: async () => {
      await reader.ping();
      await writer.call('storage', 'ping', []);
    },
    close() {
      closing ??= (async () => {
        try {
          await stopCheckpoints(checkpointer);
          await writer.call('storage', 'close', []);
        } finally {
          await writer.stop();
          await reader.close();
        }
      })();
      return closing;
    },
  };
}

/** Lets a checkpoint in progress finish, so closing the writer's connection does the last one alone. */
async function stopCheckpoints(checkpointer: Worker): Promise<void> {
  const stopped = new Promise<void>((resolve) => {
    checkpointer.on('message', (message: { type?: string }) => {
      if (message.type === 'stopped') resolve();
    });
    checkpointer.once('exit', () => resolve());
  });
  checkpointer.postMessage('stop');
  await stopped;
  await checkpointer.terminate();
}

export { toFtsQuery } from './search-query.js';
