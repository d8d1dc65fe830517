/**
 * The SQL of the table migrations. Text compared or ordered like SQLite does
 * (usernames, ids, ISO timestamps) uses COLLATE "C": byte order, whatever the
 * database locale, so `a_x` < `abx` and prefix ranges work as in SQLite.
 */

/** 1: users, contacts, blocks, conversations and memberships. */
export const CORE_TABLES = `
CREATE TABLE users (
  id                text COLLATE "C" PRIMARY KEY,
  username          text COLLATE "C" NOT NULL CONSTRAINT users_username_key UNIQUE,
  display_name      text NOT NULL,
  avatar_url        text,
  phone             text,
  password_hash     text NOT NULL,
  created_at        text NOT NULL,
  privacy_presence  text NOT NULL DEFAULT 'everyone'
                    CHECK (privacy_presence IN ('everyone', 'contacts', 'nobody')),
  privacy_last_seen text NOT NULL DEFAULT 'everyone'
                    CHECK (privacy_last_seen IN ('everyone', 'contacts', 'nobody'))
);

CREATE TABLE contacts (
  owner_id   text COLLATE "C" NOT NULL REFERENCES users (id),
  contact_id text COLLATE "C" NOT NULL REFERENCES users (id),
  created_at text NOT NULL,
  -- Insertion order: contacts are listed in the order they were added.
  pos        bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (owner_id, contact_id)
);
CREATE INDEX contacts_owner_order ON contacts (owner_id, pos);

CREATE TABLE blocks (
  blocker_id text COLLATE "C" NOT NULL REFERENCES users (id),
  blocked_id text COLLATE "C" NOT NULL REFERENCES users (id),
  created_at text NOT NULL,
  PRIMARY KEY (blocker_id, blocked_id)
);

CREATE TABLE conversations (
  id               text COLLATE "C" PRIMARY KEY,
  type             text NOT NULL CHECK (type IN ('direct', 'group')),
  name             text,
  avatar_url       text,
  created_by       text COLLATE "C" NOT NULL,
  created_at       text NOT NULL,
  -- The seq counter: appends lock this row and bump it in their transaction.
  last_seq         bigint NOT NULL DEFAULT 0,
  last_activity_at text COLLATE "C" NOT NULL,
  send_policy      text NOT NULL DEFAULT 'all' CHECK (send_policy IN ('all', 'admins')),
  -- The sorted pair of a direct conversation; NULL for groups.
  direct_key       text COLLATE "C" UNIQUE
) WITH (fillfactor = 70); -- room for HOT updates of the counter, bumped by every append

CREATE TABLE memberships (
  conversation_id  text COLLATE "C" NOT NULL REFERENCES conversations (id),
  user_id          text COLLATE "C" NOT NULL REFERENCES users (id),
  role             text NOT NULL CHECK (role IN ('admin', 'member')),
  joined_at        text COLLATE "C" NOT NULL,
  visible_from_seq bigint NOT NULL,
  visible_to_seq   bigint,
  sent_seq         bigint NOT NULL DEFAULT 0,
  delivered_seq    bigint NOT NULL DEFAULT 0,
  read_seq         bigint NOT NULL DEFAULT 0,
  delivered_at     text,
  read_at          text,
  -- Insertion order, the last tie-break of the member order (kept on re-add).
  pos              bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (conversation_id, user_id)
) WITH (fillfactor = 70); -- watermarks move with every append and ack: HOT updates
CREATE INDEX memberships_user ON memberships (user_id);
`;

/**
 * 2: messages, their keys and search.
 *
 * Messages are RANGE-partitioned by month on created_at. PostgreSQL enforces a
 * unique constraint on a partitioned table only when it includes the partition
 * key, so (conversation_id, seq) and (sender_id, client_msg_id) could not be
 * unique there. The small, non-partitioned message_keys table carries them
 * instead, written in the same transaction as the message: it is the
 * backstop for dense seqs and idempotency, hands out the global position (the
 * identity `pos`, the search cursor), and locates a message's partition
 * (created_at) so lookups by id or seq touch one partition only.
 */
