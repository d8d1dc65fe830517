/** Row shapes shared by the SQLite and PostgreSQL preview stores, and their mappers. */
import type { CachedPreview, MessagePreviewRecord, PreviewContent } from './store.js';

export interface CacheRow {
  url_key: string;
  preview_json: string | null;
  error: string | null;
  fetched_at: string;
  expires_at: string;
}

export interface MessagePreviewRow {
  message_id: string;
  conversation_id: string;
  preview_json: string;
  created_at: string;
}

export const CACHE_COLUMNS = 'url_key, preview_json, error, fetched_at, expires_at';
export const MESSAGE_COLUMNS = 'message_id, conversation_id, preview_json, created_at';

export function toCached(row: CacheRow): CachedPreview {
  return {
    urlKey: row.url_key,
    preview: row.preview_json === null ? null : (JSON.parse(row.preview_json) as PreviewContent),
    error: row.error,
    fetchedAt: row.fetched_at,
    expiresAt: row.expires_at,
  };
}

export function cacheParams(entry: CachedPreview): [string, string | null, string | null, string, string] {
  return [
    entry.urlKey,
    entry.preview ? JSON.stringify(entry.preview) : null,
    entry.error,
    entry.fetchedAt,
    entry.expiresAt,
  ];
}

export function toMessagePreview(row: MessagePreviewRow): MessagePreviewRecord {
  return {
    messageId: row.message_id,
    conversationId: row.conversation_id,
    preview: JSON.parse(row.preview_json) as PreviewContent,
    createdAt: row.created_at,
  };
}

export function messagePreviewParams(record: MessagePreviewRecord): [string, string, string, string] {
  return [record.messageId, record.conversationId, JSON.stringify(record.preview), record.createdAt];
}
