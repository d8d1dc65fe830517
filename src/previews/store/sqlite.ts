/** LinkPreviewStore on SQLite (embedded, one node). */
import { type Db, type Observe, timed } from '../../store/sqlite/database.js';
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

export class SqlitePreviewStore implements LinkPreviewStore {
  private readonly statements;

  constructor(
    db: Db,
    private readonly observe?: Observe,
  ) {
    this.statements = {
      cached: db.prepare<[string, string], CacheRow>(
        `SELECT ${CACHE_COLUMNS} FROM link_preview_cache WHERE url_key = ? AND expires_at > ?`,
      ),
      putCached: db.prepare<[string, string | null, string | null, string, string]>(
        `INSERT INTO link_preview_cache (${CACHE_COLUMNS}) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (url_key) DO UPDATE SET preview_json = excluded.preview_json, error = excluded.error,
           fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`,
      ),
      attach: db.prepare<[string, string, string, string]>(
        `INSERT INTO message_previews (${MESSAGE_COLUMNS}) VALUES (?, ?, ?, ?)
         ON CONFLICT (message_id) DO UPDATE SET preview_json = excluded.preview_json, created_at = excluded.created_at`,
      ),
      ofMessages: db.prepare<[string], MessagePreviewRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM message_previews WHERE message_id IN (SELECT value FROM json_each(?))`,
      ),
      deleteExpired: db.prepare<[string, number]>(
        `DELETE FROM link_preview_cache WHERE url_key IN (
           SELECT url_key FROM link_preview_cache WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)`,
      ),
    };
  }

  cached(urlKey: string, now: string): Promise<CachedPreview | null> {
    return timed(this.observe, 'previews.cached', () => {
      const row = this.statements.cached.get(urlKey, now);
      return row ? toCached(row) : null;
    });
  }

  putCached(entry: CachedPreview): Promise<void> {
    return timed(this.observe, 'previews.putCached', () => {
      this.statements.putCached.run(...cacheParams(entry));
    });
  }

  attach(record: MessagePreviewRecord): Promise<void> {
    return timed(this.observe, 'previews.attach', () => {
      this.statements.attach.run(...messagePreviewParams(record));
    });
  }

  ofMessages(messageIds: readonly string[]): Promise<MessagePreviewRecord[]> {
    return timed(this.observe, 'previews.ofMessages', () =>
      messageIds.length === 0 ? [] : this.statements.ofMessages.all(JSON.stringify(messageIds)).map(toMessagePreview),
    );
  }

  deleteExpired(now: string, limit: number): Promise<number> {
    return timed(this.observe, 'previews.deleteExpired', () => this.statements.deleteExpired.run(now, limit).changes);
  }
}