export const MESSAGE_TABLES = `
-- The search text: lowercased and without diacritics. IMMUTABLE so it can feed
-- a stored generated column and its GIN index; it names unaccent's schema and
-- dictionary explicitly, so it does not depend on the caller's search_path.
DO $do$
DECLARE
  ext_schema text;
  collate_clause text := '';
BEGIN
  SELECT n.nspname INTO ext_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'unaccent';
  IF ext_schema IS NULL THEN
    -- In a shared schema, so dropping one storage schema never drops it for others.
    ext_schema := CASE WHEN to_regnamespace('public') IS NOT NULL THEN 'public' ELSE current_schema() END;
    EXECUTE format('CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA %I', ext_schema);
  END IF;
  -- lower() follows the database ctype; under plain C it folds ASCII only, so
  -- lower with ICU's root locale when the database gives no better.
  IF (SELECT datctype FROM pg_database WHERE datname = current_database()) IN ('C', 'POSIX')
     AND EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
    collate_clause := ' COLLATE "und-x-icu"';
  END IF;
  EXECUTE format(
    $f$CREATE FUNCTION chat_search_text(content text) RETURNS text
         LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
         AS $body$ SELECT lower(%I.unaccent(%L::regdictionary, content)%s) $body$$f$,
    ext_schema, format('%I.unaccent', ext_schema), collate_clause);
END
$do$;

-- The tsquery of a search's words: each word lowered and stripped of
-- diacritics, then quoted and escaped as ONE prefix lexeme ('word':*), ANDed;
-- user text is never read as tsquery syntax. Words left empty are dropped; with
-- none left the result is NULL and matches nothing. IMMUTABLE, so the planner
-- folds it to a constant and can weigh the GIN index against a scan.
CREATE FUNCTION chat_words_tsquery(words text[]) RETURNS tsquery
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  SET search_path FROM CURRENT
AS $fn$
  SELECT to_tsquery('simple', string_agg(
           '''' || replace(replace(w.t, '', '\\'), '''', '''''') || ''':*', ' & ' ORDER BY w.n))
    FROM (SELECT chat_search_text(u.word) AS t, u.n FROM unnest(words) WITH ORDINALITY AS u(word, n)) w
   WHERE w.t ~ '[^[:space:]]'
$fn$;

CREATE TABLE message_keys (
  pos             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id              text COLLATE "C" NOT NULL UNIQUE,
  conversation_id text COLLATE "C" NOT NULL REFERENCES conversations (id),
  seq             bigint NOT NULL,
  sender_id       text COLLATE "C" NOT NULL,
  client_msg_id   text COLLATE "C" NOT NULL,
  created_at      timestamptz NOT NULL,
  CONSTRAINT message_keys_conversation_seq UNIQUE (conversation_id, seq),
  CONSTRAINT message_keys_sender_client_msg UNIQUE (sender_id, client_msg_id)
);

CREATE TABLE messages (
  pos             bigint NOT NULL REFERENCES message_keys (pos),
  id              text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  seq             bigint NOT NULL,
  sender_id       text COLLATE "C" NOT NULL,
  client_msg_id   text COLLATE "C" NOT NULL,
  type            text NOT NULL CHECK (type IN ('text', 'image', 'video', 'file', 'system')),
  content         text NOT NULL,
  media_id        text,
  reply_to_id     text,
  created_at      timestamptz NOT NULL,
  edited_at       text,
  deleted_at      text,
  system          jsonb,
  search          tsvector GENERATED ALWAYS AS (to_tsvector('simple', chat_search_text(content))) STORED,
  PRIMARY KEY (pos, created_at)
) PARTITION BY RANGE (created_at);

-- The safety net: a message outside every monthly partition still lands.
CREATE TABLE messages_default PARTITION OF messages DEFAULT;

CREATE INDEX messages_conversation_seq ON messages (conversation_id, seq);
CREATE INDEX messages_search ON messages USING gin (search);
`;

/** 3: devices and their per-conversation delivery cursors. */
export const DEVICE_TABLES = `
CREATE TABLE devices (
  user_id       text COLLATE "C" NOT NULL REFERENCES users (id),
  device_id     text COLLATE "C" NOT NULL,
  first_seen_at text NOT NULL,
  PRIMARY KEY (user_id, device_id)
);

-- Everything up to acked_seq was acknowledged by the device.
CREATE TABLE device_cursors (
  user_id         text COLLATE "C" NOT NULL,
  device_id       text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL REFERENCES conversations (id),
  acked_seq       bigint NOT NULL,
  PRIMARY KEY (user_id, device_id, conversation_id),
  FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id)
);
`;
