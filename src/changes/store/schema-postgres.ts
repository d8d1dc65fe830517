/** PostgreSQL step: the tables of the SQLite step in schema-sqlite.ts. */
export const POSTGRES_CHANGE_TABLES = `
CREATE TABLE reactions (
  message_id      text COLLATE "C" NOT NULL,
  user_id         text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  emoji           text NOT NULL,
  at              text COLLATE "C" NOT NULL,
  PRIMARY KEY (message_id, user_id)
);

-- Locked by every change of the conversation: change numbers commit in order.
CREATE TABLE change_heads (
  conversation_id text COLLATE "C" PRIMARY KEY,
  change_seq      bigint NOT NULL
);

CREATE TABLE message_changes (
  conversation_id text COLLATE "C" NOT NULL,
  change_seq      bigint NOT NULL,
  message_id      text COLLATE "C" NOT NULL,
  message_seq     bigint NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('reaction', 'edit', 'delete')),
  user_id         text COLLATE "C" NOT NULL,
  emoji           text,
  at              text COLLATE "C" NOT NULL,
  PRIMARY KEY (conversation_id, change_seq)
);
`;
