/**
 * SQLite step: the link preview cache (one row per normalised URL, failures
 * included, each with its expiry) and each message's preview.
 */
export const SQLITE_PREVIEW_TABLES = `
CREATE TABLE link_preview_cache (
  url_key      TEXT PRIMARY KEY,
  preview_json TEXT, -- NULL: the fetch failed (error says why)
  error        TEXT,
  fetched_at   TEXT NOT NULL,
  expires_at   TEXT NOT NULL
);
CREATE INDEX link_preview_cache_expires ON link_preview_cache (expires_at);

CREATE TABLE message_previews (
  message_id      TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  preview_json    TEXT NOT NULL,
  created_at      TEXT NOT NULL
);
`;
