/** Rows of the pin tables, shared by the SQLite and PostgreSQL stores. */
import type { ChatStateRecord, PinnedMessageRecord } from './store.js';

export interface ChatStateRow {
  user_id: string;
  conversation_id: string;
  pinned_at: string | null;
  /** PostgreSQL answers bigint as a string. */
  pin_rank: number | string | null;
  archived_at: string | null;
}

export interface PinnedMessageRow {
  conversation_id: string;
  message_id: string;
  pinned_by: string;
  pinned_at: string;
}

export const STATE_COLUMNS = 'user_id, conversation_id, pinned_at, pin_rank, archived_at';
export const PIN_COLUMNS = 'conversation_id, message_id, pinned_by, pinned_at';

export function toState(row: ChatStateRow): ChatStateRecord {
  return {
    userId: row.user_id,
    conversationId: row.conversation_id,
    pinnedAt: row.pinned_at,
    pinRank: row.pin_rank === null ? null : Number(row.pin_rank),
    archivedAt: row.archived_at,
  };
}

export function defaultState(userId: string, conversationId: string): ChatStateRecord {
  return { userId, conversationId, pinnedAt: null, pinRank: null, archivedAt: null };
}

export function toPin(row: PinnedMessageRow): PinnedMessageRecord {
  return {
    conversationId: row.conversation_id,
    messageId: row.message_id,
    pinnedBy: row.pinned_by,
    pinnedAt: row.pinned_at,
  };
}
