/** Row shapes of the SQLite tables and their mapping to the records of records.ts. */
import type { ConversationType, MessageType, SendPolicy, SystemEvent } from '../../protocol/dto.js';
import { annotations } from '../annotations.js';
import { type MembershipRow, toMembership, toUser, type UserRow } from '../common-rows.js';
import type { ConversationRecord, MembershipRecord, MessageRecord } from '../records.js';

export { type MembershipRow, toMembership, toUser, type UserRow };

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
  direct_key: string | null;
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
  system_json: string | null;
  /** JSON array of user ids, NULL when none (src/mentions). */
  mentions_json: string | null;
  forwarded: 0 | 1;
}

export const USER_COLUMNS =
  'id, username, display_name, avatar_url, phone, password_hash, created_at, privacy_presence, privacy_last_seen';

export const CONVERSATION_COLUMNS =
  'id, type, name, avatar_url, created_by, created_at, last_seq, last_activity_at, send_policy, direct_key';

export const MEMBERSHIP_COLUMNS =
  'conversation_id, user_id, role, joined_at, visible_from_seq, visible_to_seq, sent_seq, delivered_seq, read_seq, delivered_at, read_at';

export const MESSAGE_COLUMNS =
  'pos, id, conversation_id, seq, sender_id, client_msg_id, type, content, media_id, reply_to_id, created_at, edited_at, deleted_at, system_json, mentions_json, forwarded';

/** Members of a conversation, oldest first (also the order of promotion to admin). */
export function memberOrder(alias?: string): string {
  const prefix = alias ? `${alias}.` : '';
  return `${prefix}joined_at, ${prefix}visible_from_seq, ${prefix}rowid`;
}

/** A column list qualified with a table alias, for joins. */
export function qualified(columns: string, alias: string): string {
  return columns
    .split(',')
    .map((column) => `${alias}.${column.trim()}`)
    .join(', ');
}

export function toConversation(row: ConversationRow, members: MembershipRecord[]): ConversationRecord {
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
    members,
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
    system: row.system_json === null ? null : (JSON.parse(row.system_json) as SystemEvent),
    ...annotations(
      row.mentions_json === null ? null : (JSON.parse(row.mentions_json) as string[]),
      row.forwarded === 1,
    ),
  };
}
