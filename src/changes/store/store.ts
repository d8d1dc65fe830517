/**
 * Reactions and the per-conversation change stream. Every change to an
 * existing message (a reaction set or removed, an edit, a deletion) takes the
 * conversation's next change number in the same transaction as the change
 * itself, so the stream is dense, ordered and durable before anyone hears of
 * it. Message seqs are untouched: changes never move a conversation's lastSeq.
 */
import type { ReactionCount, ReactionSummary } from '../../protocol/reactions.js';
import type { MessageRecord } from '../../store/records.js';

export type { ReactionCount, ReactionSummary };

export type ChangeKind = 'reaction' | 'edit' | 'delete';

export interface ChangeRecord {
  conversationId: string;
  /** Dense per conversation: 1, 2, 3 … */
  changeSeq: number;
  messageId: string;
  /** The changed message's seq: who may see the change is who may see the message. */
  messageSeq: number;
  kind: ChangeKind;
  /** Who made the change. */
  userId: string;
  /** A reaction's emoji; null for a removed reaction, an edit or a deletion. */
  emoji: string | null;
  at: string;
}

export interface ReactionRecord {
  userId: string;
  emoji: string;
  at: string;
}

export interface ReactResult {
  /** null when the user's reaction already was what was asked (nothing changed, no change number). */
  change: ChangeRecord | null;
  /** The message's reactions after the call, most frequent first. */
  reactions: ReactionCount[];
}

export interface MessageChange {
  message: MessageRecord;
  /** null when nothing changed (deleting a deleted message). */
  change: ChangeRecord | null;
}

export interface ChangeStore {
  /**
   * Sets (emoji) or removes (null) the user's one reaction on the message,
   * replacing any other. Resolves null when the message is missing or deleted.
   */
  react(messageId: string, userId: string, emoji: string | null, at: string): Promise<ReactResult | null>;

  /** MessageStore.edit plus its change, atomically; null if missing or deleted. */
  edit(messageId: string, content: string, actorId: string, at: string): Promise<MessageChange | null>;

  /**
   * MessageStore.softDelete plus its change, atomically; the message's
   * reactions go with it. Idempotent (no second change); null if missing.
   */
  softDelete(messageId: string, actorId: string, at: string): Promise<MessageChange | null>;

  /** The conversation's changes with changeSeq > afterChangeSeq, ascending, at most `limit`. */
  after(conversationId: string, afterChangeSeq: number, limit: number): Promise<ChangeRecord[]>;

  /** The conversation's last change number (0 before any change). */
  head(conversationId: string): Promise<number>;

  /** The last change number of every conversation the user is a current member of. */
  heads(userId: string): Promise<Map<string, number>>;

  /** Reaction summaries of these messages as `viewerId` sees them; messages without reactions are absent. */
  summaries(messageIds: readonly string[], viewerId: string): Promise<Map<string, ReactionSummary[]>>;

  /** Who reacted with what, oldest first, at most `limit`. */
  reactors(messageId: string, limit: number): Promise<ReactionRecord[]>;
}
