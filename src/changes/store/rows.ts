/** Row shapes of the change tables, shared by both engines. */
import type { ChangeKind, ChangeRecord, ReactionCount, ReactionSummary } from './store.js';

export const CHANGE_COLUMNS = 'conversation_id, change_seq, message_id, message_seq, kind, user_id, emoji, at';

export interface ChangeRow {
  conversation_id: string;
  change_seq: number | string;
  message_id: string;
  message_seq: number | string;
  kind: ChangeKind;
  user_id: string;
  emoji: string | null;
  at: string;
}

export function toChange(row: ChangeRow): ChangeRecord {
  return {
    conversationId: row.conversation_id,
    changeSeq: Number(row.change_seq),
    messageId: row.message_id,
    messageSeq: Number(row.message_seq),
    kind: row.kind,
    userId: row.user_id,
    emoji: row.emoji,
    at: row.at,
  };
}

export interface SummaryRow {
  message_id: string;
  emoji: string;
  count: number | string;
  me: number | boolean;
}

/** Rows ordered by message, then most frequent first. */
export function toSummaries(rows: readonly SummaryRow[]): Map<string, ReactionSummary[]> {
  const out = new Map<string, ReactionSummary[]>();
  for (const row of rows) {
    let list = out.get(row.message_id);
    if (!list) {
      list = [];
      out.set(row.message_id, list);
    }
    list.push({ emoji: row.emoji, count: Number(row.count), me: row.me === true || row.me === 1 });
  }
  return out;
}

export function toCounts(rows: readonly { emoji: string; count: number | string }[]): ReactionCount[] {
  return rows.map((row) => ({ emoji: row.emoji, count: Number(row.count) }));
}

/** Bounds a caller's number to a sane integer (NaN and infinities included). */
export function bound(value: number, min: number, max: number): number {
  if (Number.isNaN(value)) return min;
  return Math.max(min, Math.min(max, Math.floor(value)));
}
