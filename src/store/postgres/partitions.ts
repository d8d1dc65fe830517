/**
 * Monthly partitions of `messages`, created ahead by the server: at open, and
 * then daily, the current month and the next ones must exist. A message dated
 * outside them (a skewed clock, a far-future test date) lands in the DEFAULT
 * partition; when its month's partition is created later, its rows move there
 * (PostgreSQL refuses to create a partition whose range has rows in DEFAULT).
 */
import type pg from 'pg';
import { LOCK_NAMESPACE, LOCK_PARTITIONS, transaction } from './pool.js';

/** 5: the function creating one month's partition (applied as a migration). */
export const PARTITION_FUNCTIONS = `
CREATE FUNCTION chat_ensure_month_partition(p_month date) RETURNS text
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  v_name text := 'messages_p' || to_char(p_month, 'YYYY_MM');
  v_from text := to_char(p_month, 'YYYY-MM-DD') || ' 00:00:00+00';
  v_to text := to_char((p_month + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00';
  v_columns text := 'pos, id, conversation_id, seq, sender_id, client_msg_id, type, content, media_id, '
                    'reply_to_id, created_at, edited_at, deleted_at, system';
BEGIN
  IF extract(day FROM p_month) <> 1 THEN
    RAISE EXCEPTION 'a partition starts on the first of a month, not %', p_month;
  END IF;
  IF to_regclass(format('%I.%I', current_schema(), v_name)) IS NOT NULL THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM messages_default
              WHERE created_at >= v_from::timestamptz AND created_at < v_to::timestamptz) THEN
    -- Built beside the table, filled from DEFAULT, then attached: ATTACH
    -- creates the indexes and foreign key, and checks DEFAULT holds no row of
    -- the range any more.
    EXECUTE format('CREATE TABLE %I (LIKE messages INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS)',
                   v_name);
    EXECUTE format('WITH moved AS (DELETE FROM messages_default WHERE created_at >= $1 AND created_at < $2 '
                   'RETURNING %s) INSERT INTO %I (%s) SELECT %s FROM moved',
                   v_columns, v_name, v_columns, v_columns)
      USING v_from::timestamptz, v_to::timestamptz;
    EXECUTE format('ALTER TABLE messages ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', v_name, v_from, v_to);
  ELSE
    EXECUTE format('CREATE TABLE %I PARTITION OF messages FOR VALUES FROM (%L) TO (%L)', v_name, v_from, v_to);
  END IF;
  RETURN v_name;
END
$fn$;
`;

/** The first days (YYYY-MM-01, UTC) of the month of `now` and the `ahead` months after it. */
export function monthStarts(now: Date, ahead: number): string[] {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  return Array.from({ length: Math.max(0, Math.floor(ahead)) + 1 }, (_, i) =>
    new Date(Date.UTC(year, month + i, 1)).toISOString().slice(0, 10),
  );
}

export interface EnsurePartitionsOptions {
  /** The current time (default: now). */
  now?: Date;
  /** How many months after the current one must exist too (default 2). */
  monthsAhead?: number;
}

/**
 * Creates the missing monthly partitions: the current month and the next
 * `monthsAhead`. Idempotent, and serialised across nodes by an advisory lock,
 * so every node may call it (at open, then daily). Resolves with the names of
 * the partitions it created.
 */
export async function ensureMessagePartitions(pool: pg.Pool, options: EnsurePartitionsOptions = {}): Promise<string[]> {
  const months = monthStarts(options.now ?? new Date(), options.monthsAhead ?? 2);
  return transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, LOCK_PARTITIONS]);
    const created: string[] = [];
    for (const month of months) {
      const { rows } = await client.query<{ name: string | null }>(
        'SELECT chat_ensure_month_partition($1::date) AS name',
        [month],
      );
      const name = rows[0]?.name;
      if (name) created.push(name);
    }
    return created;
  });
}

/** The partitions of `messages` in the storage's schema, by name. */
export async function listMessagePartitions(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'messages'::regclass
      ORDER BY c.relname`,
  );
  return rows.map((row) => row.name);
}
