/**
 * 4: the server-side write paths. A batch of appends (or of delivery writes)
 * is ONE statement: one round trip and one commit for the whole batch.
 * Released, so never edited: step 6 (APPEND_WITHOUT_WATERMARKS, below)
 * replaces chat_append_one and chat_append_batch.
 *
 * Lock order, everywhere: conversation rows (sorted by id), then membership
 * rows (sorted by conversation, user), then devices and cursors. Batches take
 * their locks up front in that order, so two nodes' batches cannot deadlock.
 * The functions run in READ COMMITTED; each statement of a VOLATILE function
 * sees what other transactions committed before it, so the checks made after
 * taking a lock see the latest state.
 */
export const WRITE_FUNCTIONS = `
CREATE TYPE chat_message_out AS (
  outcome text, -- created | repeat | conversation_not_found | not_member
  pos bigint, id text, conversation_id text, seq bigint, sender_id text, client_msg_id text,
  type text, content text, media_id text, reply_to_id text, created_at timestamptz,
  edited_at text, deleted_at text, system jsonb,
  recipients text[]
);

-- The first message of (sender, clientMsgId), or no row.
CREATE FUNCTION chat_find_repeat(p_sender text, p_client_msg_id text) RETURNS SETOF chat_message_out
LANGUAGE sql VOLATILE AS $fn$
  SELECT 'repeat', m.pos, m.id, m.conversation_id, m.seq, m.sender_id, m.client_msg_id, m.type, m.content,
         m.media_id, m.reply_to_id, m.created_at, m.edited_at, m.deleted_at, m.system, '{}'::text[]
    FROM message_keys k JOIN messages m ON m.pos = k.pos AND m.created_at = k.created_at
   WHERE k.sender_id = p_sender AND k.client_msg_id = p_client_msg_id
$fn$;

-- Appends one draft (camelCase JSON of a MessageDraft) in the caller's transaction.
CREATE FUNCTION chat_append_one(d jsonb, p_require_member boolean) RETURNS chat_message_out
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  r chat_message_out;
  v_conversation text := d->>'conversationId';
  v_sender text := d->>'senderId';
  v_client_msg_id text := d->>'clientMsgId';
  v_at text := d->>'createdAt';
  v_created timestamptz := (d->>'createdAt')::timestamptz;
  v_system jsonb := NULLIF(d->'system', 'null'::jsonb);
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
                        media_id, reply_to_id, created_at, system)
  VALUES (v_pos, d->>'id', v_conversation, v_seq, v_sender, v_client_msg_id, d->>'type', d->>'content',
          d->>'mediaId', d->>'replyToId', v_created, v_system);

  -- The sender has its own message: its watermarks move to it.
  UPDATE memberships
     SET sent_seq = greatest(sent_seq, v_seq),
         delivered_seq = greatest(delivered_seq, v_seq),
         read_seq = greatest(read_seq, v_seq),
         delivered_at = CASE WHEN delivered_seq < v_seq THEN v_at ELSE delivered_at END,
         read_at = CASE WHEN read_seq < v_seq THEN v_at ELSE read_at END
   WHERE conversation_id = v_conversation AND user_id = v_sender AND visible_to_seq IS NULL;

  -- Read in the same transaction as the insert: exactly who may receive it.
  SELECT coalesce(array_agg(user_id ORDER BY joined_at, visible_from_seq, pos), '{}') INTO v_recipients
    FROM memberships WHERE conversation_id = v_conversation AND visible_to_seq IS NULL;

  r := ROW('created', v_pos, d->>'id', v_conversation, v_seq, v_sender, v_client_msg_id, d->>'type',
           d->>'content', d->>'mediaId', d->>'replyToId', v_created, NULL, NULL, v_system, v_recipients);
  RETURN r;
END
$fn$;

-- A group-committed batch of drafts, one result per draft, in order.
CREATE FUNCTION chat_append_batch(p_drafts jsonb) RETURNS SETOF chat_message_out
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  d jsonb;
BEGIN
  PERFORM 1 FROM conversations
   WHERE id IN (SELECT e->>'conversationId' FROM jsonb_array_elements(p_drafts) e)
   ORDER BY id FOR NO KEY UPDATE;
  PERFORM 1 FROM memberships
   WHERE (conversation_id, user_id) IN (
     SELECT e->>'conversationId', e->>'senderId' FROM jsonb_array_elements(p_drafts) e)
   ORDER BY conversation_id, user_id FOR NO KEY UPDATE;
  FOR d IN SELECT x.e FROM jsonb_array_elements(p_drafts) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
    RETURN NEXT chat_append_one(d, coalesce((d->>'requireMember')::boolean, true));
  END LOOP;
END
$fn$;

-- Registers a known user's device on first sight, its cursors at the user's
-- delivered watermarks (it does not replay what another device received).
CREATE FUNCTION chat_ensure_device(p_user text, p_device text, p_at text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  INSERT INTO devices (user_id, device_id, first_seen_at)
  SELECT id, p_device, p_at FROM users WHERE id = p_user
  ON CONFLICT DO NOTHING;
  IF FOUND THEN
    INSERT INTO device_cursors (user_id, device_id, conversation_id, acked_seq)
    SELECT user_id, p_device, conversation_id, delivered_seq
      FROM memberships WHERE user_id = p_user AND visible_to_seq IS NULL
    ON CONFLICT DO NOTHING;
  END IF;
END
$fn$;

CREATE FUNCTION chat_open_device(p_user text, p_device text, p_at text)
RETURNS TABLE (o_conversation_id text, o_after_seq bigint, o_last_seq bigint)
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  PERFORM chat_ensure_device(p_user, p_device, p_at);
  -- Without a cursor (joined since the device was registered) from the
  -- window's start; a cursor left from an earlier membership never reaches
  -- below the current window.
  RETURN QUERY
    SELECT c.id::text,
           greatest(coalesce(dc.acked_seq, mb.visible_from_seq - 1), mb.visible_from_seq - 1),
           c.last_seq
      FROM memberships mb
      JOIN conversations c ON c.id = mb.conversation_id
      LEFT JOIN device_cursors dc
        ON dc.user_id = mb.user_id AND dc.device_id = p_device AND dc.conversation_id = mb.conversation_id
     WHERE mb.user_id = p_user AND mb.visible_to_seq IS NULL
     ORDER BY c.last_activity_at ASC, c.last_seq ASC, c.id ASC;
END
$fn$;

CREATE TYPE chat_delivery_out AS (
  conversation_id text, user_id text, previous_delivered_seq bigint, delivered_seq bigint
);

-- A batch of acks and sent marks, applied in order, each seeing the state the
-- previous one left; one result per write (all NULL for a sent mark or a
-- non-member's ack). A NULL seq stands for a non-finite one.
CREATE FUNCTION chat_delivery_batch(p_writes jsonb) RETURNS SETOF chat_delivery_out
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  w jsonb;
  m record;
  r chat_delivery_out;
  v_conversation text;
  v_user text;
  v_seq bigint;
  v_floor bigint;
BEGIN
  PERFORM 1 FROM memberships
   WHERE (conversation_id, user_id) IN (
     SELECT e->>'conversationId', e->>'userId' FROM jsonb_array_elements(p_writes) e)
   ORDER BY conversation_id, user_id FOR NO KEY UPDATE;
  FOR w IN SELECT x.e FROM jsonb_array_elements(p_writes) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
    r := NULL;
    v_conversation := w->>'conversationId';
    v_user := w->>'userId';
    v_seq := (w->>'seq')::bigint;
    IF w->>'kind' = 'ack' THEN
      SELECT mb.visible_from_seq, mb.sent_seq, mb.delivered_seq, c.last_seq INTO m
        FROM memberships mb JOIN conversations c ON c.id = mb.conversation_id
       WHERE mb.conversation_id = v_conversation AND mb.user_id = v_user AND mb.visible_to_seq IS NULL;
      IF FOUND THEN
        -- An ack from a device never opened registers it like openDevice would.
        PERFORM chat_ensure_device(v_user, w->>'deviceId', w->>'at');
        -- Cumulative, clamped to the window and the last message.
        v_floor := m.visible_from_seq - 1;
        v_seq := CASE WHEN v_seq IS NULL THEN v_floor ELSE greatest(v_floor, least(v_seq, m.last_seq)) END;
        INSERT INTO device_cursors AS dc (user_id, device_id, conversation_id, acked_seq)
        VALUES (v_user, w->>'deviceId', v_conversation, v_seq)
        ON CONFLICT (user_id, device_id, conversation_id)
        DO UPDATE SET acked_seq = greatest(dc.acked_seq, excluded.acked_seq);
        IF v_seq > m.delivered_seq OR v_seq > m.sent_seq THEN
          UPDATE memberships
             SET sent_seq = greatest(sent_seq, v_seq),
                 delivered_seq = greatest(delivered_seq, v_seq),
                 delivered_at = CASE WHEN delivered_seq < v_seq THEN w->>'at' ELSE delivered_at END
           WHERE conversation_id = v_conversation AND user_id = v_user;
        END IF;
        r := ROW(v_conversation, v_user, m.delivered_seq, greatest(m.delivered_seq, v_seq));
      END IF;
    ELSIF v_seq IS NOT NULL THEN
      UPDATE memberships mb
         SET sent_seq = least(v_seq, c.last_seq)
        FROM conversations c
       WHERE c.id = mb.conversation_id AND mb.conversation_id = v_conversation AND mb.user_id = v_user
         AND mb.visible_to_seq IS NULL AND mb.sent_seq < least(v_seq, c.last_seq);
    END IF;
    RETURN NEXT r;
  END LOOP;
END
$fn$;
`;

