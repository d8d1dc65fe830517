/** LinkPreviewStore on PostgreSQL (scale-out: every node shares the cache). */
import type pg from 'pg';
import { type Observe, timed } from '../../store/postgres/pool.js';
import {
  CACHE_COLUMNS,
  type CacheRow,
  cacheParams,
  MESSAGE_COLUMNS,
  type MessagePreviewRow,
  messagePreviewParams,
  toCached,
  toMessagePreview,
} from './rows.js';
import type { CachedPreview, LinkPreviewStore, MessagePreviewRecord } from './store.js';

export class PostgresPreviewStore implements LinkPreviewStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  cached(urlKey: string, now: string): Promise<CachedPreview | null> {
    return timed(this.observe, 'previews.cached', async () => {
      const { rows } = await this.pool.query<CacheRow>(
        `SELECT ${CACHE_COLUMNS} FROM link_preview_cache WHERE url_key = $1 AND expires_at > $2`,
        [urlKey, now],
      );
      return rows[0] ? toCached(rows[0]) : null;
    });
  }

  putCached(entry: CachedPreview): Promise<void> {
    return timed(this.observe, 'previews.putCached', async () => {
      await this.pool.query(
        `INSERT INTO link_preview_cache (${CACHE_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (url_key) DO UPDATE SET preview_json = excluded.preview_json, error = excluded.error,
           fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
        cacheParams(entry),
      );
    });
  }

  attach(record: MessagePreviewRecord): Promise<void> {
    return timed(this.observe, 'previews.attach', async () => {
      await this.pool.query(
        `INSERT INTO message_previews (${MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4)
         ON CONFLICT (message_id) DO UPDATE SET preview_json = excluded.preview_json, created_at = excluded.created_at`,
        messagePreviewParams(record),
      );
    });
  }

  ofMessages(messageIds: readonly string[]): Promise<MessagePreviewRecord[]> {
    return timed(this.observe, 'previews.ofMessages', async () => {
      if (messageIds.length === 0) return [];
      const { rows } = await this.pool.query<MessagePreviewRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM message_previews WHERE message_id = ANY($1::text[])`,
        [messageIds],
      );
      return rows.map(toMessagePreview);
    });
  }

  deleteExpired(now: string, limit: number): Promise<number> {
    return timed(this.observe, 'previews.deleteExpired', async () => {
      const { rowCount } = await this.pool.query(
        `DELETE FROM link_preview_cache WHERE url_key IN (
           SELECT url_key FROM link_preview_cache WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
        [now, limit],
      );
      return rowCount ?? 0;
    });
  }
}
