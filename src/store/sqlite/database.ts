/**
 * Opens the SQLite file with the pragmas the stores rely on, then migrates it.
 * Embedded storage: one process (one node) owns the file.
 */

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate } from './migrations.js';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  path: string;
  /**
   * A reader beside the writer thread: it neither migrates nor writes, and
   * refuses a file whose schema is not the current one.
   */
  readOnly?: boolean;
  /** Milliseconds a statement waits on a lock held by another connection. */
  busyTimeoutMs?: number;
  /**
   * Another connection checkpoints (the storage's checkpoint thread): this one
   * folds the log back only when it grew past a safety threshold.
   */
  checkpointsElsewhere?: boolean;
}

/** 64 MiB of log in 4 KiB pages: reached only when the checkpoint thread falls far behind. */
const SAFETY_CHECKPOINT_PAGES = 16_384;

export function openDatabase(options: OpenDatabaseOptions): Db {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  if (options.readOnly) return openReader(options);
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    // FULL: every COMMIT syncs the WAL, so an acknowledged message survives a
    // crash of the process or of the machine.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (options.checkpointsElsewhere) db.pragma(`wal_autocheckpoint = ${SAFETY_CHECKPOINT_PAGES}`);
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function openReader(options: OpenDatabaseOptions): Db {
  const db = new Database(options.path, { readonly: true });
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    const version = db.pragma('user_version', { simple: true });
    if (version !== MIGRATIONS.length) {
      throw new Error(
        `database schema version ${String(version)}, expected ${MIGRATIONS.length}: open the writer first`,
      );
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Reports the duration of each store operation, never letting the observer break it. */
export type Observe = (operation: string, seconds: number) => void;

export function report(observe: Observe | undefined, operation: string, startedAt: number): void {
  if (!observe) return;
  try {
    observe(operation, (performance.now() - startedAt) / 1000);
  } catch {
    // A metrics failure must not fail a store call.
  }
}

/** Runs a synchronous store operation as a promise, timed under `operation`. */
export function timed<T>(observe: Observe | undefined, operation: string, fn: () => T): Promise<T> {
  const startedAt = performance.now();
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  } finally {
    report(observe, operation, startedAt);
  }
}

export function isSqliteError(err: unknown, code?: string): err is InstanceType<Database.SqliteError> {
  return err instanceof Database.SqliteError && (code === undefined || err.code === code);
}