/**
 * 6: appending moves no watermark. Step 4's chat_append_one moved the
 * sender's sent/delivered/read watermarks to its new message, as if sending
 * meant the sender's devices had received and read the others' earlier
 * messages: a new device then skipped them and receipts showed the sender as
 * having read them. Now an append (a user message or a membership change's
 * system message) touches the conversation row and the message tables only,
 * so chat_append_batch no longer locks the senders' membership rows either.
 */
export const APPEND_WITHOUT_WATERMARKS = `
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

  -- Membership changes lock the conversation row first too, so this sees the
  -- membership as the latest change left it.
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
                        media_id, reply_to_id, created_at, system)
  VALUES (v_pos, d->>'id', v_conversation, v_seq, v_sender, v_client_msg_id, d->>'type', d->>'content',
          d->>'mediaId', d->>'replyToId', v_created, v_system);

  -- No watermark moves, the sender's included: sending says nothing about
  -- what its devices received or read of the others' messages.

  -- Read in the same transaction as the insert: exactly who may receive it.
  SELECT coalesce(array_agg(user_id ORDER BY joined_at, visible_from_seq, pos), '{}') INTO v_recipients
    FROM memberships WHERE conversation_id = v_conversation AND visible_to_seq IS NULL;

  r := ROW('created', v_pos, d->>'id', v_conversation, v_seq, v_sender, v_client_msg_id, d->>'type',
           d->>'content', d->>'mediaId', d->>'replyToId', v_created, NULL, NULL, v_system, v_recipients);
  RETURN r;
END
$fn$;

-- A group-committed batch of drafts, one result per draft, in order. It locks
-- the conversation rows only (sorted by id): appends write no membership row.
CREATE OR REPLACE FUNCTION chat_append_batch(p_drafts jsonb) RETURNS SETOF chat_message_out
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  d jsonb;
BEGIN
  PERFORM 1 FROM conversations
   WHERE id IN (SELECT e->>'conversationId' FROM jsonb_array_elements(p_drafts) e)
   ORDER BY id FOR NO KEY UPDATE;
  FOR d IN SELECT x.e FROM jsonb_array_elements(p_drafts) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
    RETURN NEXT chat_append_one(d, coalesce((d->>'requireMember')::boolean, true));
  END LOOP;
END
$fn$;
`;

