/**
 * Opens the configured store for a command, as the server would (the same
 * environment: DATABASE_URL, or SQLite in CHAT_DATA_DIR), migrating it. SQLite
 * opens in this thread (no writer thread): a command makes a few writes, and a
 * running server's writer waits for them through the busy timeout.
 */
import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { openPostgresStorage } from '../store/postgres/index.js';
import { openDirectStorage } from '../store/sqlite/direct.js';
import type { Storage } from '../store/stores.js';

export interface OpenedStorage {
  storage: Storage;
  /** What was opened, for messages: the SQLite file or the PostgreSQL schema. */
  where: string;
}

export async function openConfiguredStorage(env: Record<string, string | undefined>): Promise<OpenedStorage> {
  const config = loadConfig(env);
  if (config.DATABASE_URL) {
    const storage = await openPostgresStorage({
      connectionString: config.DATABASE_URL,
      ...(config.CHAT_DATABASE_SCHEMA ? { schema: config.CHAT_DATABASE_SCHEMA } : {}),
      poolSize: 2,
      partitionMaintenanceMs: 0,
    });
    const url = new URL(config.DATABASE_URL);
    url.password = '';
    return { storage, where: `${url.host}${url.pathname} (schema ${config.CHAT_DATABASE_SCHEMA ?? 'search_path'})` };
  }
  const path = join(config.CHAT_DATA_DIR, 'chat.db');
  return { storage: openDirectStorage({ path }), where: path };
}

/** Runs `fn` with the store open and always closes it. */
export async function withStorage<T>(
  env: Record<string, string | undefined>,
  fn: (opened: OpenedStorage) => Promise<T>,
): Promise<T> {
  const opened = await openConfiguredStorage(env);
  try {
    return await fn(opened);
  } finally {
    await opened.storage.close();
  }
}
