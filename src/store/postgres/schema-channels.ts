/**
 * PostgreSQL step of the broadcast channels (src/store/channel-store.ts): the
 * `channel` conversation type, the channels and reader-count tables, the
 * admins index, and three functions taught to keep channels cheap:
 *
 * - chat_append_one reads a channel's admins only as the recipients (not its
 *   100,000 readers: channel messages reach readers through the gateway's
 *   channel subscriptions);
 * - chat_ensure_device seeds no device cursor for a channel, and
 *   chat_open_device lists no channel in a device's outbox.
 *
 * Other steps replace these functions too (mentions write their columns in
 * chat_append_one), so this step patches the CURRENT definition in place
 * (pg_get_functiondef, one statement rewritten, EXECUTE) rather than carrying
 * a copy that would undo theirs.
 */
export const POSTGRES_CHANNEL_TABLES = `
ALTER TABLE conversations DROP CONSTRAINT conversations_type_check;
ALTER TABLE conversations ADD CONSTRAINT conversations_type_check CHECK (type IN ('direct', 'group', 'channel'));

CREATE TABLE channels (
  conversation_id text COLLATE "C" PRIMARY KEY REFERENCES conversations (id),
  is_public       boolean NOT NULL,
  member_count    bigint NOT NULL
);

-- Reader counts: how many members' read watermark stands at each seq.
CREATE TABLE channel_read_marks (
  conversation_id text COLLATE "C" NOT NULL REFERENCES conversations (id),
  seq             bigint NOT NULL,
  members         bigint NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);

CREATE INDEX memberships_admins ON memberships (conversation_id)
 WHERE role = 'admin' AND visible_to_seq IS NULL;

DO $patch$
DECLARE
  src text;
  patched text;
BEGIN
  src := pg_get_functiondef('chat_append_one(jsonb, boolean)'::regprocedure);
  patched := regexp_replace(src,
    'FROM memberships\\s+WHERE conversation_id = v_conversation AND visible_to_seq IS NULL;',
    'FROM (SELECT user_id, joined_at, visible_from_seq, pos FROM memberships
            WHERE conversation_id = v_conversation AND visible_to_seq IS NULL
              AND NOT EXISTS (SELECT 1 FROM channels WHERE conversation_id = v_conversation)
           UNION ALL
           SELECT user_id, joined_at, visible_from_seq, pos FROM memberships
            WHERE conversation_id = v_conversation AND visible_to_seq IS NULL AND role = ''admin''
              AND EXISTS (SELECT 1 FROM channels WHERE conversation_id = v_conversation)) rcp;');
  -- Only a cost: a channel append would read every member as a recipient.
  IF patched = src THEN RAISE NOTICE 'chat_append_one: recipients statement not found, channels read every member';
  ELSE EXECUTE patched; END IF;

  src := pg_get_functiondef('chat_ensure_device(text, text, text)'::regprocedure);
  patched := regexp_replace(src,
    'FROM memberships WHERE user_id = p_user AND visible_to_seq IS NULL',
    'FROM memberships WHERE user_id = p_user AND visible_to_seq IS NULL
       AND NOT EXISTS (SELECT 1 FROM channels ch WHERE ch.conversation_id = memberships.conversation_id)');
  IF patched = src THEN RAISE EXCEPTION 'chat_ensure_device: cursor seeding statement not found'; END IF;
  EXECUTE patched;

  src := pg_get_functiondef('chat_open_device(text, text, text)'::regprocedure);
  patched := regexp_replace(src, 'WHERE mb\\.user_id = p_user\\) w', 'WHERE mb.user_id = p_user AND c.type <> ''channel'') w');
  IF patched = src THEN RAISE EXCEPTION 'chat_open_device: outbox statement not found'; END IF;
  EXECUTE patched;
END
$patch$;
`;
