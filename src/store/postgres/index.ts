/**
 * PostgreSQL storage: several gateway nodes share one database. Each node
 * opens its own pool; seqs, idempotency, membership windows and delivery
 * cursors stay consistent across nodes through row locks taken in one order
 * and unique constraints as a backstop.
 */
import type pg from 'pg';
import { PostgresChangeStore } from '../../changes/store/postgres.js';
import { PostgresMentionStore } from '../../mentions/store/postgres.js';
import { PostgresPreviewStore } from '../../previews/store/postgres.js';
import { PostgresPushQueue } from '../../push/queue/postgres.js';
import { PostgresPushStore } from '../../push/store/postgres.js';
import { PostgresPinStore } from '../pins/postgres.js';
import type { Storage } from '../stores.js';
import { PostgresAdminStore } from './admin.js';
import { AppendCommitter } from './append.js';
import { PostgresChannelStore } from './channels.js';
import { PostgresConversationStore } from './conversations.js';
import { PostgresDeliveryStore } from './delivery.js';
import { PostgresMediaStore } from './media.js';
import { PostgresMessageStore } from './messages.js';
import { migrate } from './migrations.js';
import { ensureMessagePartitions } from './partitions.js';
import { createPool, type Observe, type PoolSettings, timed } from './pool.js';
import { guarded, translate } from './unavailable.js';
import { PostgresUserStore } from './users.js';

export interface PostgresStorageOptions {
  /** e.g. postgres://user@host:5432/db */
  connectionString: string;
  /** The schema holding the tables (created when missing); default: the server's search_path. */
  schema?: string;
  /** Most connections of this node's pool (default 10). */
  poolSize?: number;
  /** Called with the duration of each store operation, e.g. `messages.append`. */
  observe?: Observe;
  /** Most appends (and, separately, delivery writes) committed in one transaction (default 512). */
  maxBatch?: number;
  /** Server-side statement timeout (default 15 s). */
  statementTimeoutMs?: number;
  /** How long to wait for a connection before failing the call (default 5 s). */
  connectionTimeoutMs?: number;
  /**
   * How often this node creates the coming months' message partitions
   * (default daily; 0 turns the timer off, leaving it to ensurePartitions).
   */
  partitionMaintenanceMs?: number;
  /** application_name of this node's connections (default `chat-server`), e.g. to find them in pg_stat_activity. */
  applicationName?: string;
  /**
   * Called when a call failed because PostgreSQL is out of reach (the call
   * rejects with `unavailable`); at most once a second, for logging.
   */
  onUnavailable?: (error: unknown) => void;
}

export interface PostgresStorage extends Storage {
  /**
   * Creates the missing monthly message partitions (this month and the next
   * two); safe on every node at once. Resolves with the partitions created.
   */
  ensurePartitions(now?: Date): Promise<string[]>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Runs schema work on its own connection without a statement timeout: a long
 * migration step, or the wait for another node's, must not be cut at 15 s.
 */
async function withMaintenancePool<T>(settings: PoolSettings, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = createPool({ ...settings, poolSize: 1, statementTimeoutMs: 0 });
  try {
    return await fn(pool);
  } finally {
    await pool.end().catch(() => {});
  }
}

/** One report per second at most: an outage fails every call at once. */
function throttled(report: ((error: unknown) => void) | undefined): ((error: unknown) => void) | undefined {
  if (!report) return undefined;
  let last = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < 1_000) return;
    last = now;
    try {
      report(error);
    } catch {
      // A logging failure must not change the call's outcome.
    }
  };
}

export async function openPostgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  const settings: PoolSettings = {
    connectionString: options.connectionString,
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    ...(options.statementTimeoutMs !== undefined ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
    ...(options.connectionTimeoutMs !== undefined ? { connectionTimeoutMs: options.connectionTimeoutMs } : {}),
    ...(options.applicationName !== undefined ? { applicationName: options.applicationName } : {}),
  };
  await withMaintenancePool(settings, async (maintenance) => {
    await migrate(maintenance, options.schema !== undefined ? { schema: options.schema } : {});
    await ensureMessagePartitions(maintenance);
  });
  const pool = createPool(settings);

  const observe = options.observe;
  const batchOptions = {
    ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
    ...(observe ? { observe } : {}),
  };
  const committer = new AppendCommitter(pool, batchOptions);
  const delivery = new PostgresDeliveryStore(pool, batchOptions, observe);
  // Membership changes commit the appends and delivery writes queued before them first.
  const queued = {
    flushAll: async () => {
      await Promise.all([committer.flushAll(), delivery.flushAll()]);
    },
  };

  let closing: Promise<void> | undefined;
  const ensurePartitions = (now?: Date) => {
    if (closing) return Promise.reject(new Error('storage is closed'));
    return timed(observe, 'storage.ensurePartitions', () =>
      withMaintenancePool(settings, (maintenance) => ensureMessagePartitions(maintenance, now ? { now } : {})),
    );
  };
  const interval = options.partitionMaintenanceMs ?? DAY_MS;
  const maintenance =
    interval > 0
      ? setInterval(() => {
          // A failed run is retried by the next one; the partitions exist months ahead.
          ensurePartitions().catch(() => {});
        }, interval)
      : undefined;
  maintenance?.unref();

  // Every store call fails with `unavailable` (not a driver error) while PostgreSQL is out of reach.
  const unavailable = throttled(options.onUnavailable);
  const guard = <T extends object>(store: T): T => guarded(store, unavailable);
  return {
    users: guard(new PostgresUserStore(pool, observe)),
    conversations: guard(new PostgresConversationStore(pool, queued, observe)),
    messages: guard(new PostgresMessageStore(pool, committer, observe)),
    delivery: guard(delivery),
    media: guard(new PostgresMediaStore(pool, observe)),
    admin: guard(new PostgresAdminStore(pool, observe)),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    push: guard(new PostgresPushStore(pool, observe)),
    pushQueue: guard(new PostgresPushQueue(pool, observe)),
    channels: guard(new PostgresChannelStore(pool, queued, observe)),
    changes: guard(new PostgresChangeStore(pool, observe)),
    mentions: guard(new PostgresMentionStore(pool, observe)),
    previews: guard(new PostgresPreviewStore(pool, observe)),
    pins: guard(new PostgresPinStore(pool, observe)),
    ensurePartitions,
    ping: () =>
      timed(observe, 'storage.ping', async () => {
        try {
          await pool.query('SELECT 1');
        } catch (error) {
          throw translate(error);
        }
      }),
    close: () => {
      closing ??= (async () => {
        if (maintenance) clearInterval(maintenance);
        try {
          await Promise.all([committer.close(), delivery.close()]);
        } finally {
          await pool.end();
        }
      })();
      return closing;
    },
  };
}

export { MIGRATIONS, migrate } from './migrations.js';
export { ensureMessagePartitions, listMessagePartitions } from './partitions.js';
export type { Observe } from './pool.js';
export { searchWords } from './search-query.js';
export { DatabaseUnavailableError, isUnavailable } from './unavailable.js';
