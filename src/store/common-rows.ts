/**
 * The users and memberships tables' row shapes, the same in SQLite and
 * PostgreSQL (PostgreSQL's bigints arrive as numbers, and memberships also as
 * JSON), and their mapping to the records of records.ts.
 */
import type { MemberRole, PrivacyLevel } from '../protocol/dto.js';
import type { MembershipRecord, UserRecord } from './records.js';

export interface UserRow {
  id: string;
  username: string;
  display_name: string;
  avatar_url: string | null;
  phone: string | null;
  password_hash: string;
  created_at: string;
  privacy_presence: PrivacyLevel;
  privacy_last_seen: PrivacyLevel;
}

export interface MembershipRow {
  conversation_id: string;
  user_id: string;
  role: MemberRole;
  joined_at: string;
  visible_from_seq: number;
  visible_to_seq: number | null;
  sent_seq: number;
  delivered_seq: number;
  read_seq: number;
  delivered_at: string | null;
  read_at: string | null;
}

export function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    phone: row.phone,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    privacyPresence: row.privacy_presence,
    privacyLastSeen: row.privacy_last_seen,
  };
}

export function toMembership(row: MembershipRow): MembershipRecord {
  return {
    conversationId: row.conversation_id,
    userId: row.user_id,
    role: row.role,
    joinedAt: row.joined_at,
    visibleFromSeq: Number(row.visible_from_seq),
    visibleToSeq: row.visible_to_seq === null ? null : Number(row.visible_to_seq),
    sentSeq: Number(row.sent_seq),
    deliveredSeq: Number(row.delivered_seq),
    readSeq: Number(row.read_seq),
    deliveredAt: row.delivered_at,
    readAt: row.read_at,
  };
}
