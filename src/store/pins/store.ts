/**
 * What pins and the archive keep: each user's state of each conversation
 * (pinned, archived), each user's archive setting, and each conversation's
 * pinned messages. Implemented for SQLite (embedded, one node) and PostgreSQL
 * (scale-out); every write is durable before it resolves. Rules of who may do
 * what live in the domain (src/domain/chat-states.ts, pinned-messages.ts).
 */
import type { ChatSettings } from '../../protocol/pins.js';

/** One user's state of one conversation; the default (neither pinned nor archived) when never set. */
export interface ChatStateRecord {
  userId: string;
  conversationId: string;
  pinnedAt: string | null;
  /** Increases with every pin of the user: pinned chats list highest rank (newest pin) first. */
  pinRank: number | null;
  archivedAt: string | null;
}

export interface PinnedMessageRecord {
  conversationId: string;
  messageId: string;
  pinnedBy: string;
  pinnedAt: string;
}

export interface PinMessageResult {
  /** The conversation's pins after the call, newest first. */
  pins: PinnedMessageRecord[];
  /** false when the message was pinned already: nothing changed. */
  created: boolean;
  /** The oldest pins removed to stay within the cap. */
  replaced: PinnedMessageRecord[];
}

export const DEFAULT_CHAT_SETTINGS: ChatSettings = { keepArchived: false };

export interface PinStore {
  /** The user's pinned or archived conversations (current memberships or not), pinned ones newest pin first. */
  statesOf(userId: string): Promise<ChatStateRecord[]>;
  stateOf(userId: string, conversationId: string): Promise<ChatStateRecord>;

  /**
   * Pins the conversation for the user and unarchives it; idempotent (a pinned
   * one keeps its time and rank). Resolves null, changing nothing, when the
   * user already has `max` other pinned conversations it is a current member
   * of (checked atomically with the pin: two concurrent pins cannot both pass).
   */
  pinChat(userId: string, conversationId: string, at: string, max: number): Promise<ChatStateRecord | null>;
  unpinChat(userId: string, conversationId: string): Promise<ChatStateRecord>;
  /** Archives (keeping the first archive time when archived already) and unpins. */
  archiveChat(userId: string, conversationId: string, at: string): Promise<ChatStateRecord>;
  unarchiveChat(userId: string, conversationId: string): Promise<ChatStateRecord>;

  /**
   * The users who archived the conversation at or before `at` and do not keep
   * archived chats archived: whom a new message of that time brings it back to.
   * A read, so the message path writes only when someone has it archived.
   */
  archivedBy(conversationId: string, at: string): Promise<string[]>;
  /** Unarchives for those of `userIds` that archived it at or before `at`; resolves with them. */
  unarchiveFor(conversationId: string, userIds: readonly string[], at: string): Promise<string[]>;

  /** The user's archive setting, defaults when never set. */
  chatSettings(userId: string): Promise<ChatSettings>;
  updateChatSettings(userId: string, settings: ChatSettings): Promise<ChatSettings>;

  /** The conversation's pinned messages, newest pin first. */
  pinnedMessages(conversationId: string): Promise<PinnedMessageRecord[]>;
  /**
   * Pins the message; idempotent. Beyond `max` pins the oldest are removed
   * (replaced), atomically with the insert.
   */
  pinMessage(pin: PinnedMessageRecord, max: number): Promise<PinMessageResult>;
  /** Resolves with the pins after, and whether the message was pinned. */
  unpinMessage(conversationId: string, messageId: string): Promise<{ pins: PinnedMessageRecord[]; removed: boolean }>;
}
