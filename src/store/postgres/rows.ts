/** Row shapes of the PostgreSQL tables and their mapping to the records of records.ts. */
import type { ConversationType, MessageType, SendPolicy, SystemEvent } from '../../protocol/dto.js';
import { annotations } from '../annotations.js';
import { type MembershipRow, toMembership, toUser, type UserRow } from '../common-rows.js';
import type { ConversationRecord, MessageRecord } from '../records.js';

export { type MembershipRow, toMembership, toUser, type UserRow };

// bigint columns arrive as numbers and timestamptz as ISO strings (see TYPES in pool.ts).

export interface ConversationRow {
  id: string;
  type: ConversationType;
  name: string | null;
  avatar_url: string | null;
  created_by: string;
  created_at: string;
  last_seq: number;
  last_activity_at: string;
  send_policy: SendPolicy;
  /** The current members, oldest first, as a JSON array of membership rows. */
  members: MembershipRow[];
  /** Channels only (channel-store.ts). */
  channel: { public: boolean; memberCount: number } | null;
}

export interface MessageRow {
  pos: number;
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  client_msg_id: string;
  type: MessageType;
  content: string;
  media_id: string | null;
  reply_to_id: string | null;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  system: SystemEvent | null;
  /** NULL when none (src/mentions). */
  mentions: string[] | null;
  forwarded: boolean;
}

export const USER_COLUMNS =
  'id, username, display_name, avatar_url, phone, password_hash, created_at, privacy_presence, privacy_last_seen';

export const MEMBERSHIP_COLUMNS =
  'conversation_id, user_id, role, joined_at, visible_from_seq, visible_to_seq, sent_seq, delivered_seq, read_seq, delivered_at, read_at';

export const MESSAGE_COLUMNS =
  'pos, id, conversation_id, seq, sender_id, client_msg_id, type, content, media_id, reply_to_id, created_at, edited_at, deleted_at, system, mentions, forwarded';

/** Members of a conversation, oldest first (also the order of promotion to admin). */
export function memberOrder(alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return `${prefix}joined_at, ${prefix}visible_from_seq, ${prefix}pos`;
}

/** A column list qualified with a table alias, optionally renamed with a prefix. */
export function qualified(columns: string, alias: string, prefix?: string): string {
  return columns
    .split(',')
    .map((column) => {
      const name = column.trim();
      return prefix ? `${alias}.${name} AS ${prefix}${name}` : `${alias}.${name}`;
    })
    .join(', ');
}

/**
 * The conversation columns plus its current members as one JSON array, so a
 * conversation loads in one statement (one snapshot, one round trip).
 */
export const CONVERSATION_SELECT = `c.id, c.type, c.name, c.avatar_url, c.created_by, c.created_at, c.last_seq,
  c.last_activity_at, c.send_policy,
  (SELECT coalesce(json_agg(o ORDER BY ${memberOrder('o')}), '[]'::json)
     FROM (SELECT ${MEMBERSHIP_COLUMNS}, pos FROM memberships
            WHERE conversation_id = c.id AND visible_to_seq IS NULL AND c.type <> 'channel'
           UNION ALL
           -- A channel lists its admins only: it may have 100,000 readers.
           SELECT ${MEMBERSHIP_COLUMNS}, pos FROM memberships
            WHERE conversation_id = c.id AND visible_to_seq IS NULL AND role = 'admin' AND c.type = 'channel') o) AS members,
  (SELECT json_build_object('public', ch.is_public, 'memberCount', ch.member_count)
     FROM channels ch WHERE ch.conversation_id = c.id) AS channel`;

export function toConversation(row: ConversationRow): ConversationRecord {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    avatarUrl: row.avatar_url,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastSeq: row.last_seq,
    lastActivityAt: row.last_activity_at,
    sendPolicy: row.send_policy,
    members: row.members.map(toMembership),
    ...(row.channel ? { channel: { public: row.channel.public, memberCount: Number(row.channel.memberCount) } } : {}),
  };
}

export function toMessage(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    senderId: row.sender_id,
    seq: row.seq,
    clientMsgId: row.client_msg_id,
    type: row.type,
    content: row.content,
    mediaId: row.media_id,
    replyToId: row.reply_to_id,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deletedAt: row.deleted_at,
    system: row.system === null ? null : { ...row.system },
    ...annotations(row.mentions, row.forwarded),
  };
}

/** A message row whose columns carry a prefix (a LEFT JOINed last message); null when absent. */
export function prefixedMessage(row: Record<string, unknown>, prefix: string): MessageRecord | null {
  if (row[`${prefix}id`] === null || row[`${prefix}id`] === undefined) return null;
  const fields: Record<string, unknown> = {};
  for (const column of MESSAGE_COLUMNS.split(',')) {
    const name = column.trim();
    fields[name] = row[`${prefix}${name}`];
  }
  return toMessage(fields as unknown as MessageRow);
}
