/** PostgreSQL step: the tables of the SQLite preview step (schema-sqlite.ts). */
export const POSTGRES_PREVIEW_TABLES = `
CREATE TABLE link_preview_cache (
  url_key      text COLLATE "C" PRIMARY KEY,
  preview_json text, -- NULL: the fetch failed (error says why)
  error        text,
  fetched_at   text COLLATE "C" NOT NULL,
  expires_at   text COLLATE "C" NOT NULL
);
CREATE INDEX link_preview_cache_expires ON link_preview_cache (expires_at);

CREATE TABLE message_previews (
  message_id      text COLLATE "C" PRIMARY KEY,
  conversation_id text COLLATE "C" NOT NULL,
  preview_json    text NOT NULL,
  created_at      text COLLATE "C" NOT NULL
);
`;