/**
 * Migration step 10. chat_find_repeat, called twice per append, was a SQL-language function
 * over a join with the partitioned messages table: PostgreSQL 15 plans such a
 * function on every call (no plan cache for SQL functions it cannot inline),
 * about 0.45 ms a call, more than half of an append's database time. As
 * plpgsql its two statements keep cached plans, and the common case (no
 * repeat) is one probe of message_keys' (sender_id, client_msg_id) index:
 * about 6 µs. Same rows, same VOLATILE snapshot rule (each statement sees what
 * committed before it), same signature, so chat_append_one is unchanged.
 */
export const FIND_REPEAT_CACHED_PLAN = `
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
         m.media_id, m.reply_to_id, m.created_at, m.edited_at, m.deleted_at, m.system, '{}'::text[]
    FROM messages m
   WHERE m.pos = k_pos AND m.created_at = k_created;
END
$fn$;
`;

/**
 * 11: the outbox owes a device what it had not acknowledged of a window that
 * closed (the user left or was removed) when the device existed by then, and
 * such a device may acknowledge within that window.
 */
export const OUTBOX_CLOSED_WINDOWS = `
DROP FUNCTION chat_open_device(text, text, text);

CREATE FUNCTION chat_open_device(p_user text, p_device text, p_at text)
RETURNS TABLE (o_conversation_id text, o_after_seq bigint, o_last_seq bigint, o_window_closed boolean)
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
  PERFORM chat_ensure_device(p_user, p_device, p_at);
  RETURN QUERY
    SELECT w.conversation_id, w.after_seq, w.last_seq, w.window_closed FROM (
      SELECT c.id::text AS conversation_id,
             greatest(coalesce(dc.acked_seq, mb.visible_from_seq - 1), mb.visible_from_seq - 1) AS after_seq,
             coalesce(mb.visible_to_seq, c.last_seq) AS last_seq,
             mb.visible_to_seq IS NOT NULL AS window_closed,
             dc.acked_seq IS NOT NULL OR EXISTS (
               SELECT 1 FROM devices d
                 JOIN message_keys k ON k.conversation_id = mb.conversation_id AND k.seq = mb.visible_to_seq
                WHERE d.user_id = mb.user_id AND d.device_id = p_device
                  AND d.first_seen_at::timestamptz <= k.created_at) AS device_knew,
             c.last_activity_at, c.last_seq AS conversation_last_seq
        FROM memberships mb
        JOIN conversations c ON c.id = mb.conversation_id
        LEFT JOIN device_cursors dc
          ON dc.user_id = mb.user_id AND dc.device_id = p_device AND dc.conversation_id = mb.conversation_id
       WHERE mb.user_id = p_user) w
     WHERE NOT w.window_closed OR (w.after_seq < w.last_seq AND w.device_knew)
     ORDER BY w.last_activity_at ASC, w.conversation_last_seq ASC, w.conversation_id ASC;
END
$fn$;

CREATE OR REPLACE FUNCTION chat_delivery_batch(p_writes jsonb) RETURNS SETOF chat_delivery_out
LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  w jsonb;
  m record;
  r chat_delivery_out;
  v_conversation text;
  v_user text;
  v_seq bigint;
  v_floor bigint;
BEGIN
  PERFORM 1 FROM memberships
   WHERE (conversation_id, user_id) IN (
     SELECT e->>'conversationId', e->>'userId' FROM jsonb_array_elements(p_writes) e)
   ORDER BY conversation_id, user_id FOR NO KEY UPDATE;
  FOR w IN SELECT x.e FROM jsonb_array_elements(p_writes) WITH ORDINALITY AS x(e, n) ORDER BY x.n LOOP
    r := NULL;
    v_conversation := w->>'conversationId';
    v_user := w->>'userId';
    v_seq := (w->>'seq')::bigint;
    IF w->>'kind' = 'ack' THEN
      -- A past member's device may still acknowledge what its window held.
      SELECT mb.visible_from_seq, mb.sent_seq, mb.delivered_seq,
             coalesce(mb.visible_to_seq, c.last_seq) AS window_end,
             mb.visible_to_seq IS NOT NULL AS window_closed INTO m
        FROM memberships mb JOIN conversations c ON c.id = mb.conversation_id
       WHERE mb.conversation_id = v_conversation AND mb.user_id = v_user;
      IF FOUND THEN
        -- An ack from a device never opened registers it like openDevice would.
        PERFORM chat_ensure_device(v_user, w->>'deviceId', w->>'at');
        -- Cumulative, clamped to the window and the last message.
        v_floor := m.visible_from_seq - 1;
        v_seq := CASE WHEN v_seq IS NULL THEN v_floor ELSE greatest(v_floor, least(v_seq, m.window_end)) END;
        INSERT INTO device_cursors AS dc (user_id, device_id, conversation_id, acked_seq)
        VALUES (v_user, w->>'deviceId', v_conversation, v_seq)
        ON CONFLICT (user_id, device_id, conversation_id)
        DO UPDATE SET acked_seq = greatest(dc.acked_seq, excluded.acked_seq);
        -- A past member's ack only ends its device's replay: it tells the group nothing.
        IF NOT m.window_closed AND (v_seq > m.delivered_seq OR v_seq > m.sent_seq) THEN
          UPDATE memberships
             SET sent_seq = greatest(sent_seq, v_seq),
                 delivered_seq = greatest(delivered_seq, v_seq),
                 delivered_at = CASE WHEN delivered_seq < v_seq THEN w->>'at' ELSE delivered_at END
           WHERE conversation_id = v_conversation AND user_id = v_user;
        END IF;
        r := ROW(v_conversation, v_user, m.delivered_seq,
                 CASE WHEN m.window_closed THEN m.delivered_seq ELSE greatest(m.delivered_seq, v_seq) END);
      END IF;
    ELSIF v_seq IS NOT NULL THEN
      UPDATE memberships mb
         SET sent_seq = least(v_seq, c.last_seq)
        FROM conversations c
       WHERE c.id = mb.conversation_id AND mb.conversation_id = v_conversation AND mb.user_id = v_user
         AND mb.visible_to_seq IS NULL AND mb.sent_seq < least(v_seq, c.last_seq);
    END IF;
    RETURN NEXT r;
  END LOOP;
END
$fn$;
`;
