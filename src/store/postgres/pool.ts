/**
 * The connection pool and the small helpers every PostgreSQL store uses:
 * transactions with retry on deadlock, error classification, timing.
 */
import pg from 'pg';

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

/** Runs a store operation, timed under `operation`. */
export async function timed<T>(observe: Observe | undefined, operation: string, fn: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  try {
    return await fn();
  } finally {
    report(observe, operation, startedAt);
  }
}

/** What runs a query: the pool, or a client holding a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

const INT8 = 20;
const TIMESTAMPTZ = 1184;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ) as (value: string) => Date | number;

/**
 * Per-pool type parsers (the global pg.types stay untouched): bigint as a
 * number (seqs and positions stay far below 2^53) and timestamptz as the ISO
 * string the records carry.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (value: string) => Number(value);
    if (oid === TIMESTAMPTZ) {
      return (value: string) => {
        const parsed = parseTimestamptz(value);
        return parsed instanceof Date && !Number.isNaN(parsed.getTime()) ? parsed.toISOString() : value;
      };
    }
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** A schema name usable unquoted in search_path: lowercase letters, digits, underscores. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PoolSettings {
  connectionString: string;
  schema?: string;
  poolSize?: number;
  /** 0: no statement timeout (migrations and partition maintenance). */
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Shown in pg_stat_activity (default `chat-server`): which node holds which connections. */
  applicationName?: string;
}

export function createPool(settings: PoolSettings): pg.Pool {
  if (settings.schema !== undefined && !SCHEMA_NAME.test(settings.schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(settings.schema)}: use lowercase letters, digits and _`);
  }
  const statementTimeout = Math.max(0, Math.floor(settings.statementTimeoutMs ?? 15_000));
  // Each pooled connection starts in the schema, in UTC.
  const options = ['-c TimeZone=UTC'];
  if (settings.schema !== undefined) options.push(`-c search_path=${settings.schema}`);
  if (statementTimeout === 0) options.push('-c statement_timeout=0');
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: Math.max(1, Math.floor(settings.poolSize ?? 10)),
    idleTimeoutMillis: 30_000,
    // An unreachable server fails the call instead of leaving it waiting.
    connectionTimeoutMillis: Math.max(1, Math.floor(settings.connectionTimeoutMs ?? 5_000)),
    ...(statementTimeout > 0
      ? {
          statement_timeout: statementTimeout,
          // Client-side bound too, for a server that vanished without closing the socket.
          query_timeout: statementTimeout + 5_000,
        }
      : {}),
    idle_in_transaction_session_timeout: 60_000,
    keepAlive: true,
    application_name: settings.applicationName ?? 'chat-server',
    options: options.join(' '),
    types: TYPES,
  });
  // An idle client whose connection broke is dropped by the pool; the next
  // query opens a new one. Without a listener the error would crash the node.
  pool.on('error', () => {});
  return pool;
}

function sqlState(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** A deadlock or serialization failure: running the same transaction again may succeed. */
export function isTransient(err: unknown): boolean {
  const code = sqlState(err);
  return code === '40P01' || code === '40001';
}

/** A data or constraint error caused by one input, not by the connection or the server. */
export function isInputError(err: unknown): boolean {
  const code = sqlState(err);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (sqlState(err) !== '23505') return false;
  return constraint === undefined || (err as { constraint?: string }).constraint === constraint;
}

/**
 * Advisory lock keys (namespace, key), database-wide: schema migrations and
 * partition creation are serialised across every node and schema.
 */
export const LOCK_NAMESPACE = 0x63686174; // 'chat'
export const LOCK_MIGRATIONS = 1;
export const LOCK_PARTITIONS = 2;

const ATTEMPTS = 4;

export function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10 * attempt));
}

/** Runs `fn` again on a deadlock or serialization failure (it must be repeatable). */
export async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || attempt >= ATTEMPTS) throw err;
      await backoff(attempt);
    }
  }
}

/**
 * Runs `fn` in a transaction on one pooled connection; COMMIT before the
 * promise resolves, ROLLBACK on any error (a StoreError too). Repeated on a
 * deadlock or serialization failure.
 */
export function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withRetry(async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no pool listener: a connection lost between two
    // statements would otherwise be an unhandled 'error' event.
    const onError = (err: Error) => {
      broken = err;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable: the pool must not hand it out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  });
}
