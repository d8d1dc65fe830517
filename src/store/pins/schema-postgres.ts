/** PostgreSQL step: the tables of the SQLite pins step (schema-sqlite.ts). */
export const POSTGRES_PIN_TABLES = `
CREATE TABLE chat_states (
  user_id         text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  pinned_at       text COLLATE "C", -- NULL: not pinned
  pin_rank        bigint,           -- higher: pinned later; listed first
  archived_at     text COLLATE "C", -- NULL: not archived
  PRIMARY KEY (user_id, conversation_id)
);
-- A new message looks up who has its conversation archived.
CREATE INDEX chat_states_archived ON chat_states (conversation_id) WHERE archived_at IS NOT NULL;

CREATE TABLE chat_settings (
  user_id       text COLLATE "C" PRIMARY KEY,
  keep_archived boolean NOT NULL DEFAULT false
);

CREATE TABLE pinned_messages (
  pos             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- pin order
  conversation_id text COLLATE "C" NOT NULL,
  message_id      text COLLATE "C" NOT NULL,
  pinned_by       text COLLATE "C" NOT NULL,
  pinned_at       text COLLATE "C" NOT NULL,
  CONSTRAINT pinned_messages_message UNIQUE (conversation_id, message_id)
);
`;
