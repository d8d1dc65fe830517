/**
 * PostgreSQL step: the columns and mention index of the SQLite step
 * (schema-sqlite.ts). The append functions learn to write them: the message
 * row type gains the two fields, chat_find_repeat returns them, and
 * chat_append_one (otherwise as APPEND_WITHOUT_WATERMARKS in
 * src/store/postgres/schema-functions.ts) inserts them and the mention rows in
 * the append's transaction. The mention rows carry the message's created_at,
 * which names its partition for the deleted_at check of the counts.
 */
export const POSTGRES_MENTION_TABLES = `
ALTER TABLE messages ADD COLUMN mentions text[], ADD COLUMN forwarded boolean NOT NULL DEFAULT false;

CREATE TABLE message_mentions (
  user_id         text COLLATE "C" NOT NULL,
  conversation_id text COLLATE "C" NOT NULL,
  seq             bigint NOT NULL,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (user_id, conversation_id, seq)
);

ALTER TYPE chat_message_out ADD ATTRIBUTE mentions text[], ADD ATTRIBUTE forwarded boolean;

CREATE OR REPLACE FUNCTION chat_find_repeat(p_sender text, p_client_msg_id text) RETURNS SETOF chat_message_out
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  k_pos bigint;
  k_created timestamptz;
BEGIN
  SELECT k.pos, k.created_at INTO k_pos, k_created
    FROM message_keys k
   WHERE k.sender_id = p_sender AND k.client_msg_id = p_client_msg_id;
  IF NOT FOUND THEN RETURN; END IF;
  RETURN QUERY
  SELECT 'repeat'::text, m.pos, m.id, m.conversation_id, m.seq, m.sender_id, m.client_msg_id, m.type, m.content,
         m.media_id, m.reply_to_id, m.created_at, m.edited_at, m.deleted_at, m.system, '{}'::text[],
         m.mentions, m.forwarded
    FROM messages m
   WHERE m.pos = k_pos AND m.created_at = k_created;
END
$fn$;

CREATE OR REPLACE FUNCTION chat_append_one(d jsonb, p_require_member boolean) RETURNS chat_message_out
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  r chat_message_out;
  v_conversation text := d->>'conversationId';
  v_sender text := d->>'senderId';
  v_client_msg_id text := d->>'clientMsgId';
  v_at text := d->>'createdAt';
  v_created timestamptz := (d->>'createdAt')::timestamptz;
  v_system jsonb := NULLIF(d->'system', 'null'::jsonb);
  v_mentions text[] := CASE WHEN jsonb_typeof(d->'mentions') = 'array' AND jsonb_array_length(d->'mentions') > 0
                            THEN ARRAY(SELECT jsonb_array_elements_text(d->'mentions')) END;
  v_forwarded boolean := coalesce((d->>'forwarded')::boolean, false);
  v_seq bigint;
  v_pos bigint;
  v_recipients text[];
BEGIN
  -- A repeat answers the first message.
  SELECT * INTO r FROM chat_find_repeat(v_sender, v_client_msg_id);
  IF FOUND THEN RETURN r; END IF;

  -- The counter row, locked until COMMIT: appends to one conversation queue
  -- here, on every node. NO KEY UPDATE leaves foreign-key checks unblocked.
  PERFORM 1 FROM conversations WHERE id = v_conversation FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    r.outcome := 'conversation_not_found';
    RETURN r;
  END IF;
  -- A repeat committed by another node while this waited for the lock.
  SELECT * INTO r FROM chat_find_repeat(v_sender, v_client_msg_id);
  IF FOUND THEN RETURN r; END IF;

  IF p_require_member AND NOT EXISTS (
    SELECT 1 FROM memberships
     WHERE conversation_id = v_conversation AND user_id = v_sender AND visible_to_seq IS NULL
  ) THEN
    r.outcome := 'not_member';
    RETURN r;
  END IF;

  UPDATE conversations
     SET last_seq = last_seq + 1, last_activity_at = greatest(last_activity_at, v_at)
   WHERE id = v_conversation
  RETURNING last_seq INTO v_seq;

  INSERT INTO message_keys (id, conversation_id, seq, sender_id, client_msg_id, created_at)
  VALUES (d->>'id', v_conversation, v_seq, v_sender, v_client_msg_id, v_created)
  RETURNING pos INTO v_pos;

  INSERT INTO messages (pos, id, conversation_id, seq, sender_id, client_msg_id, type, content,
                        media_id, reply_to_id, created_at, system, mentions, forwarded)
  VALUES (v_pos, d->>'id', v_conversation, v_seq, v_sender, v_client_msg_id, d->>'type', d->>'content',
          d->>'mediaId', d->>'replyToId', v_created, v_system, v_mentions, v_forwarded);

  IF v_mentions IS NOT NULL THEN
    INSERT INTO message_mentions (user_id, conversation_id, seq, created_at)
    SELECT DISTINCT u, v_conversation, v_seq, v_created FROM unnest(v_mentions) AS u
    ON CONFLICT DO NOTHING;
  END IF;

  -- No watermark moves, the sender's included.

  -- Read in the same transaction as the insert: exactly who may receive it.
  SELECT coalesce(array_agg(user_id ORDER BY joined_at, visible_from_seq, pos), '{}') INTO v_recipients
    FROM memberships WHERE conversation_id = v_conversation AND visible_to_seq IS NULL;

  r := ROW('created', v_pos, d->>'id', v_conversation, v_seq, v_sender, v_client_msg_id, d->>'type',
           d->>'content', d->>'mediaId', d->>'replyToId', v_created, NULL, NULL, v_system, v_recipients,
           v_mentions, v_forwarded);
  RETURN r;
END
$fn$;
`;
